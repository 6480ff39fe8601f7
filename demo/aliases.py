"""How one company ends up as several differently-written vendor records.

Each business unit of the group runs its own ERP and keyed its suppliers in by hand, so
the same company appears with its legal form swapped, its region dropped or put in
brackets, a homophone typo, an English name, a missing or mistyped credit code, a phone
number in another format … :data:`VARIANT_TYPES` lists every variant type; each record's
ground truth names the variants applied to it, so matching quality can be measured per
variant type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.company_model import (
    SECTOR_UNITS,
    Company,
    group_digits,
    render_address,
    render_english,
    render_name,
    render_phone,
)
from demo.lexicon import (
    FOREIGN_LEGAL_SWAPS,
    HOMOPHONES,
    LEGAL_FORM_SWAPS,
    TRANSLITERATIONS,
)
from demo.rng import substream
from demo.uscc import mistype_uscc

#: Every alias variant type, in the order they are listed in a record's ground truth.
VARIANT_TYPES: tuple[str, ...] = (
    "legal_form_swap",            # 有限公司 ↔ 有限责任公司 / 股份公司 / 集团; GmbH ↔ G.m.b.H.
    "region_dropped",             # 山西华阳煤业有限公司 → 华阳煤业有限公司
    "region_added",               # 华阳煤业有限公司 → 山西华阳煤业有限公司, 山西 → 山西太原
    "bracketed_region",           # 华阳煤业（山西）有限公司 (full-width brackets)
    "bracketed_region_halfwidth", # 华阳煤业(山西)有限公司
    "province_abbreviation",      # 晋华阳煤业有限公司
    "width_variant",              # full-/half-width characters (brackets, digits, Latin letters)
    "spacing_punctuation",        # extra spaces, trailing 。/., missing space after a comma
    "homophone_typo",             # 华阳 → 华扬 (同音字)
    "pinyin_english",             # Shanxi Huayang Coal Co., Ltd.
    "case_variant",               # Latin name in upper case
    "transliteration",            # Müller → Mueller
    "missing_uscc",               # NULL, 无, /, -, or eighteen zeros
    "mistyped_uscc",              # one character off / swapped / O for 0: check char invalid
    "uscc_format",                # lower case, spaces or a dash inside the code
    "phone_format",               # +86 351 7654321, (0351)7654321, 0351 765 4321 …
    "address_abbreviation",       # province dropped, 高新技术产业开发区 → 高新区, 号 → #
    "bank_account_absent",        # no bank details on the record
    "bank_account_format",        # account number in groups of four
)
#: Variant weights for a *harder* evaluation set: the variants that defeat exact keys and
#: simple normalisation (typos, English names, missing or wrong credit codes) dominate.
HARD_VARIANT_WEIGHTS: dict[str, float] = {
    "homophone_typo": 0.16, "pinyin_english": 0.12, "missing_uscc": 0.16, "mistyped_uscc": 0.10,
    "region_dropped": 0.08, "bracketed_region": 0.05, "province_abbreviation": 0.05, "legal_form_swap": 0.08,
    "width_variant": 0.04, "spacing_punctuation": 0.04, "case_variant": 0.02, "transliteration": 0.02,
    "address_abbreviation": 0.04, "phone_format": 0.02, "bank_account_absent": 0.02,
}
_REGION_GROUP = {
    "region_dropped", "region_added", "bracketed_region", "bracketed_region_halfwidth",
    "province_abbreviation", "pinyin_english",
}
_EXCLUSIVE = (
    _REGION_GROUP,
    {"missing_uscc", "mistyped_uscc", "uscc_format"},
    {"bank_account_absent", "bank_account_format"},
    {"pinyin_english", "homophone_typo"},
    {"pinyin_english", "legal_form_swap"},
)

#: ERP-local vendor code format per business unit (each unit's ERP numbers its own way).
VENDOR_CODE_FORMATS = {
    "COAL": "00001{:05d}", "POWER": "GYS{:06d}", "CHEM": "2{:04d}", "BMAT": "02.{:05d}",
    "TRADE": "1000{:06d}", "MRO": "VEN{:05d}",
}


def applicable_variants(company: Company) -> set[str]:
    """Variant types that can visibly change a record of ``company``."""
    if company.foreign is not None:
        found = {"legal_form_swap", "case_variant", "spacing_punctuation", "width_variant",
                 "phone_format", "address_abbreviation", "bank_account_absent", "bank_account_format"}
        if any(ch in company.legal_name for ch in TRANSLITERATIONS):
            found.add("transliteration")
        return found
    found = set(VARIANT_TYPES) - {"case_variant", "transliteration"}
    kind, prov = company.region_kind, company.province
    assert prov is not None
    if kind == "none":
        found.discard("region_dropped")
    if kind == "province_city" or (prov.is_municipality and kind != "none"):
        found.discard("region_added")
    if kind == "city":
        found.discard("province_abbreviation")
    if not any(ch in HOMOPHONES for ch in company.brand):
        found.discard("homophone_typo")
    return found


def choose_variants(
    company: Company, rng: np.random.Generator, weights: dict[str, float], extra_prob: float
) -> list[str]:
    """Draw one or more compatible variant types for a non-canonical record."""
    pool = [v for v in VARIANT_TYPES if v in applicable_variants(company) and weights.get(v, 0) > 0]
    chosen: list[str] = []
    while pool:
        w = np.array([weights[v] for v in pool])
        pick = pool[int(rng.choice(len(pool), p=w / w.sum()))]
        chosen.append(pick)
        blocked = {pick}.union(*(g for g in _EXCLUSIVE if pick in g))
        pool = [v for v in pool if v not in blocked]
        if rng.random() >= extra_prob:
            break
    return [v for v in VARIANT_TYPES if v in chosen]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else ("\u3000" if c == " " else c)
                   for c in text)


def _spacing(name: str, rng: np.random.Generator, latin: bool) -> str:
    if latin:
        ops = [name.replace(", ", ",", 1) if ", " in name else name + ".",
               name.replace(" ", "  ", 1), f" {name} "]
    else:
        cut = max(name.rfind(s) for s in ("有限", "股份", "集团", "公司"))
        ops = [name[:cut] + " " + name[cut:] if cut > 0 else name + " ", f" {name}  ",
               name + "。", name.replace("（", " （").replace("(", " (") if "(" in name or "（" in name
               else name[:2] + " " + name[2:]]
    return ops[int(rng.integers(0, len(ops)))]


def render_record(company: Company, variants: list[str], rng: np.random.Generator) -> dict[str, str | None]:
    """The fields of one ERP vendor record of ``company`` with ``variants`` applied."""
    v = set(variants)
    latin = company.foreign is not None or "pinyin_english" in v
    if "pinyin_english" in v:
        name = render_english(company)
    elif company.foreign is not None:
        form = company.legal_form
        if "legal_form_swap" in v:
            form = str(rng.choice(FOREIGN_LEGAL_SWAPS[form]))
        name = render_name(company, legal_form=form).replace(" ,", ",")
        if "transliteration" in v:
            for src, dst in TRANSLITERATIONS.items():
                name = name.replace(src, dst)
    else:
        mode = next((m for t, m in (("region_dropped", "dropped"), ("region_added", "added"),
                                    ("bracketed_region", "bracket_full"),
                                    ("bracketed_region_halfwidth", "bracket_half"),
                                    ("province_abbreviation", "abbr")) if t in v), "canonical")
        form = str(rng.choice(LEGAL_FORM_SWAPS[company.legal_form])) if "legal_form_swap" in v else None
        brand = None
        if "homophone_typo" in v:
            positions = [i for i, c in enumerate(company.brand) if c in HOMOPHONES]
            i = positions[int(rng.integers(0, len(positions)))]
            alternatives = HOMOPHONES[company.brand[i]]
            brand = company.brand[:i] + alternatives[int(rng.integers(0, len(alternatives)))] + company.brand[i + 1:]
        name = render_name(company, region_mode=mode, legal_form=form, brand=brand)
    if "case_variant" in v:
        name = name.upper()
    if "spacing_punctuation" in v:
        name = _spacing(name, rng, latin)
    address = render_address(company, abbreviated="address_abbreviation" in v)
    phone = render_phone(company, int(rng.integers(1, 6)) if "phone_format" in v else 0)
    if "width_variant" in v:
        if latin:
            name = _fullwidth(name)
        else:
            flipped = name.translate(str.maketrans("（）()", "()（）"))
            name = flipped
            address = "".join(_fullwidth(c) if c.isascii() and c.isalnum() else c for c in address)
    uscc: str | None = company.uscc or None
    if uscc and "missing_uscc" in v:
        uscc = [None, "无", "/", "-", "0" * 18][int(rng.choice(5, p=[0.6, 0.15, 0.1, 0.05, 0.1]))]
    elif uscc and "mistyped_uscc" in v:
        uscc = mistype_uscc(uscc, rng)
    elif uscc and "uscc_format" in v:
        style = int(rng.integers(0, 3))
        uscc = (uscc.lower() if style == 0 else
                f"{uscc[:8]} {uscc[8:]}" if style == 1 else f"{uscc[:8]}-{uscc[8:]}")
    bank_name: str | None = company.bank_name
    bank_account: str | None = company.bank_account
    if "bank_account_absent" in v:
        bank_name = bank_name if rng.random() < 0.3 else None
        bank_account = None
    elif "bank_account_format" in v:
        bank_account = group_digits(company.bank_account)
    prov = company.province
    return {
        "name": name, "uscc": uscc, "country": company.country,
        "province": prov.name if prov else None,
        "city": (company.city.name + "市") if prov else company.city_name,
        "industry": company.industry, "address": address, "phone": phone,
        "bank_name": bank_name, "bank_account": bank_account, "contact": company.contact,
        "currency": company.currency,
    }


def assign_units(company: Company, n_records: int, rng: np.random.Generator,
                 sector_units: dict[str, dict[str, float]]) -> list[str]:
    """Business units holding the ``n_records`` records (distinct first; repeats = duplicates)."""
    table = sector_units[company.sector]
    units = list(table)
    p = np.array([table[u] for u in units])
    first = [units[i] for i in rng.choice(len(units), size=min(n_records, len(units)), replace=False, p=p / p.sum())]
    extra = [units[int(rng.choice(len(units), p=p / p.sum()))] for _ in range(n_records - len(first))]
    return first + extra


def build_records(
    companies: list[Company],
    seed: int,
    *,
    records_per_company: float,
    variant_weights: dict[str, float],
    canonical_prob: float,
    extra_prob: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Vendor records and their truth for ``companies`` (see ``generate_supplier_records``)."""
    rng = substream(seed, "vendor_records")
    rows: list[dict] = []
    for company in companies:
        n = 1 + int(rng.poisson(max(records_per_company - 1.0, 0.0)))
        for k, unit in enumerate(assign_units(company, n, rng, SECTOR_UNITS)):
            canonical = k == 0 and rng.random() < canonical_prob
            variants = [] if canonical else choose_variants(company, rng, variant_weights, extra_prob)
            row = render_record(company, variants, rng)
            row.update(business_unit_code=unit, company_id=company.company_id,
                       variant_types=";".join(variants), near_twin_of_company_id=company.near_twin_of,
                       near_twin_type=company.near_twin_type)
            rows.append(row)
    frame = pd.DataFrame([rows[i] for i in rng.permutation(len(rows))])
    seq = frame.groupby("business_unit_code").cumcount() + 1
    frame.insert(0, "record_id", [f"V-{u}-{s:06d}" for u, s in zip(frame["business_unit_code"], seq, strict=True)])
    frame.insert(2, "vendor_code", [VENDOR_CODE_FORMATS.get(u, "V{:06d}").format(s)
                                    for u, s in zip(frame["business_unit_code"], seq, strict=True)])
    truth_cols = ["record_id", "company_id", "variant_types", "near_twin_of_company_id", "near_twin_type"]
    truth = frame[truth_cols].copy()
    record_cols = ["record_id", "business_unit_code", "vendor_code", "name", "uscc", "country",
                   "province", "city", "industry", "address", "phone", "bank_name", "bank_account",
                   "contact", "currency"]
    records = frame[record_cols].copy()
    records = records.astype(object).where(records.notna() & (records != ""), None)
    return records.reset_index(drop=True), truth.reset_index(drop=True)
