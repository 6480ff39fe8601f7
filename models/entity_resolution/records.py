"""Prepare a table of supplier records for matching: parse names once, normalise contacts.

Every later step (blocking, features, golden records) works on the column arrays built
here, so the expensive work (name parsing, pinyin) runs once per *unique* name, and phone,
bank account, city and address are reduced to comparable keys:

- phone: digits only, country code 86 dropped, a trunk ``0`` restored on Chinese area codes
  (``+86 351 7078812`` = ``(0351)7078812`` = ``0351-7078812``);
- bank account: digits only (bank names typed into the field are dropped), ≥ 8 digits;
- city: a region id when the city is Chinese (太原, 太原市, Taiyuan → ``C:太原``), else the
  folded Latin text (``munchen``);
- address: width-folded, punctuation-free, province/city prefixes removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from infra.uscc import is_valid_uscc, normalise_uscc
from models.entity_resolution.hanzi import to_simplified
from models.entity_resolution.normalise import NameParts, _fold_latin, parse_name
from models.entity_resolution.regions import tables
from models.entity_resolution.uscc import is_placeholder

REQUIRED_COLUMNS = ("record_id", "name")
OPTIONAL_COLUMNS = ("uscc", "city", "phone", "address", "bank_account", "business_unit",
                    "source_system", "updated_at")


def normalise_phone(raw: object) -> str:
    """Comparable phone key (digits), ``""`` when fewer than 7 digits.

    Example:
        >>> normalise_phone("+86 351 707 8812"), normalise_phone("(0351)7078812")
        ('03517078812', '03517078812')
    """
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    digits = re.sub(r"\D", "", text)
    cn = False
    if digits.startswith("0086"):
        digits, cn = digits[4:], True
    elif digits.startswith("86") and len(digits) >= 12:
        digits, cn = digits[2:], True
    if cn and not digits.startswith("0") and not (digits.startswith("1") and len(digits) == 11):
        digits = "0" + digits  # trunk prefix of a Chinese area code
    elif not cn and not text.startswith("+") and len(digits) in (9, 10) and digits[0] in "23456789":
        digits = "0" + digits
    return digits if len(digits) >= 7 else ""


def phone_local(key: str) -> str:
    """The subscriber number of a phone key: a Chinese landline without its area code.

    ``010``/``02x`` area codes have 3 digits, other ``0…`` codes 4; mobiles (``1…``, 11 digits)
    and numbers typed without an area code are their own local number.

    Example:
        >>> phone_local("073122881234"), phone_local("02885123456"), phone_local("22881234")
        ('22881234', '85123456', '22881234')
    """
    if key.startswith(("010", "02")):
        return key[3:]
    if key.startswith("0"):
        return key[4:]
    return key


#: a phone or bank account written on records of this many different brands is an agent's,
#: a factoring company's or a switchboard's: it says nothing about identity.
SHARED_CONTACT_BRANDS = 3


def shared_contacts(values: np.ndarray, brand_keys: np.ndarray, limit: int = SHARED_CONTACT_BRANDS) -> np.ndarray:
    """True where a non-empty contact value appears on records of ≥ ``limit`` distinct brands.

    Like the u-probability of Fellegi–Sunter: a value that many unrelated names share is
    weak evidence, so the matcher treats it as missing.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    t = pd.DataFrame({"v": values, "b": brand_keys})
    t = t[(t["v"] != "") & ~t["b"].str.startswith(("#", "@"))]  # generic names carry no brand
    brands = t.groupby("v")["b"].nunique()
    candidates = brands.index[brands >= limit]
    shared = {v for v in candidates if _distinct_brands(t.loc[t["v"] == v, "b"].unique()) >= limit}
    return np.array([v in shared for v in values], dtype=bool)


def _distinct_brands(keys: np.ndarray) -> int:
    """How many mutually dissimilar brand keys (one inside another, or ≥ 80 % alike, count once)."""
    from rapidfuzz import fuzz

    kept: list[str] = []
    for k in sorted(keys, key=len):
        if not any(c in k or fuzz.ratio(c, k) >= 80 for c in kept):
            kept.append(k)
    return len(kept)


