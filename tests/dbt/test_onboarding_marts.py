"""The onboarding cycle-time marts on a tiny seeded event set give exact hours (#22).

The two models' SQL (``dbt_project/models/marts/onboarding``) run in DuckDB on eleven
hand-written outbox events, their ``ref`` replaced by the seeded tables: no dbt run, no
demo lake (the dbt unit tests in the models' YAML run in every ``dbt build``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "onboarding"

EVENTS = [  # sequence, type, application, unit, time, payload extras
    (1, "supplier.applied", 1, "COAL", "2026-12-01 08:00:00", {}),
    (2, "supplier_application.document_uploaded", 1, "COAL", "2026-12-01 08:30:00", {}),
    (3, "supplier_application.checked", 1, "COAL", "2026-12-01 09:00:00",
     {"fast_track": False, "failed_checks": ["bank_account_matches"]}),
    (4, "supplier.applied", 2, "POWER", "2026-12-01 10:00:00", {}),
    (5, "supplier_application.document_uploaded", 1, "COAL", "2026-12-02 07:00:00", {}),
    (6, "supplier_application.resubmitted", 1, "COAL", "2026-12-02 07:05:00", {}),
    (7, "supplier_application.checked", 1, "COAL", "2026-12-02 07:06:00",
     {"fast_track": True, "failed_checks": []}),
    (8, "supplier.approved", 1, "COAL", "2026-12-02 20:30:00", {}),
    (9, "supplier_application.checked", 2, "POWER", "2026-12-01 11:00:00",
     {"fast_track": False, "failed_checks": ["not_sanctioned"]}),
    (10, "supplier.rejected", 2, "POWER", "2026-12-01 13:15:00", {"reason": "sanctioned"}),
    (11, "supplier.applied", 3, "COAL", "2026-12-03 08:00:00", {}),
]


def _sql(model: str) -> str:
    text = (MARTS / f"{model}.sql").read_text()
    return re.sub(r"\{\{\s*ref\('(\w+)'\)\s*\}\}", r"\1", text)


def test_cycle_times_and_the_summary_give_exact_hours() -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("create table stg_tx__outbox_events (sequence_id bigint, event_type varchar, "
                "payload varchar, occurred_at timestamptz, supplier_id varchar, "
                "business_unit_code varchar)")
    for seq, kind, app, unit, at, extra in EVENTS:
        supplier = f"GL-{unit}-{app:06d}"
        payload = {"application_id": app, "supplier_id": supplier, **extra}
        if kind == "supplier.applied":
            payload["business_unit"] = unit
        con.execute("insert into stg_tx__outbox_events values (?, ?, ?, ?::timestamptz, ?, ?)",
                    [seq, kind, json.dumps(payload), at + "+00", supplier, unit])
    con.execute(f"create table onboarding_cycle_times as {_sql('onboarding_cycle_times')}")
    rows = con.execute("select application_id, check_runs, documents_uploaded, resubmissions, "
                       "check_outcome, failed_checks, decision, hours_to_decision "
                       "from onboarding_cycle_times order by 1").fetchall()
    assert rows == [
        (1, 2, 2, 1, "fast_track", "[]", "approved", 36.5),
        (2, 1, 0, 0, "failed", '["not_sanctioned"]', "rejected", 3.25),
        (3, 0, 0, 0, "not_checked", None, None, None),
    ]
    summary = con.execute(
        f"select business_unit_code, check_outcome, applications, decided_applications, "
        f"resubmitted_applications, median_hours_to_decision "
        f"from ({_sql('onboarding_cycle_time_summary')}) order by 1, 2").fetchall()
    assert summary == [("COAL", "fast_track", 1, 1, 1, 36.5),
                       ("COAL", "not_checked", 1, 0, 0, None),
                       ("POWER", "failed", 1, 1, 0, 3.25)]
