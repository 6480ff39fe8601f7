"""Candidate pairs whose number grows near-linearly with the number of records.

Comparing every pair of 100,000 records is 5·10⁹ comparisons; instead each record gets a
few *keys*, and only records that share a key and sit close together in that key's sort
order are compared (a sorted neighbourhood inside each key). A key block of at most
``window + 1`` records yields all its pairs; a larger block (a very common brand such as
恒达, a switchboard phone shared by a whole group) yields only pairs within ``window``
ranks of each other in a secondary order, so no block can blow up: the cost is
O(records × Σ windows).

Keys: valid credit code, any other non-placeholder code, phone, bank account, brand key
(pinyin/folded, so a Chinese name meets its pinyin twin and its homophones), the brand key
without a leading province abbreviation, the brand's syllables sorted (swapped
characters), and plain sorted neighbourhoods over brand and core keys (typos).
"""

from __future__ import annotations

import numpy as np

from models.entity_resolution.hanzi import pinyin_syllables
from models.entity_resolution.records import Prepared

#: (pass name, window) — the window is the cap on ranks compared inside one key block.
PASSES = (
    ("uscc", 40), ("code", 10), ("phone", 12), ("bank", 12), ("brand", 25), ("brand_alt", 15),
    ("syllables", 10), ("sn_brand", 4), ("sn_brand_rev", 3), ("sn_core", 4),
)


def window_pairs(keys: np.ndarray, order_key: np.ndarray, window: int) -> np.ndarray:
    """Pairs of rows with equal non-empty ``keys`` at most ``window`` apart in sort order.

    Args:
        keys: block key per row (``""`` = no key).
        order_key: secondary sort key inside a block.
        window: maximum rank distance.

    Returns:
        int64 array of shape (k, 2), each row ``(i, j)`` with ``i < j``.

    Example:
        >>> window_pairs(np.array(["a", "a", "b", "a"], dtype=object),
        ...              np.array(["1", "2", "3", "4"], dtype=object), 1).tolist()
        [[0, 1], [1, 3]]
    """
    rows = np.flatnonzero(keys != "")
    if len(rows) < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = rows[np.lexsort((order_key[rows].astype(str), keys[rows].astype(str)))]
    k = keys[order]
    out = []
    for d in range(1, min(window, len(order) - 1) + 1):
        same = k[:-d] == k[d:]
        if not same.any():
            break
        a, b = order[:-d][same], order[d:][same]
        out.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(out).astype(np.int64)


def _syllables(parts) -> np.ndarray:
    out = []
    cache: dict[tuple[str, str, str], str] = {}
    for p in parts:
        key = (p.brand_key, p.brand, p.script)
        if key not in cache:
            if p.brand_key.startswith(("#", "@")) or not p.brand:
                cache[key] = ""
            elif p.script == "cjk":
                cache[key] = " ".join(sorted(pinyin_syllables(p.brand)))
            else:
                cache[key] = " ".join(sorted(p.brand.split()))
        out.append(cache[key])
    return np.array(out, dtype=object)


def block_keys(prep: Prepared) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(key, secondary order) arrays per pass, see :data:`PASSES`."""
    brand = prep.column("brand_key")
    alt = prep.column("alt_brand_key")
    core = prep.column("core_key")
    city = prep.city.astype(str)
    generic = np.array([b.startswith(("#", "@")) for b in brand])
    # generic brands (上海电气 → #electric) only block together within a region
    regions = np.array([",".join(sorted(p.regions)) for p in prep.parts], dtype=object)
    brand_block = np.where(generic, brand + "|" + regions + "|" + city, brand)
    empty = np.full(len(prep), "", dtype=object)
    const = np.full(len(prep), "*", dtype=object)
    valid_code = np.where(prep.uscc_valid, prep.uscc, "")
    other_code = np.where(prep.uscc_valid, "", prep.uscc_evidence)
    sort_city = brand + "|" + city
    return {
        "uscc": (valid_code, sort_city),
        "code": (other_code, sort_city),
        "phone": (prep.phone, sort_city),
        "bank": (prep.bank, sort_city),
        "brand": (np.where(np.char.str_len(brand.astype(str)) >= 2, brand_block, empty),
                  city + "|" + core),
        "brand_alt": (np.where(alt != "", alt, empty), city),
        "syllables": (_syllables(prep.parts), city),
        "sn_brand": (const, brand + "|" + city),
        "sn_brand_rev": (const, np.array([b[::-1] for b in brand], dtype=object)),
        "sn_core": (const, core + "|" + city),
    }


def candidate_pairs(prep: Prepared, passes: tuple[tuple[str, int], ...] = PASSES) -> np.ndarray:
    """All candidate pairs (deduplicated, sorted), shape (k, 2) with ``i < j``.

    Example:
        >>> import pandas as pd
        >>> from models.entity_resolution.records import prepare
        >>> prep = prepare(pd.DataFrame({"record_id": ["1", "2", "3"],
        ...     "name": ["山西华阳煤业有限公司", "Shanxi Huayang Coal Co., Ltd.", "大同恒达建材有限公司"]}))
        >>> candidate_pairs(prep).tolist()[:1]
        [[0, 1]]
    """
    keys = block_keys(prep)
    n = len(prep)
    chunks = []
    for name, window in passes:
        key, order = keys[name]
        pairs = window_pairs(key, order, window)
        if name == "brand_alt":  # the abbreviation-less key also meets plain brand keys
            brand = prep.column("brand_key")
            both = np.concatenate([key, np.where(key != "", "", brand)])
            rows = window_pairs(both, np.concatenate([order, order]), window)
            rows = rows % n
            rows = rows[rows[:, 0] != rows[:, 1]]
            pairs = np.concatenate([pairs, np.sort(rows, axis=1)])
        chunks.append(pairs)
    allp = np.concatenate(chunks) if chunks else np.empty((0, 2), dtype=np.int64)
    code = np.unique(allp[:, 0] * n + allp[:, 1])
    return np.stack([code // n, code % n], axis=1)
