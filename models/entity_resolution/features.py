"""Pairwise evidence for candidate pairs, computed column-wise with rapidfuzz.

Brand, industry, region and legal form are *separate* features (a shared brand in another
region or industry is a different company unless other evidence says otherwise); phone,
bank account, address and city are contact evidence. Missing evidence is NaN, never 0, so
the model can tell "unknown" from "different".

The valid-code relation is not a feature: a valid shared code is decisive and two valid
different codes can never be one company (see :mod:`cluster`), and the model is trained on
pairs that valid codes label, so a code feature would leak the label. Codes that are not
both valid (typos, old registration numbers) are evidence (``code_rel``).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from models.entity_resolution.records import Prepared
from models.entity_resolution.regions import COUNTY_PARENT, province_of

FEATURES = (
    "brand_ratio", "brand_partial", "brand_len", "brand_cjk_ratio", "brand_generic",
    "core_ratio", "full_ratio", "industry_jaccard", "industry_conflict", "industry_text_ratio",
    "region_rel", "name_region_rel", "legal_eq", "group_xor", "branch_rel", "number_rel",
    "cross_script", "phone_eq", "bank_eq", "address_ratio", "city_text_ratio", "code_rel",
)
#: monotonic constraint per feature for the gradient-boosted model (+1 more ⇒ more likely).
MONOTONIC = {
    "brand_ratio": 1, "brand_cjk_ratio": 1, "core_ratio": 1, "full_ratio": 1,
    "industry_jaccard": 1, "industry_conflict": -1, "region_rel": 1, "name_region_rel": 1,
    "number_rel": 1, "phone_eq": 1, "bank_eq": 1, "address_ratio": 1, "city_text_ratio": 1,
    "code_rel": 1, "industry_text_ratio": 1, "branch_rel": 1,
}
_WORKERS = 1
ABROAD = "X:ABROAD"  # somewhere outside China, country unknown


def _ratio(a: np.ndarray, b: np.ndarray, scorer=fuzz.ratio) -> np.ndarray:
    if len(a) == 0:
        return np.empty(0, dtype=np.float32)
    return cpdist(list(a), list(b), scorer=scorer, workers=_WORKERS, dtype=np.float32) / 100.0


def _record_location(prep: Prepared) -> tuple[list, list]:
    """Per record: (cities, provinces, countries, macros) from the name and from the city column."""
    name_loc, all_loc = [], []
    for p, city in zip(prep.parts, prep.city, strict=True):
        ids = p.regions
        name_loc.append(_split_ids(ids))
        if city and ":" in city:
            ids = ids | {city}
        elif city and p.script == "latin" and not ids:
            ids = frozenset({ABROAD})  # a Latin name with a city that is no Chinese place: a foreign company
        all_loc.append(_split_ids(ids))
    return name_loc, all_loc


@functools.lru_cache(maxsize=100_000)
def _split_ids(ids: frozenset[str]) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    cities = frozenset(i for i in ids if i.startswith("C:"))
    cities = cities | {f"C:{COUNTY_PARENT[c[2:]]}" for c in cities if c[2:] in COUNTY_PARENT}
    provinces = frozenset(filter(None, (province_of(i) for i in ids)))
    countries = frozenset(i for i in ids if i.startswith("X:"))
    if provinces:
        countries = countries | {"X:CN"}
    macros = frozenset(i for i in ids if i.startswith("M:"))
    return cities, provinces, countries, macros


def _relation(a: tuple, b: tuple) -> int:
    """2 same city, 1 same province, 0 unknown, -1 conflict."""
    ca, pa, xa, ma = a
    cb, pb, xb, mb = b
    if (ABROAD in xa and "X:CN" in xb) or (ABROAD in xb and "X:CN" in xa):
        return -1
    xa, xb = xa - {ABROAD}, xb - {ABROAD}
    if xa and xb and not (xa & xb):
        return -1
    if ma and mb and not (ma & mb):
        return -1
    if ca and cb:
        return 2 if ca & cb else -1
    if pa and pb:
        return 1 if pa & pb else -1
    return 0


def _relations(loc: list, alt_loc: list, i: np.ndarray, j: np.ndarray,
               use_alt_i: np.ndarray, use_alt_j: np.ndarray) -> np.ndarray:
    """:func:`_relation` per pair, computed once per distinct pair of locations."""
    ids: dict[tuple, int] = {}
    base = np.array([ids.setdefault(x, len(ids)) for x in loc], dtype=np.int64)
    alt = np.array([ids.setdefault(x, len(ids)) for x in alt_loc], dtype=np.int64)
    a = np.where(use_alt_i, alt[i], base[i])
    b = np.where(use_alt_j, alt[j], base[j])
    table = list(ids)
    m = len(table)
    code, inverse = np.unique(a * m + b, return_inverse=True)
    values = np.array([_relation(table[c // m], table[c % m]) for c in code], dtype=np.float32)
    return values[inverse]


def pair_features(prep: Prepared, pairs: np.ndarray, *, mask_valid_codes: bool = False) -> pd.DataFrame:
    """Feature table for ``pairs`` (rows of record positions), columns :data:`FEATURES`.

    Args:
        prep: prepared records.
        pairs: int array (k, 2).
        mask_valid_codes: set ``code_rel`` to 0 for pairs whose codes are both valid (used
            when such pairs are training examples labelled by those codes).
    """
    i, j = pairs[:, 0], pairs[:, 1]
    col = {name: prep.column(name) for name in
           ("brand_key", "alt_brand_key", "alt_regions", "brand", "script", "core_key", "legal",
            "group", "branch", "industry", "industry_text", "regions", "numbers", "display")}
    bk, alt = col["brand_key"], col["alt_brand_key"]
    alt_or = np.where(alt != "", alt, bk)
    combos = [(bk[i], bk[j]), (alt_or[i], bk[j]), (bk[i], alt_or[j]), (alt_or[i], alt_or[j])]
    scores = np.stack([_ratio(a, b) for a, b in combos])
    best = scores.argmax(axis=0)
    f: dict[str, np.ndarray] = {"brand_ratio": scores.max(axis=0)}
    left_alt, right_alt = np.isin(best, (1, 3)), np.isin(best, (2, 3))  # combos[best] uses alt_or
    left = np.where(left_alt, alt_or[i], bk[i])
    right = np.where(right_alt, alt_or[j], bk[j])
    f["brand_partial"] = _ratio(left, right, fuzz.partial_ratio)
    key_len = {k: np.array([len(x) for x in v]) for k, v in (("bk", bk), ("alt", alt_or))}
    f["brand_len"] = np.minimum(np.where(left_alt, key_len["alt"][i], key_len["bk"][i]),
                                np.where(right_alt, key_len["alt"][j], key_len["bk"][j]))
    gen = {k: np.array([x.startswith(("#", "@")) for x in v]) for k, v in (("bk", bk), ("alt", alt_or))}
    generic_l = np.where(left_alt, gen["alt"][i], gen["bk"][i])
    generic_r = np.where(right_alt, gen["alt"][j], gen["bk"][j])
    f["brand_generic"] = (generic_l | generic_r).astype(np.float32)
    script = col["script"]
    same_cjk = (script[i] == "cjk") & (script[j] == "cjk")
    cjk_ratio = _ratio(col["brand"][i], col["brand"][j])
    f["brand_cjk_ratio"] = np.where(same_cjk, cjk_ratio, np.nan)
    f["core_ratio"] = _ratio(col["core_key"][i], col["core_key"][j])
    disp = np.array([d.lower().replace(" ", "") for d in col["display"]], dtype=object)
    same_script = script[i] == script[j]
    f["full_ratio"] = np.where(same_script, _ratio(disp[i], disp[j]), np.nan)
    inter, union, both_ind = _set_overlap(col["industry"], i, j)
    f["industry_jaccard"] = np.where(both_ind, inter / np.maximum(union, 1), np.nan)
    f["industry_conflict"] = (both_ind & (inter == 0)).astype(np.float32)
    it = col["industry_text"]
    has_it = (it[i] != "") & (it[j] != "") & same_script
    f["industry_text_ratio"] = np.where(has_it, _ratio(it[i], it[j]), np.nan)
    name_loc, all_loc = _record_location(prep)
    alt_reg = col["alt_regions"]
    use_alt_i = left_alt & (alt[i] != "")
    use_alt_j = right_alt & (alt[j] != "")
    alt_name = [_split_ids(r) for r in alt_reg]
    alt_all = [_split_ids(r | {c} if ":" in c else r) for r, c in zip(alt_reg, prep.city, strict=True)]
    rel_all = _relations(all_loc, alt_all, i, j, use_alt_i, use_alt_j)
    rel_name = _relations(name_loc, alt_name, i, j, use_alt_i, use_alt_j)
    f["region_rel"], f["name_region_rel"] = rel_all, rel_name
    legal = col["legal"]
    has_legal = (legal[i] != "") & (legal[j] != "") & same_script  # forms differ by language
    f["legal_eq"] = np.where(has_legal, (legal[i] == legal[j]).astype(np.float32), np.nan)
    f["group_xor"] = (col["group"][i] != col["group"][j]).astype(np.float32)
    br = col["branch"]
    bi, bj = br[i] != "", br[j] != ""
    f["branch_rel"] = np.select([bi & bj & (br[i] == br[j]), bi & bj, bi ^ bj], [1, -1, -2], 0).astype(np.float32)
    n_inter, n_union, both_num = _set_overlap(col["numbers"], i, j)
    f["number_rel"] = np.where(both_num, np.where(n_inter == n_union, 1.0, -1.0), 0.0).astype(np.float32)
    f["cross_script"] = (~same_script).astype(np.float32)
    f["phone_eq"] = _phone_relation(prep, i, j)
    f["bank_eq"] = _blank_shared(_equal_or_nan(prep.bank, i, j), prep.bank_shared, i, j)
    addr = prep.address
    has_addr = (addr[i] != "") & (addr[j] != "")
    f["address_ratio"] = np.where(has_addr, _ratio(addr[i], addr[j], fuzz.token_set_ratio), np.nan)
    city = prep.city
    text_ok = np.array([bool(c) and ":" not in c for c in city], dtype=bool)
    text_city = text_ok[i] & text_ok[j]
    f["city_text_ratio"] = np.where(text_city, _ratio(city[i], city[j], fuzz.token_set_ratio), np.nan)
    f["code_rel"] = _code_relation(prep, i, j, mask_valid_codes)
    return pd.DataFrame({name: np.asarray(f[name], dtype=np.float32) for name in FEATURES})


def _set_overlap(sets: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """|A∩B|, |A∪B| and "both non-empty" per pair, computed per distinct pair of sets."""
    ids: dict[frozenset, int] = {}
    code = np.array([ids.setdefault(x, len(ids)) for x in sets], dtype=np.int64)
    table = list(ids)
    m = len(table)
    uniq, inverse = np.unique(code[i] * m + code[j], return_inverse=True)
    stats = np.array([(len(table[c // m] & table[c % m]), len(table[c // m] | table[c % m]),
                       bool(table[c // m]) and bool(table[c % m])) for c in uniq], dtype=np.float32).reshape(-1, 3)
    return stats[inverse, 0], stats[inverse, 1], stats[inverse, 2].astype(bool)


def _equal_or_nan(values: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    has = (values[i] != "") & (values[j] != "")
    return np.where(has, (values[i] == values[j]).astype(np.float32), np.nan)


def _blank_shared(values: np.ndarray, shared: np.ndarray | None, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """NaN (no evidence) where either record's contact is shared by many brands."""
    if shared is None:
        return values
    return np.where(shared[i] | shared[j], np.nan, values).astype(np.float32)


