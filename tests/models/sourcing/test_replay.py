"""The replay of placed purchases against the optimiser (issue #16 item 4), on a hand-made
history whose saving is computed by hand below."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from grouplake.cli import app
from models.sourcing.replay import (
    HistoricOffer,
    PlacedLine,
    history_from_json,
    history_to_json,
    replay,
)

D = dt.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
U1, U2 = frozenset({"U1"}), frozenset({"U2"})
OFFERS = [
    HistoricOffer("A1", "A", "X", 1, 1, 3, ((1, 10.0), (100, 9.0)), *YEAR, U1),
    HistoricOffer("B1", "B", "X", 1, 1, 5, ((1, 9.5),), *YEAR, U1),
    HistoricOffer("C1", "C", "Y", 10, 10, 2, ((10, 20.0), (50, 18.0)), *YEAR, U1),
    HistoricOffer("D1", "D", "X", 1, 1, 1, ((1, 8.0),), *YEAR, U2),  # another unit's vendor
    HistoricOffer("E1", "E", "X", 1, 1, 2, ((1, 5.0),), D(2026, 1, 1), D(2026, 1, 31), U1),  # expired
    HistoricOffer("F1", "F", "X", 1, 1, 10, ((1, 7.0),), *YEAR, U1),  # slower than accepted
    HistoricOffer("G1", "G", "X", 1, 1, 1, ((1, 6.0),), *YEAR, U1,
                  blocked_from=D(2026, 3, 1)),  # blocked before the week
]
LINES = [  # U1 in ISO week 2026-W10, U2 in W11
    PlacedLine("U1", D(2026, 3, 2), "A1", "A", "X", 60, 10.0),
    PlacedLine("U1", D(2026, 3, 4), "B1", "B", "X", 50, 9.6),  # a manual price change: list 9.5
    PlacedLine("U1", D(2026, 3, 5), "C1", "C", "Y", 30, 20.0),
    PlacedLine("U1", D(2026, 3, 6), "A1", "A", "X", 40, 10.0),  # A1 again: 100 in the week
    PlacedLine("U2", D(2026, 3, 10), "D1", "D", "X", 10, 8.0),
]
# U1: paid 600 + 480 + 600 + 400 = 2080; list 600 + 475 + 600 + 400 = 2075; the same offers
# with the week pooled: A1 100 x 9 + 475 + 600 = 1975. Optimised: X is 150 units with need-by
# 5 days (B1's lead time; D1 is U2's, E1 expired, F1 too slow, G1 blocked): A1 alone at its
# 100-unit tier, 150 x 9 = 1350 (< B1 1425, < A1 100 + B1 50 = 1375); Y: 30 x 20 = 600 (50 at
# 18 = 900 costs more). 1950 with 2 suppliers (3 used). U2: only D1 is its own: 80 = 80.


def test_replay_on_a_hand_made_history() -> None:
    result = replay(LINES, OFFERS)
    u1, u2 = result.requisitions
    assert (u1.unit, u1.week, u1.paid, u1.list_cost, u1.pooled, u1.optimised) == (
        "U1", "2026-W10", pytest.approx(2080), pytest.approx(2075), pytest.approx(1975),
        pytest.approx(1950))
    assert (u1.suppliers_actual, u1.suppliers_plan) == (3, 2)
    assert (u2.week, u2.paid, u2.list_cost, u2.optimised, u2.suppliers_plan) == (
        "2026-W11", 80, 80, 80, 1)
    summary = result.summary()
    total = summary["total"]
    assert (total["requisitions"], total["compared"], total["paid"], total["list"],
            total["pooled"], total["optimised"]) == (2, 2, 2160, 2155, 2055, 2030)
    assert total["saving_vs_list_pct"] == round(100 * 125 / 2155, 3) == 5.8
    assert total["saving_vs_paid_pct"] == round(100 * 130 / 2160, 3) == 6.019
    assert total["saving_pooling_only_pct"] == round(100 * 100 / 2155, 3) == 4.64
    assert summary["per_unit"]["U1"]["saving_vs_list_pct"] == round(100 * 125 / 2075, 3)
    assert summary["per_unit"]["U2"]["saving_vs_list_pct"] == 0
    assert (total["suppliers_actual_mean"], total["suppliers_plan_mean"]) == (2, 1.5)


def test_the_supplier_cap_keeps_the_actual_count() -> None:
    offers = [*OFFERS, HistoricOffer("H1", "A", "Y", 1, 1, 2, ((1, 25.0),), *YEAR, U1)]
    one = [PlacedLine("U1", D(2026, 3, 2), "A1", "A", "X", 60, 10.0),
           PlacedLine("U1", D(2026, 3, 2), "H1", "A", "Y", 30, 25.0)]
    # need-by of X is A1's 3 days: B1 (5) is too slow. Free: X from A 600, Y from C 600.
    free = replay(one, offers).requisitions[0]
    assert (free.list_cost, free.optimised, free.suppliers_plan) == (1350, 1200, 2)
    capped = replay(one, offers, cap_suppliers=True).requisitions[0]
    assert (capped.optimised, capped.suppliers_actual, capped.suppliers_plan) == (1350, 1, 1)


def test_the_replay_command_reads_the_json_history(tmp_path) -> None:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history_to_json(LINES, OFFERS, facts={"source": "hand"})))
    assert history_from_json(json.loads(path.read_text())) == (LINES, OFFERS)
    result = CliRunner().invoke(app, ["sourcing", "replay", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["facts"], out["total"]["optimised"], out["total"]["saving_vs_list_pct"]) == (
        {"source": "hand"}, 2030, 5.8)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lines": []}))
    assert CliRunner().invoke(app, ["sourcing", "replay", str(bad)]).exit_code == 2
