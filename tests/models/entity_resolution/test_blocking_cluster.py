"""Blocking finds the pairs that matter; clustering refuses chains and code conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.entity_resolution.blocking import candidate_pairs, window_pairs
from models.entity_resolution.cluster import cluster, unscored_pairs
from models.entity_resolution.records import prepare
from models.entity_resolution.uscc import make_uscc

NAMES = [
    ("a1", "山西华阳煤业有限公司"), ("a2", "Shanxi Huayang Coal Co., Ltd."), ("a3", "晋华阳煤业有限公司"),
    ("a4", "山西华扬煤业有限公司"), ("b1", "太原市恒达建材有限公司"), ("b2", "恒达建材（太原）有限公司"),
    ("c1", "Würth Elektronik GmbH & Co. KG"), ("c2", "Wuerth Elektronik GmbH & Co KG"),
    ("d1", "平顶山天安煤业股份有限公司"), ("d2", "平顶山安天煤业股份有限公司"),
]


def test_blocking_recall_on_variants() -> None:
    prep = prepare(pd.DataFrame(NAMES, columns=["record_id", "name"]))
    got = {tuple(sorted((NAMES[i][0], NAMES[j][0]))) for i, j in candidate_pairs(prep)}
    must = {("a1", "a2"), ("a1", "a3"), ("a1", "a4"), ("a2", "a3"), ("b1", "b2"), ("c1", "c2"), ("d1", "d2")}
    assert must <= got
    assert len(got) < len(NAMES) * (len(NAMES) - 1) // 2  # not all pairs


def test_big_blocks_are_capped_by_the_window() -> None:
    keys = np.array(["k"] * 100, dtype=object)
    pairs = window_pairs(keys, np.array([f"{i:03d}" for i in range(100)], dtype=object), 3)
    assert len(pairs) == 99 + 98 + 97


def test_average_linkage_refuses_a_chain() -> None:
    pairs = np.array([[0, 1], [1, 2], [0, 2]])
    probs = np.array([0.97, 0.96, 0.02])
    labels = cluster(3, pairs, probs, np.array(["", "", ""], dtype=object))
    assert labels.tolist() == [0, 0, 2]


def test_two_valid_codes_never_share_a_cluster_and_one_code_always_does() -> None:
    u1, u2 = make_uscc("91140105", "MA0GRX1K"), make_uscc("91140213", "MA0L2E7C")
    codes = np.array([u1, u2, "", u1], dtype=object)
    pairs = np.array([[0, 1], [1, 2], [0, 2]])
    labels = cluster(4, pairs, np.array([0.99, 0.99, 0.99]), codes)
    assert labels[0] != labels[1]
    assert labels[0] == labels[3]  # must-link without any scored pair


def test_unscored_pairs_inside_clusters() -> None:
    labels = np.array([0, 0, 0, 3])
    extra = unscored_pairs(labels, np.array([[0, 1], [1, 2]]))
    assert extra.tolist() == [[0, 2]]
