"""Realistic supplier companies, their ERP alias records, and valid credit codes.

This is the identity layer of the demo group and the evaluation-set generator of entity
resolution. :func:`build_companies` creates the real (golden) companies: Chinese names
``region + brand 字号 + industry + legal form`` with a valid unified social credit code
registered in their city, some foreign companies with Latin names, and near-twins
(distinct companies whose names look alike: same brand elsewhere, a branch office, a
group subsidiary, a homophone brand). :func:`generate_supplier_records` turns them into
the vendor records that different business units' ERPs really hold (see
:mod:`demo.aliases` for the variant types) plus the ground truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.company_model import REGION_KINDS, SECTOR_UNITS, Company, iban
from demo.geo import FOREIGN_CITIES, PROVINCES, City, Province
from demo.lexicon import (
    BANKS,
    BRAND_CHARS,
    DISTRICTS,
    FOREIGN_NAMES,
    GIVEN_CHARS,
    HOMOPHONES,
    INDUSTRIES,
    LEGAL_FORMS,
    ROADS,
    SURNAMES,
)
from demo.rng import substream
from demo.uscc import make_uscc

__all__ = ["SECTOR_UNITS", "build_companies", "companies_frame", "generate_supplier_records"]

SECTOR_SHARES = {
    "coal": 0.18, "power_equipment": 0.12, "chemicals": 0.14, "building_materials": 0.12,
    "steel": 0.10, "machinery": 0.16, "logistics": 0.08, "trading": 0.06, "nonferrous": 0.04,
}
_FOREIGN_SECTOR = {
    "Anlagenbau": "machinery", "Industrietechnik": "machinery", "Maschinenfabrik": "machinery",
    "Fördertechnik": "machinery", "Chemie": "chemicals", "Logistics": "logistics",
    "Chemicals": "chemicals", "Trading": "trading", "Bulk Handling": "logistics",
    "Industrial Supply": "machinery", "Mining Equipment": "machinery", "Chemical": "chemicals",
    "Bearing": "machinery", "Power Systems": "power_equipment", "Seiki": "machinery",
    "Kogyo": "machinery", "Denki": "power_equipment", "Kagaku": "chemicals", "Shoji": "trading",
    "Coal": "coal", "Resources": "coal", "Mining": "coal", "Minerals": "nonferrous",
    "Batubara": "coal", "Energi": "coal", "Tambang": "coal", "Commodities": "trading",
}
_FOREIGN_COUNTRY_WEIGHTS = {"DE": 0.2, "NL": 0.1, "US": 0.15, "JP": 0.15, "AU": 0.15, "ID": 0.15, "SG": 0.1}
_FOREIGN_FIRST = {
    "DE": ("Hans", "Petra", "Jürgen", "Katrin"), "NL": ("Jan", "Pieter", "Anouk"),
    "US": ("John", "Mary", "Robert", "Linda"), "JP": ("Hiroshi", "Yuki", "Takeshi"),
    "AU": ("Jack", "Olivia", "Liam"), "ID": ("Budi", "Siti", "Agus"), "SG": ("Wei Ming", "Li Hua"),
}
_FOREIGN_STREETS = {
    "DE": ("Hafenstraße", "Industriestraße", "Rheinstraße"), "NL": ("Havenweg", "Europaweg"),
    "US": ("Industrial Boulevard", "Commerce Street", "Market Avenue"),
    "JP": ("Nakanoshima Road", "Sakae Street"), "AU": ("Industrial Road", "Wharf Street"),
    "ID": ("Jalan Sudirman", "Jalan Pelabuhan"), "SG": ("Marina Boulevard", "Shenton Street"),
}
_FOREIGN_BANKS = {
    "DE": "Deutsche Bank", "NL": "ING Bank", "US": "JPMorgan Chase Bank", "JP": "MUFG Bank",
    "AU": "Commonwealth Bank of Australia", "ID": "Bank Mandiri", "SG": "DBS Bank",
}
_BRAND_POOL = tuple(dict.fromkeys(c for c in BRAND_CHARS if c != "国"))
_TWIN_TYPES = (
    "same_brand_other_region", "same_brand_other_industry", "same_brand_other_region_industry",
    "branch_office", "group_subsidiary", "homophone_brand",
)


def _weights(keys: list[str] | tuple[str, ...], table: dict[str, float]) -> np.ndarray:
    w = np.array([table.get(k, 0.0) for k in keys], dtype=float)
    return w / w.sum()


def _pick(rng: np.random.Generator, items, p=None):
    return items[int(rng.choice(len(items), p=p))]


def _person(rng: np.random.Generator) -> str:
    given = "".join(_pick(rng, GIVEN_CHARS) for _ in range(int(rng.integers(1, 3))))
    return _pick(rng, SURNAMES) + given


def _fill_contacts(company: Company, rng: np.random.Generator) -> None:
    """Address, phone, bank account and contact person."""
    if company.foreign is not None:
        country = company.foreign.country
        number = int(rng.integers(1, 300))
        company.address_parts = {
            "street": f"{_pick(rng, _FOREIGN_STREETS[country])} {number}",
            "postcode": f"{int(rng.integers(10000, 99999))}",
        }
        company.phone_area = company.foreign.phone_prefix
        company.phone_local = f"{int(rng.integers(100_000_000, 999_999_999))}"
        company.bank_name = f"{_FOREIGN_BANKS[country]}, {company.foreign.name}"
        if country == "DE":
            company.bank_account = iban("DE", f"{int(rng.integers(10**7, 10**8))}{int(rng.integers(10**9, 10**10))}")
        elif country == "NL":
            bank = _pick(rng, ("ABNA", "INGB", "RABO"))
            company.bank_account = iban("NL", f"{bank}{int(rng.integers(10**9, 10**10))}")
        else:
            company.bank_account = f"{int(rng.integers(10**9, 10**12))}"
        company.contact = f"{_pick(rng, _FOREIGN_FIRST[country])} {company.brand.split()[0]}"
        return
    district, district_short = _pick(rng, DISTRICTS)
    extra_kind = rng.random()
    extra = ""
    if extra_kind < 0.2:
        extra = f"{int(rng.integers(1, 12))}号楼"
    elif extra_kind < 0.35:
        extra = f"{int(rng.integers(2, 25))}层"
    elif extra_kind < 0.5:
        extra = f"{int(rng.integers(1, 9))}栋{int(rng.integers(101, 1800))}室"
    road = _pick(rng, ROADS)
    company.address_parts = {
        "district": district, "district_short": district_short, "road": road,
        "number": str(int(rng.integers(1, 999))), "extra": extra,
        "number_mark": "#" if rng.random() < 0.5 else "号",
    }
    company.phone_area = company.city.area_code
    digits = 8 if len(company.city.area_code) == 3 else 7
    company.phone_local = str(int(rng.integers(2, 9))) + "".join(
        str(d) for d in rng.integers(0, 10, digits - 1))
    company.bank_name = f"{_pick(rng, BANKS)}{company.city.name}{road.removesuffix('路').removesuffix('街')}支行"
    company.bank_account = str(int(rng.integers(1, 10))) + "".join(str(d) for d in rng.integers(0, 10, 18))
    company.contact = _person(rng)


def _domestic(rng, company_id, brand, industry, province: Province, city: City, kind,
              legal_form, used_uscc: set[str], *, infix: str = "", suffix: str = "") -> Company:
    company = Company(company_id=company_id, brand=brand, industry=industry[0],
                      industry_en=industry[1], sector=industry[2], legal_form=legal_form,
                      region_kind=kind, province=province, city=city, infix=infix, suffix=suffix)
    division = city.code if kind != "province" or rng.random() < 0.6 else province.code + "0000"
    while True:
        code = make_uscc(division, rng)
        if code not in used_uscc:
            used_uscc.add(code)
            company.uscc = code
            break
    _fill_contacts(company, rng)
    return company


def _random_place(rng: np.random.Generator, exclude: Province | None = None) -> tuple[Province, City]:
    provinces = [p for p in PROVINCES if p is not exclude]
    p = np.array([pr.weight for pr in provinces])
    province = provinces[int(rng.choice(len(provinces), p=p / p.sum()))]
    return province, _pick(rng, province.cities)


def _industry_of(rng: np.random.Generator, sector: str | None = None, *, not_sector: str | None = None):
    if sector is None:
        sectors = [s for s in SECTOR_SHARES if s != not_sector]
        sector = sectors[int(rng.choice(len(sectors), p=_weights(sectors, SECTOR_SHARES)))]
    options = [i for i in INDUSTRIES if i[2] == sector]
    return _pick(rng, options)


def _brand(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        length = 3 if rng.random() < 0.2 or len(used) > 6000 else 2
        chars = rng.choice(len(_BRAND_POOL), size=length, replace=False)
        brand = "".join(_BRAND_POOL[i] for i in chars)
        if brand not in used:
            used.add(brand)
            return brand


def _foreign(rng: np.random.Generator, company_id: str, used_names: set[str]) -> Company:
    countries = list(_FOREIGN_COUNTRY_WEIGHTS)
    country = _pick(rng, countries, _weights(countries, _FOREIGN_COUNTRY_WEIGHTS))
    stems, industries, forms = FOREIGN_NAMES[country]
    city = _pick(rng, [c for c in FOREIGN_CITIES if c.country == country])
    for attempt in range(50):
        stem = _pick(rng, stems)
        if attempt > 3 or rng.random() < 0.3:
            other = _pick(rng, [s for s in stems if s != stem])
            stem = f"{stem} & {other}" if country in ("DE", "US", "AU") else f"{stem} {other}"
        industry = _pick(rng, industries)
        company = Company(company_id=company_id, brand=stem, industry=industry, industry_en=industry,
                          sector=_FOREIGN_SECTOR[industry], legal_form=_pick(rng, forms),
                          region_kind="foreign", province=None, city=PROVINCES[0].cities[0],
                          foreign=city)
        if company.legal_name not in used_names:
            break
    _fill_contacts(company, rng)
    return company


def _twin(rng, base: Company, kind: str, company_id: str, used_uscc, used_brands):
    """A distinct company whose name resembles ``base`` (None when ``kind`` does not apply)."""
    prov, city, brand, industry = base.province, base.city, base.brand, (
        base.industry, base.industry_en, base.sector)
    kind_region = base.region_kind if base.region_kind != "none" else "province"
    legal, infix, suffix = base.legal_form, "", ""
    if kind in ("same_brand_other_region", "same_brand_other_region_industry"):
        prov, city = _random_place(rng, exclude=base.province)
    if kind in ("same_brand_other_industry", "same_brand_other_region_industry"):
        industry = _industry_of(rng, not_sector=base.sector)
    if kind == "branch_office":
        kind_region = base.region_kind
        city = _pick(rng, prov.cities)
        suffix = f"{city.name}分公司"
    if kind == "group_subsidiary":
        kind_region, infix, legal = base.region_kind, "集团", "有限公司"
        industry = _pick(rng, [i for i in INDUSTRIES if i[2] in ("logistics", "trading") or i[0] == "新材料"])
    if kind == "homophone_brand":
        positions = [i for i, c in enumerate(brand) if c in HOMOPHONES]
        if not positions:
            return None
        i = _pick(rng, positions)
        brand = brand[:i] + _pick(rng, HOMOPHONES[brand[i]]) + brand[i + 1:]
        if brand in used_brands:
            return None
        used_brands.add(brand)
        if rng.random() < 0.5:
            prov, city = _random_place(rng, exclude=base.province)
    twin = _domestic(rng, company_id, brand, industry, prov, city, kind_region, legal, used_uscc,
                     infix=infix, suffix=suffix)
    twin.near_twin_of, twin.near_twin_type = base.company_id, kind
    return twin


def build_companies(
    n_companies: int,
    seed: int,
    *,
    near_twin_rate: float,
    foreign_share: float,
    near_twin_weights: dict[str, float] | None = None,
) -> list[Company]:
    """Create ``n_companies`` distinct real companies (near-twins included), deterministically.

    Args:
        n_companies: total number of companies, near-twins included.
        seed: random seed.
        near_twin_rate: share of companies that are near-twins of another one.
        foreign_share: share of foreign (Latin-named, no credit code) companies.
        near_twin_weights: relative weight per near-twin type (default: equal).

    Returns:
        Companies in a shuffled order, ids ``CO-000001`` … in that order.
    """
    rng = substream(seed, "companies")
    twin_weights = near_twin_weights or {k: 1.0 for k in _TWIN_TYPES}
    n_twins = round(n_companies * near_twin_rate)
    n_base = n_companies - n_twins
    used_uscc: set[str] = set()
    used_brands: set[str] = set()
    used_names: set[str] = set()
    companies: list[Company] = []
    kinds = list(REGION_KINDS)
    forms = [f for f, _, _ in LEGAL_FORMS]
    form_p = np.array([w for _, w, _ in LEGAL_FORMS]) / sum(w for _, w, _ in LEGAL_FORMS)
    for i in range(n_base):
        cid = f"tmp-{i}"
        if rng.random() < foreign_share:
            company = _foreign(rng, cid, used_names)
        else:
            province, city = _random_place(rng)
            kind = _pick(rng, kinds, np.array([0.55, 0.30, 0.05, 0.10]))
            company = _domestic(rng, cid, _brand(rng, used_brands), _industry_of(rng), province,
                                city, kind, _pick(rng, forms, form_p), used_uscc)
        used_names.add(company.legal_name)
        companies.append(company)
    domestic = [c for c in companies if not c.is_foreign]
    twin_kinds = [k for k in _TWIN_TYPES if twin_weights.get(k, 0) > 0]
    twin_p = _weights(twin_kinds, twin_weights)
    made = 0
    while made < n_twins and domestic:
        base = _pick(rng, domestic)
        twin = _twin(rng, base, _pick(rng, twin_kinds, twin_p), f"tmp-t{made}", used_uscc, used_brands)
        if twin is None or twin.legal_name in used_names:
            continue
        used_names.add(twin.legal_name)
        companies.append(twin)
        made += 1
    order = rng.permutation(len(companies))
    shuffled = [companies[i] for i in order]
    new_ids = {c.company_id: f"CO-{k + 1:06d}" for k, c in enumerate(shuffled)}
    for company in shuffled:
        company.company_id = new_ids[company.company_id]
        company.near_twin_of = new_ids.get(company.near_twin_of, "")
    return shuffled


def companies_frame(companies: list[Company]) -> pd.DataFrame:
    """One row per company: the registry view (ground truth, never in a source system)."""
    return pd.DataFrame({
        "company_id": [c.company_id for c in companies],
        "legal_name": [c.legal_name for c in companies],
        "uscc": [c.uscc for c in companies],
        "country": [c.country for c in companies],
        "province": [c.province_name for c in companies],
        "city": [c.city_name for c in companies],
        "industry": [c.industry for c in companies],
        "sector": [c.sector for c in companies],
        "legal_form": [c.legal_form for c in companies],
        "currency": [c.currency for c in companies],
        "near_twin_of_company_id": [c.near_twin_of for c in companies],
        "near_twin_type": [c.near_twin_type for c in companies],
    })


def generate_supplier_records(
    n_companies: int,
    seed: int,
    *,
    variants_per_company: float | None = None,
    near_twin_rate: float | None = None,
    variant_weights: dict[str, float] | None = None,
    near_twin_weights: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Vendor records of ``n_companies`` real companies as several business units' ERPs hold them.

    Every company gets on average ``variants_per_company`` records (at least one), each in a
    business unit that buys from its sector. A company's first record is its exact
    registry record with probability ``canonical_record_prob`` (profile); every other record
    carries one or more alias variants (legal-form swap, bracketed region, homophone typo,
    English name, missing or mistyped credit code, reformatted phone …, see
    :data:`demo.aliases.VARIANT_TYPES`). Near-twins are distinct companies.

    Args:
        n_companies: number of real companies (near-twins included).
        seed: random seed; the same arguments always give identical frames.
        variants_per_company: mean records per company (profile default 1.5).
        near_twin_rate: share of companies that are near-twins (profile default 0.06).
        variant_weights: relative weight per variant type; types left out are never drawn.
            For a harder set pass :data:`demo.aliases.HARD_VARIANT_WEIGHTS` (more
            homophone typos, English names, missing or mistyped codes). Default: the profile's.
        near_twin_weights: relative weight per near-twin type (``same_brand_other_region``,
            ``same_brand_other_industry``, ``same_brand_other_region_industry``,
            ``branch_office``, ``group_subsidiary``, ``homophone_brand``); default: the profile's.

    Returns:
        ``(records, truth)``. ``records`` columns: ``record_id, business_unit_code,
        vendor_code, name, uscc, country, province, city, industry, address, phone,
        bank_name, bank_account, contact, currency`` (empty strings are None). ``truth``
        columns: ``record_id, company_id, variant_types`` (``;``-joined, empty for an exact
        record), ``near_twin_of_company_id`` (empty unless the company is a near-twin),
        ``near_twin_type``.

    Example:
        >>> records, truth = generate_supplier_records(50, seed=7)
        >>> len(records) == len(truth), set(truth.columns) >= {"record_id", "company_id"}
        (True, True)
    """
    from demo.aliases import build_records
    from demo.profile import load_profile

    profile = load_profile()
    sup = profile.suppliers
    companies = build_companies(
        n_companies, seed,
        near_twin_rate=sup.near_twin_rate if near_twin_rate is None else near_twin_rate,
        foreign_share=sup.foreign_share, near_twin_weights=near_twin_weights or sup.near_twin_weights,
    )
    records, truth = build_records(
        companies, seed,
        records_per_company=(profile.scale.vendor_records_per_company
                             if variants_per_company is None else variants_per_company),
        variant_weights=variant_weights or sup.variant_weights,
        canonical_prob=sup.canonical_record_prob, extra_prob=sup.extra_variant_prob,
    )
    return records, truth
