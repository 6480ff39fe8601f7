"""``grouplake reco evaluate`` on a tiny hand-made history, metrics computed by hand.

Four customers of one unit, each with its own two items: a *main* item bought alone every
``P`` days (days 0, P, …, 9P: 10 orders) and a *side* item bought alone every ``3P`` days
(days 0.5P, 3.5P, 6.5P), and held out: the side item at 9.5P. At that moment the side item
is exactly due (3P since its last purchase, its usual interval) while the main item was
bought half a period ago.

* ``repeat`` ranks the main item (10 orders) before the side item (3): the relevant item
  is 2nd → NDCG = 1/log2(3) = 0.6309, precision 1/10, recall 1.
* ``popularity``: every item has one customer; more orders first, then the id:
  bread, coal, milk, tea (10 orders each), ash, cup, jam, oil (3 each). The held-out items
  oil, jam, ash, cup sit at positions 8, 7, 5, 6 → NDCG = mean(1/log2(9), 1/log2(8),
  1/log2(6), 1/log2(7)) = 0.3480.
* the model learns from the earlier orders that an item bought at its usual interval is the
  one ordered, and puts the due side item first → NDCG 1, precision 0.1, recall 1; so does
  the negative control (the rhythm is the customer's own signal).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.ml.recommend.cli import reco_app
from models.ml.recommend.evaluate import evaluate_history
from models.ml.recommend.transactions import TransactionsError, normalise

CUSTOMERS = {"a": ("milk", "oil", 7.0), "b": ("bread", "jam", 5.0), "c": ("coal", "ash", 10.0),
             "d": ("tea", "cup", 4.0)}
START = pd.Timestamp("2025-01-01T08:00:00Z")


def history() -> pd.DataFrame:
    rows = []
    for customer, (main, side, period) in CUSTOMERS.items():
        for k in range(10):
            rows.append((customer, main, f"{customer}-m{k}", START + pd.Timedelta(days=k * period)))
        for k, day in enumerate((0.5, 3.5, 6.5, 9.5)):
            rows.append((customer, side, f"{customer}-s{k}", START + pd.Timedelta(days=day * period)))
    frame = pd.DataFrame(rows, columns=["customer_id", "item_id", "order_id", "ordered_at"])
    frame["ordered_at"] = frame["ordered_at"].map(lambda t: t.isoformat())
    return frame


def expected() -> dict[str, dict[str, float]]:
    popularity = sum(1 / math.log2(p + 1) for p in (8, 7, 5, 6)) / 4
    one = {"customers": 4, "precision_at_10": 0.1, "recall_at_10": 1.0}
    return {"model": {**one, "ndcg_at_10": 1.0}, "negative_control": {**one, "ndcg_at_10": 1.0},
            "repeat": {**one, "ndcg_at_10": round(1 / math.log2(3), 4)},
            "popularity": {**one, "ndcg_at_10": round(popularity, 4)}}


def test_hand_computed_metrics():
    report = evaluate_history(normalise(history()), k=10)
    for name, metrics in expected().items():
        assert report[name] == pytest.approx(metrics, abs=1e-4), name
    assert report["data"]["held_out_orders"] == 4
    assert report["data"]["single_order_customers_not_judged"] == 0
    assert report["data"]["lift_over_repeat"] == pytest.approx(1 / 0.6309 - 1, abs=1e-3)
    # NDCG by list length from the same lists: repeat finds the item second, popularity at 5-8
    by_k = report["data"]["ndcg_by_k"]
    assert by_k["model"] == {"1": 1.0, "3": 1.0, "5": 1.0, "10": 1.0}
    assert by_k["repeat"] == {"1": 0.0, "3": 0.6309, "5": 0.6309, "10": 0.6309}
    assert by_k["popularity"] == {"1": 0.0, "3": 0.0, "5": round(1 / math.log2(6) / 4, 4),
                                  "10": expected()["popularity"]["ndcg_at_10"]}


def test_command_prints_one_json_object_and_progress_on_stderr(tmp_path):
    path = tmp_path / "tx.csv"
    history().to_csv(path, index=False)
    result = CliRunner().invoke(reco_app, ["evaluate", str(path), "--k", "10", "--no-negative-control"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"model", "repeat", "popularity"} <= set(report)
    assert report["repeat"]["ndcg_at_10"] == pytest.approx(0.6309, abs=1e-4)
    assert report["model"]["ndcg_at_10"] == pytest.approx(1.0)
    assert "held-out orders" in result.stderr and "held-out orders" not in result.stdout


@pytest.mark.parametrize(("content", "message"), [
    ("customer_id,item_id,order_id\na,x,1\n", "missing column(s): ordered_at"),
    ("customer_id,item_id,order_id,ordered_at\na,,1,2025-01-01\n", "empty id"),
    ("customer_id,item_id,order_id,ordered_at\na,x,1,yesterday\n", "unreadable ordered_at"),
    ("customer_id,item_id,order_id,ordered_at\n", "holds no transactions"),
])
def test_bad_input_exits_2_with_a_message(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(reco_app, ["evaluate", str(path), "--quiet"])
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_file_exits_2(tmp_path):
    assert CliRunner().invoke(reco_app, ["evaluate", str(tmp_path / "none.csv")]).exit_code == 2


def test_one_order_is_one_basket_of_one_customer():
    frame = pd.DataFrame({"customer_id": ["a", "b", "a"], "item_id": ["x", "y", "x"], "order_id": ["1", "1", "1"],
                          "ordered_at": ["2025-01-01", "2025-01-02", "2025-01-01"]})
    tx = normalise(frame)
    assert list(tx["customer_id"]) == ["a", "a"] and sorted(tx["item_id"]) == ["x", "y"]
    with pytest.raises(TransactionsError):
        normalise(frame.drop(columns="item_id"))
