"""The data steward's review loop: queue, must-link / cannot-link decisions, stable keys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.entity_resolution.cluster import cluster
from models.entity_resolution.review import decision_positions, latest_decisions, new_decision

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _log(*rows: tuple[str, str, str, int]) -> pd.DataFrame:
    return pd.DataFrame([new_decision(a, b, d, "steward1", now=T0 + dt.timedelta(minutes=m)) for a, b, d, m in rows])


def test_cannot_link_splits_a_chain_and_must_link_joins() -> None:
    pairs = np.array([[0, 1], [1, 2], [0, 2], [3, 4]])
    probs = np.array([0.95, 0.9, 0.8, 0.1])
    codes = np.array(["", "", "", "", ""], dtype=object)
    assert cluster(5, pairs, probs, codes).tolist() == [0, 0, 0, 3, 4]
    split = cluster(5, pairs, probs, codes, cannot_link=np.array([[0, 2]]))
    assert split[0] != split[2] and split[1] in (split[0], split[2])
    joined = cluster(5, pairs, probs, codes, must_link=np.array([[3, 4]]))
    assert joined.tolist() == [0, 0, 0, 3, 3]


def test_cannot_link_beats_a_shared_valid_code_must_link_never_joins_two_codes() -> None:
    codes = np.array(["C1", "C1", "C2"], dtype=object)
    none = np.empty((0, 2), dtype=np.int64)
    assert cluster(3, none, np.empty(0), codes, cannot_link=np.array([[0, 1]])).tolist() == [0, 1, 2]
    assert cluster(3, none, np.empty(0), codes, must_link=np.array([[1, 2]])).tolist() == [0, 0, 2]


def test_latest_decision_per_pair_wins_and_bad_input_is_refused() -> None:
    log = _log(("b", "a", "must_link", 0), ("a", "b", "cannot_link", 5), ("c", "d", "must_link", 1))
    d = latest_decisions(log)
    assert d[["left_record_id", "right_record_id", "decision"]].values.tolist() == [
        ["a", "b", "cannot_link"], ["c", "d", "must_link"]]
    must, cannot = decision_positions(np.array(["a", "b", "c", "x"]), log)
    assert must.tolist() == [] and cannot.tolist() == [[0, 1]]  # d is absent: skipped
    with pytest.raises(ValueError, match="one of"):
        new_decision("a", "b", "maybe", "s")
    with pytest.raises(ValueError, match="itself"):
        new_decision("a", "a", "must_link", "s")
    with pytest.raises(ValueError, match="decided_by"):
        new_decision("a", "b", "must_link", " ")


def _records() -> pd.DataFrame:
    return pd.DataFrame([
        ("COAL-1", "山西华阳煤业有限公司", "阳泉", "0353-7078812", "2025-01-01"),
        ("POWR-7", "华阳煤业（阳泉）有限责任公司", "阳泉市", "(0353)7078812", "2025-06-01"),
        ("CHEM-3", "Shanxi Huayang Coal Co., Ltd.", "Yangquan", "+86 353 7078812", "2024-01-01"),
        ("TRAD-1", "阳泉华阳矿业物资有限公司", "阳泉", "0353-6220011", "2024-02-01"),
        ("COAL-2", "内蒙古华阳煤业有限公司", "鄂尔多斯", "0477-8391025", "2024-03-01"),
    ], columns=["record_id", "name", "city", "phone", "updated_at"])


@pytest.mark.slow  # resolves three times with the session's small model
def test_decisions_split_merge_and_keys_stay_stable(small_model) -> None:
    from models.entity_resolution import resolve_suppliers

    def run(previous=None, decisions=None):
        res = resolve_suppliers(_records(), model=small_model, previous=previous, decisions=decisions)
        return res, res.source_records.set_index("record_id")["supplier_key"]

    first, key = run()
    assert key["COAL-1"] == key["POWR-7"] == key["CHEM-3"] != key["COAL-2"]
    crosswalk = first.source_records[["record_id", "supplier_key", "group_supplier_id"]]
    # the steward: the English record is another company; TRAD-1 (a trading arm) is the same
    log = _log(("CHEM-3", "COAL-1", "cannot_link", 0), ("CHEM-3", "POWR-7", "cannot_link", 0),
               ("TRAD-1", "COAL-1", "must_link", 1))
    second, key2 = run(crosswalk, log)
    assert key2["CHEM-3"] not in (key2["COAL-1"], key2["POWR-7"])
    assert key2["COAL-1"] == key2["POWR-7"] == key2["TRAD-1"] == key["COAL-1"]  # the key survives
    assert key2["COAL-2"] == key["COAL-2"]
    assert second.stats["must_link"] == 1 and second.stats["cannot_link"] == 2
    src = second.source_records.set_index("record_id")
    assert (src.loc["TRAD-1", "match_evidence"], src.loc["TRAD-1", "linked_record_id"]) == ("steward", "COAL-1")
    # a re-run with the same decisions (and the new crosswalk) changes nothing: it stays split
    third, key3 = run(second.source_records[["record_id", "supplier_key", "group_supplier_id"]], log)
    assert key3.sort_index().equals(key2.sort_index())
    gid2 = second.source_records.set_index("record_id")["group_supplier_id"]
    gid3 = third.source_records.set_index("record_id")["group_supplier_id"]
    assert gid3.sort_index().equals(gid2.sort_index())
    # decided pairs never come back to the queue
    queue = third.review_queue(low=0.0, high=1.01, decisions=log)
    got = set(zip(queue["left_record_id"], queue["right_record_id"], strict=True))
    assert ("CHEM-3", "COAL-1") not in got and ("COAL-1", "TRAD-1") not in got


def test_review_queue_band_order_and_columns() -> None:
    from models.entity_resolution.review import QUEUE_COLUMNS, review_queue

    pairs = pd.DataFrame({"left": ["a", "b", "a", "c"], "right": ["b", "c", "c", "d"],
                          "probability": [0.52, 0.4, 0.9, 0.63]})
    src = pd.DataFrame({"record_id": list("abcd"), "name": ["A", "B", "C", "D"],
                        "supplier_key": ["K1", "K1", "K2", "K3"]})
    q = review_queue(pairs, src, low=0.35, high=0.65, limit=10, decisions=_log(("d", "c", "cannot_link", 0)))
    assert list(q.columns) == list(QUEUE_COLUMNS)
    assert q[["left_record_id", "right_record_id"]].values.tolist() == [["a", "b"], ["b", "c"]]
    assert q["same_supplier"].tolist() == [True, False]
    assert len(review_queue(pairs, src, low=0.35, high=0.65, limit=1)) == 1


def test_decided_pairs_become_labels() -> None:
    from models.entity_resolution.resolve import _decided_rows

    pairs = np.array([[0, 1], [0, 2], [1, 2], [2, 3]])
    idx, y = _decided_rows(pairs, np.array([[2, 3]]), np.array([[0, 2]]), 4)
    assert idx.tolist() == [1, 3] and y.tolist() == [0.0, 1.0]
    idx, y = _decided_rows(pairs, np.empty((0, 2), dtype=np.int64), np.empty((0, 2), dtype=np.int64), 4)
    assert idx.tolist() == [] and y.tolist() == []
