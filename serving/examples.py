"""Example requests ``grouplake up`` prints for the serving API, picked from the snapshot.

Written by the snapshot asset to ``<demo dir>/examples/serving-api.json`` (``{"commands":
[...]}``): mint a token (or log in on the transactional API as a demo procurement user),
then read a real supplier's scorecard, revalidate it with its ETag (304), the elimination
list, a ranking and the supplier 360; and a supplier reading its own scorecard.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

from infra.settings import Settings

NAME = "serving-api"
DEMO_PASSWORD = "grouplake-demo"  # demo/platform_seed.py's demo users


def examples_path(settings: Settings) -> Path:
    """``<demo dir>/examples/serving-api.json``."""
    return Path(settings.demo.dir) / "examples" / f"{NAME}.json"


def _cli() -> str:
    script = Path(sys.executable).parent / "grouplake"
    return shlex.quote(str(script)) if script.exists() else f"{shlex.quote(sys.executable)} -m grouplake.cli"


def _picks(snapshot_file: Path) -> dict[str, Any]:
    from serving.snapshot.store import open_read_only

    picks: dict[str, Any] = {}
    with open_read_only(snapshot_file) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}
        if "serving.scorecard_documents" in tables:
            row = con.execute("""
                SELECT d.supplier_key, d.etag, u.business_unit_code
                FROM serving.scorecard_documents d JOIN serving.supplier_units u USING (supplier_key)
                ORDER BY u.business_unit_code, d.supplier_key LIMIT 1""").fetchall()
            if row:
                picks.update(supplier_key=row[0][0], etag=row[0][1], unit=row[0][2])
        if "serving.platform_suppliers" in tables and "serving.scorecard_documents" in tables:
            row = con.execute("""
                SELECT p.platform_supplier_id FROM serving.platform_suppliers p
                JOIN serving.scorecard_documents d USING (supplier_key)
                ORDER BY p.platform_supplier_id LIMIT 1""").fetchall()
            if row:
                picks["platform_supplier_id"] = row[0][0]
        if "unit" not in picks and "serving.supplier_units" in tables:
            picks["unit"] = con.execute(
                "SELECT min(business_unit_code) FROM serving.supplier_units").fetchall()[0][0]
    return picks


def example_commands(settings: Settings, snapshot_file: Path) -> list[str]:
    """Shell lines exercising the API on the data of ``snapshot_file``."""
    picks = _picks(snapshot_file)
    host, port = settings.services.host, settings.services.serving_port
    base = f"http://{host}:{port}/api/v1"
    tx = f"http://{host}:{settings.services.transactional_port}/api/v1"
    unit = picks.get("unit") or "COAL"
    auth = '-H "Authorization: Bearer $TOKEN"'
    commands = [
        f"TOKEN=$({_cli()} serving token --role procurement --business-unit {unit})",
        (f"# or log in on the transactional API: TOKEN=$(curl -s -X POST {tx}/auth/token "
         f"-d 'username=procurement.{unit.lower()}&password={DEMO_PASSWORD}' "
         "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"),
        f"curl -s -i {base}/snapshot {auth}",
    ]
    if "supplier_key" in picks:
        key = picks["supplier_key"]
        commands += [
            f"curl -s {base}/scorecards/{key} {auth}",
            (f"curl -s -o /dev/null -w '%{{http_code}}\\n' {base}/scorecards/{key} {auth} "
             f"-H 'If-None-Match: {picks['etag']}'"),
            f"curl -s '{base}/elimination-list?business_unit={unit}&limit=5' {auth}",
            f"curl -s '{base}/rankings?by=category&business_unit={unit}&limit=5' {auth}",
            f"curl -s {base}/suppliers/{key} {auth}",
        ]
    if "platform_supplier_id" in picks:
        commands += [
            (f"SUPPLIER_TOKEN=$({_cli()} serving token --role supplier "
             f"--supplier-id {picks['platform_supplier_id']})"),
            f"curl -s {base}/scorecards/me -H \"Authorization: Bearer $SUPPLIER_TOKEN\"",
        ]
    commands.append(f"curl -s '{base}/customers/segments?limit=5' {auth}")
    return commands


def write_examples(settings: Settings, snapshot_file: Path) -> Path:
    """Write the example commands for ``grouplake up``; returns the file written."""
    path = examples_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"commands": example_commands(settings, snapshot_file)},
                              ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return path