def normalise_bank(raw: object) -> str:
    """Digits of a bank account number (``""`` when fewer than 8)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(raw or "")))
    return digits if len(digits) >= 8 else ""


def normalise_city(raw: object) -> str:
    """A region id for Chinese cities/provinces (any script), else folded Latin text."""
    text = to_simplified(unicodedata.normalize("NFKC", str(raw or "")).strip())
    if not text:
        return ""
    t = tables()
    base = re.sub(r"(市|地区|盟|省|自治州)$", "", text)
    if base in t["cn"]:
        return t["cn"][base]
    low = re.sub(r"[^a-z0-9]+", " ", _fold_latin(text)).strip()
    for cand in (low, low.replace(" ", ""), low.split(" ")[0] if low else ""):
        if cand in t["latin"]:
            return t["latin"][cand]
    return low or text


def normalise_address(raw: object) -> str:
    """Address without punctuation and without leading province/city names."""
    text = unicodedata.normalize("NFKC", str(raw or "")).lower()
    text = re.sub(r"[^0-9a-z\u3400-\u9fff]", "", text)
    t = tables()
    for _ in range(3):
        m = re.match(r"^([\u3400-\u9fff]{2,4}?)(省|市|自治区)", text)
        if m and m.group(1) in t["cn"]:
            text = text[m.end():]
            continue
        break
    return text


@dataclass
class Prepared:
    """Column arrays of the records being matched (row order = input order)."""

    frame: pd.DataFrame  # the input, with missing optional columns added as ""
    parts: list[NameParts]  # one per record
    uscc: np.ndarray  # cleaned code text
    uscc_valid: np.ndarray  # bool
    uscc_evidence: np.ndarray  # cleaned non-placeholder code (valid or not), "" otherwise
    phone: np.ndarray
    bank: np.ndarray
    city: np.ndarray
    address: np.ndarray
    phone_local: np.ndarray | None = None  # subscriber number without area code
    phone_shared: np.ndarray | None = None  # bool: phone on records of many brands (agents)
    bank_shared: np.ndarray | None = None  # bool: account on records of many brands (factoring)

    def __len__(self) -> int:
        return len(self.parts)

    def column(self, attr: str) -> np.ndarray:
        """A NameParts attribute for every record, as an object array."""
        return np.array([getattr(p, attr) for p in self.parts], dtype=object)


def _mapped(values: pd.Series, fn) -> np.ndarray:
    uniques = pd.unique(values)
    lookup = {u: fn(u) for u in uniques}
    return np.array([lookup[v] for v in values], dtype=object)


def prepare(records: pd.DataFrame, progress=None) -> Prepared:
    """Validate columns and normalise every record.

    Args:
        records: at least ``record_id`` and ``name``; optional ``uscc, city, phone,
            address, bank_account, business_unit, source_system, updated_at``.
        progress: optional callable ``(stage: str, done: int, total: int)``.

    Raises:
        ValueError: a required column is missing or ``record_id`` is not unique.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"missing required column(s): {', '.join(missing)}")
    frame = records.copy()
    for col in OPTIONAL_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    for col in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        frame[col] = frame[col].astype("string").fillna("").astype(object)
    if frame["record_id"].duplicated().any():
        dup = frame.loc[frame["record_id"].duplicated(), "record_id"].iloc[0]
        raise ValueError(f"record_id is not unique (e.g. {dup!r})")
    frame = frame.reset_index(drop=True)
    names = frame["name"]
    uniques = pd.unique(names)
    lookup: dict[str, NameParts] = {}
    step = max(1, len(uniques) // 50)
    for i, name in enumerate(uniques):
        lookup[name] = parse_name(name)
        if progress is not None and i % step == 0:
            progress("normalise", i, len(uniques))
    if progress is not None:
        progress("normalise", len(uniques), len(uniques))
    parts = [lookup[n] for n in names]
    uscc = _mapped(frame["uscc"], normalise_uscc)
    valid_lookup = {u: is_valid_uscc(u) for u in pd.unique(uscc)}
    uscc_valid = np.array([valid_lookup[u] for u in uscc], dtype=bool)
    evidence = np.array([u if u and not is_placeholder(u) else "" for u in uscc], dtype=object)
    phone = _mapped(frame["phone"], normalise_phone)
    bank = _mapped(frame["bank_account"], normalise_bank)
    brand_keys = np.array([p.brand_key for p in parts], dtype=object)
    return Prepared(
        frame=frame, parts=parts, uscc=uscc, uscc_valid=uscc_valid, uscc_evidence=evidence,
        phone=phone, bank=bank,
        city=_mapped(frame["city"], normalise_city),
        address=_mapped(frame["address"], normalise_address),
        phone_local=_mapped(pd.Series(phone), phone_local),
        phone_shared=shared_contacts(phone, brand_keys),
        bank_shared=shared_contacts(bank, brand_keys),
    )
