"""One supplier company as the registry knows it, and how its name and contacts are written.

A :class:`Company` keeps the *parts* of its legal identity (region, brand 字号, industry,
legal form, branch suffix; or the Latin name parts of a foreign company) rather than one
string, so that :mod:`demo.aliases` can re-render it the way another business
unit's ERP would (region in brackets, legal form swapped, English name …). Rendering of
the canonical name, address, phone and bank account lives here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.geo import City, ForeignCity, Province
from demo.lexicon import legal_form_english

#: region_kind values of domestic companies.
REGION_KINDS = ("province", "city", "province_city", "none")


#: Which business units buy from a supplier of each sector (relative weights).
SECTOR_UNITS: dict[str, dict[str, float]] = {
    "coal": {"COAL": 0.50, "POWER": 0.30, "TRADE": 0.15, "CHEM": 0.05},
    "power_equipment": {"POWER": 0.60, "COAL": 0.15, "MRO": 0.15, "CHEM": 0.10},
    "chemicals": {"CHEM": 0.70, "COAL": 0.10, "POWER": 0.10, "TRADE": 0.10},
    "building_materials": {"BMAT": 0.60, "POWER": 0.15, "COAL": 0.15, "TRADE": 0.10},
    "steel": {"BMAT": 0.30, "COAL": 0.25, "POWER": 0.20, "TRADE": 0.15, "MRO": 0.10},
    "machinery": {"MRO": 0.40, "COAL": 0.25, "POWER": 0.20, "CHEM": 0.15},
    "logistics": {"MRO": 0.50, "TRADE": 0.20, "COAL": 0.20, "BMAT": 0.10},
    "trading": {"TRADE": 0.50, "COAL": 0.20, "CHEM": 0.15, "BMAT": 0.15},
    "nonferrous": {"TRADE": 0.60, "POWER": 0.20, "MRO": 0.20},
}


@dataclass
class Company:
    """A real (golden) supplier company; see the module docstring."""

    company_id: str
    brand: str
    industry: str
    industry_en: str
    sector: str
    legal_form: str
    region_kind: str  # one of REGION_KINDS, or "foreign"
    province: Province | None
    city: City
    foreign: ForeignCity | None = None
    infix: str = ""  # "集团" for a group's subsidiary
    suffix: str = ""  # "太原分公司" for a branch office
    uscc: str = ""
    address_parts: dict[str, str] = field(default_factory=dict)
    phone_area: str = ""  # domestic area code with leading 0, or +49 style prefix abroad
    phone_local: str = ""
    bank_name: str = ""
    bank_account: str = ""
    contact: str = ""
    near_twin_of: str = ""
    near_twin_type: str = ""

    @property
    def is_foreign(self) -> bool:
        return self.foreign is not None

    @property
    def country(self) -> str:
        return self.foreign.country if self.foreign else "CN"

    @property
    def currency(self) -> str:
        return self.foreign.currency if self.foreign else "CNY"

    @property
    def city_name(self) -> str:
        return self.foreign.name if self.foreign else self.city.name

    @property
    def province_name(self) -> str:
        return self.province.name if self.province else ""

    @property
    def legal_name(self) -> str:
        """The registered name."""
        return render_name(self)


def region_word(company: Company, mode: str = "canonical") -> str:
    """The region prefix of a domestic name under a rendering ``mode``."""
    prov, city, kind = company.province, company.city, company.region_kind
    assert prov is not None
    if mode == "dropped":
        return ""
    if mode == "added":
        if kind == "none":
            return prov.short
        return prov.short if prov.is_municipality else prov.short + city.name
    if mode == "abbr":
        return prov.abbr + (city.name if kind == "province_city" else "")
    if mode in ("bracket_full", "bracket_half"):
        return city.name if kind == "city" else prov.short
    return {"province": prov.short, "city": city.name, "province_city": prov.short + city.name,
            "none": ""}[kind]


def render_name(
    company: Company,
    *,
    region_mode: str = "canonical",
    legal_form: str | None = None,
    brand: str | None = None,
) -> str:
    """A Chinese (or, abroad, Latin) name of ``company``.

    Args:
        company: the company.
        region_mode: ``canonical``, ``dropped``, ``added``, ``abbr`` (province abbreviation),
            ``bracket_full`` (华阳煤业（山西）有限公司) or ``bracket_half`` (half-width brackets).
        legal_form: another legal form to write instead of the registered one.
        brand: another brand spelling (homophone typo).
    """
    form = company.legal_form if legal_form is None else legal_form
    brand = company.brand if brand is None else brand
    if company.foreign is not None:
        prefix = "PT " if company.foreign.country == "ID" else ""
        return " ".join(p for p in (prefix + brand, company.industry, form) if p).replace(" ,", ",")
    body = brand + company.infix + company.industry
    if region_mode in ("bracket_full", "bracket_half"):
        left, right = ("（", "）") if region_mode == "bracket_full" else ("(", ")")
        return body + left + region_word(company, region_mode) + right + form + company.suffix
    return region_word(company, region_mode) + body + form + company.suffix


def render_english(company: Company) -> str:
    """The pinyin/English name a unit dealing in English records, e.g. ``Shanxi Huayang Coal Co., Ltd.``."""
    from pypinyin import lazy_pinyin

    if company.foreign is not None:
        return render_name(company)
    prov, city = company.province, company.city
    assert prov is not None
    region = {"province": prov.pinyin, "city": city.pinyin, "none": "",
              "province_city": f"{prov.pinyin} {city.pinyin}"}[company.region_kind]
    brand = "".join(lazy_pinyin(company.brand)).capitalize()
    parts = [region, brand, "Group" if company.infix else "", company.industry_en,
             legal_form_english(company.legal_form)]
    name = " ".join(p for p in parts if p)
    if company.suffix:
        name += f" {city.pinyin} Branch"
    return name


def render_address(company: Company, *, abbreviated: bool = False) -> str:
    """Postal address; ``abbreviated`` drops the province and shortens district words."""
    p = company.address_parts
    if company.foreign is not None:
        street = p["street"]
        if abbreviated:
            for long, short in _STREET_ABBREVIATIONS:
                street = street.replace(long, short)
            return f"{street}, {p['postcode']} {company.foreign.name}"
        return f"{street}, {p['postcode']} {company.foreign.name}, {company.foreign.country_name}"
    prov = company.province
    assert prov is not None
    if abbreviated:
        number = p["number"] + ("#" if p["number_mark"] == "#" else "号")
        return f"{company.city.name}{p['district_short']}{p['road']}{number}{p['extra']}"
    city = company.city.name + "市"
    head = city if prov.is_municipality else prov.name + city
    return f"{head}{p['district']}{p['road']}{p['number']}号{p['extra']}"


_STREET_ABBREVIATIONS = (
    ("straße", "str."), ("Straße", "Str."), ("Boulevard", "Blvd"), ("Avenue", "Ave"),
    ("Road", "Rd"), ("Street", "St"), ("Jalan", "Jl."), ("weg", "wg."),
)


def render_phone(company: Company, style: int = 0) -> str:
    """The company phone number written in one of several styles (0 = canonical).

    Domestic canonical is ``0351-7654321``; styles 1-5 are ``+86 351 7654321``,
    ``+86-351-7654321``, ``(0351)7654321``, ``0351 765 4321`` and ``03517654321``.
    """
    local, area = company.phone_local, company.phone_area
    if company.foreign is not None:
        styles = (
            f"{area} {local[:2]} {local[2:]}",
            f"00{area[1:]}-{local[:2]}-{local[2:]}",
            f"{area} (0){local[:2]} {local[2:]}",
            f"{area}{local}",
            f"{area}-{local}",
            f"{area} {local}",
        )
        return styles[style % len(styles)]
    half = len(local) // 2
    styles = (
        f"{area}-{local}",
        f"+86 {area[1:]} {local}",
        f"+86-{area[1:]}-{local}",
        f"({area}){local}",
        f"{area} {local[:half]} {local[half:]}",
        f"{area}{local}",
    )
    return styles[style % len(styles)]


def group_digits(account: str, size: int = 4) -> str:
    """``6222021234567890123`` → ``6222 0212 3456 7890 123`` (bank_account_format)."""
    return " ".join(account[i : i + size] for i in range(0, len(account), size))


def iban(country: str, bban: str) -> str:
    """An IBAN with correct ISO 13616 check digits for ``bban``."""
    rearranged = bban + country + "00"
    digits = "".join(str(int(c, 36)) for c in rearranged)
    check = 98 - int(digits) % 97
    return f"{country}{check:02d}{bban}"
