"""``grouplake sql`` output and shell (#24 item 3): a capped table that says how many rows it
left out, numbers that stay numbers in JSON, Parquet for large results, a shell that Ctrl-C
does not kill, completion of the lake's names and no internal names in listings."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest

from lake.shell import Completer, OutputFormat, render, run_shell


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("create schema gold")
    connection.execute("create table gold.orders as select i as order_id, cast(i / 4 as decimal(18,4)) as amount, "
                       "date '2026-01-01' + cast(i as integer) as order_date, 'C' || (i % 7) as customer_id from range(250) t(i)")
    connection.execute("create table gold.__lake_internal (x int)")
    yield connection
    connection.close()


def test_a_table_is_capped_and_says_what_it_left_out(con) -> None:
    out = io.StringIO()
    assert render(con, "select * from gold.orders order by order_id", OutputFormat.table, out=out) == 250
    text = out.getvalue()
    assert "… 150 more row(s) (250 in all" in text
    assert " 99 " in text and " 100 " not in text  # rows 0..99 shown
    small = io.StringIO()
    render(con, "select * from gold.orders order by order_id", OutputFormat.table, limit=3, out=small)
    assert "… 247 more row(s)" in small.getvalue()
    everything = io.StringIO()
    render(con, "select * from gold.orders", OutputFormat.table, limit=0, out=everything)
    assert "250 row(s)" in everything.getvalue() and "more row" not in everything.getvalue()


def test_json_keeps_numbers_as_numbers_and_dates_as_iso(con) -> None:
    out = io.StringIO()
    render(con, "select order_id, amount, order_date from gold.orders where order_id in (5, 8) order by 1",
           OutputFormat.json, out=out)
    assert json.loads(out.getvalue()) == [
        {"order_id": 5, "amount": 1.25, "order_date": "2026-01-06"},
        {"order_id": 8, "amount": 2, "order_date": "2026-01-09"},
    ]
    assert render(con, "select 1 as one", OutputFormat.json, out=io.StringIO()) == 1


def test_parquet_writes_the_whole_result_to_a_file(con, tmp_path) -> None:
    target = tmp_path / "orders.parquet"
    assert render(con, "select * from gold.orders", OutputFormat.parquet, output=target) == 250
    table = pq.read_table(target)
    assert table.num_rows == 250 and table.column("amount")[10].as_py() == Decimal("2.5000")
    with pytest.raises(ValueError, match="--output"):
        render(con, "select 1", OutputFormat.parquet)


def test_ctrl_c_clears_the_line_and_the_shell_goes_on(con) -> None:
    typed = iter(["select count(*) as n", KeyboardInterrupt, "select count(*) as n", "from gold.orders;",
                  ".tables", "select nonsense from nowhere;", EOFError])

    def read(_prompt: str) -> str:
        item = next(typed)
        if isinstance(item, type) and issubclass(item, BaseException):
            raise item()
        return item

    out = io.StringIO()
    run_shell(con, OutputFormat.csv, read=read, out=out)
    text = out.getvalue()
    assert "^C" in text
    assert "n\r\n250\r\n" in text  # the interrupted line was dropped, the next statement ran alone
    assert "gold.orders" in text and "__lake" not in text  # internal names are not listed
    assert "CatalogException" in text  # an error is reported and the shell continued to EOF


def test_tab_completes_tables_and_columns_but_not_internal_names(con) -> None:
    completer = Completer(con)
    assert [completer.complete("gold.o", i) for i in range(2)] == ["gold.orders", None]
    assert completer.complete("custo", 0) == "customer_id"
    assert not any("__lake" in name for name in completer.names())


def test_a_query_opens_only_the_tables_it_reads() -> None:
    from lake.sql import tables_read_by

    assert tables_read_by("select 1") == frozenset()
    assert tables_read_by("select * from gold.customer_rfm r join bronze.erp__vendors v on r.a = v.b "
                          "where r.a in (select x from customer_ltv)") == {"customer_rfm", "erp__vendors",
                                                                          "customer_ltv"}
    # the catalogue, a statement DuckDB's parser does not take, SHOW: every table
    assert tables_read_by("select * from information_schema.tables") is None
    assert tables_read_by("selec broken") is None
    assert tables_read_by("show tables") is None


def test_the_lake_connection_registers_only_the_named_tables(settings) -> None:
    import pyarrow as pa
    from deltalake import write_deltalake

    from lake.sql import connect
    from lake.storage import LakeStorage

    root = settings.lake.root
    for name in ("alpha", "beta"):
        write_deltalake(f"{root}/gold/{name}", pa.table({"x": [1, 2, 3]}))
    storage = LakeStorage.from_settings(settings)
    views = "select table_name from information_schema.tables where table_schema = 'gold' order by 1"
    assert connect(storage, names={"beta"}).sql(views).fetchall() == [("beta",)]
    assert connect(storage).sql(views).fetchall() == [("alpha",), ("beta",)]
    assert connect(None, names=frozenset()).sql("select 1").fetchall() == [(1,)]



def test_select_1_imports_neither_arrow_nor_the_optimiser(settings) -> None:
    """``grouplake sql "select 1"`` start-up (#24 item 3, bench ``sql``): the command's
    packages import their heavy libraries inside the commands that use them, and a query that
    reads no table never lists the lake."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from grouplake.cli import app\n"
            "result = CliRunner().invoke(app, ['sql', 'select 1'])\n"
            "assert result.exit_code == 0 and '1 row(s)' in result.output, result.output\n"
            "heavy = sorted(m for m in ('pyarrow', 'pandas', 'scipy', 'numpy', 'sklearn', 'dagster', "
            "'deltalake') if m in sys.modules)\n"
            "print(heavy)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