def _phone_relation(prep: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """1 same phone (a number typed without its area code meets the full one), 0 different,
    NaN missing, shared by many brands (an agent's number) or another line of the same
    switchboard block (same length, only the last two digits differ: no evidence either way)."""
    phone = prep.phone
    out = _equal_or_nan(phone, i, j)
    local = prep.phone_local
    if local is not None:
        bare_i = (phone[i] == local[i]) & (phone[j] != local[j])  # one side without area code
        bare_j = (phone[j] == local[j]) & (phone[i] != local[i])
        meet = (bare_i | bare_j) & (local[i] == local[j]) & (phone[i] != "") & (phone[j] != "")
        out = np.where(meet, 1.0, out).astype(np.float32)
    same_block = (out == 0) & (np.char.str_len(phone[i].astype(str)) == np.char.str_len(phone[j].astype(str)))
    same_block &= np.array([a[:-2] == b[:-2] and len(a) >= 9 for a, b in zip(phone[i], phone[j])], dtype=bool) \
        if len(i) else np.zeros(0, dtype=bool)
    out = np.where(same_block, np.nan, out).astype(np.float32)
    return _blank_shared(out, prep.phone_shared, i, j)


def _code_relation(prep: Prepared, i: np.ndarray, j: np.ndarray, mask_valid: bool) -> np.ndarray:
    """+1 same or near (≤ 2 edits) non-placeholder codes, -1 clearly different, 0 unknown.

    Pairs whose codes are both valid get 0 here: they are decided by the codes themselves.
    """
    code = prep.uscc_evidence
    shaped = np.array([17 <= len(c) <= 19 for c in code])  # only USCC-shaped codes compare
    has = shaped[i] & shaped[j]
    both_valid = prep.uscc_valid[i] & prep.uscc_valid[j]
    out = np.zeros(len(i), dtype=np.float32)
    idx = np.flatnonzero(has & ~both_valid)
    if len(idx):
        d = cpdist(list(code[i[idx]]), list(code[j[idx]]), scorer=Levenshtein.distance, workers=_WORKERS)
        out[idx] = np.where(d <= 2, 1.0, -1.0)
    if not mask_valid:
        return out
    out[both_valid] = 0.0
    return out
