"""The group's own structure: business units, subsidiaries, warehouses and ERP users.

Subsidiaries sit where each business really operates (coal in Shanxi, Inner Mongolia,
Shaanxi; chemicals in Ningxia and Shandong; trading in the port cities) plus four overseas
entities with their own currency. Warehouses are placed around their subsidiary's city;
a share of them runs a WMS (and RFID gates / AGVs), which decides what the WMS and IoT
drops cover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.geo import PROVINCE_BY_NAME, PROVINCES
from demo.lexicon import GIVEN_CHARS, SURNAMES
from demo.profile import Profile
from demo.rng import substream
from demo.uscc import make_uscc

UNIT_PROVINCES = {
    "COAL": ("山西", "内蒙古", "陕西", "新疆", "贵州", "宁夏"),
    "POWER": ("山西", "河北", "江苏", "广东", "河南", "湖北", "山东"),
    "CHEM": ("宁夏", "内蒙古", "山东", "江苏", "山西", "陕西"),
    "BMAT": ("河北", "山东", "河南", "安徽", "广东", "四川"),
    "TRADE": ("上海", "天津", "广东", "江苏", "浙江", "辽宁"),
    "MRO": ("山西", "北京", "天津", "河南", "陕西"),
}
UNIT_WORDS = {"COAL": ("煤业", "Coal Mining"), "POWER": ("发电", "Power Generation"),
              "CHEM": ("化工", "Chemical"), "BMAT": ("建材", "Building Materials"),
              "TRADE": ("贸易", "Trading"), "MRO": ("物资", "Materials Supply")}
WAREHOUSE_TYPES = {"COAL": ("coal_yard", "spare_parts"), "POWER": ("coal_yard", "spare_parts"),
                   "CHEM": ("hazmat", "finished_goods", "raw_material"),
                   "BMAT": ("finished_goods", "raw_material"), "TRADE": ("port_yard", "bonded"),
                   "MRO": ("central_store", "spare_parts")}
#: (unit, country, city, lat, lon, currency, name, name_en)
OVERSEAS = (
    ("COAL", "ID", "Jakarta", -6.21, 106.85, "IDR", "华岳能源印尼有限公司", "PT Huayue Energi Indonesia"),
    ("COAL", "AU", "Brisbane", -27.47, 153.03, "AUD", "华岳资源澳大利亚有限公司", "Huayue Resources Australia Pty Ltd"),
    ("TRADE", "SG", "Singapore", 1.29, 103.85, "USD", "华岳贸易（新加坡）有限公司", "Huayue Trading (Singapore) Pte. Ltd."),
    ("TRADE", "DE", "Hamburg", 53.55, 9.99, "EUR", "华岳欧洲贸易有限公司", "Huayue Handel GmbH"),
)


@dataclass
class Group:
    """The group's master data frames (ERP rows plus simulation helper columns)."""

    business_units: pd.DataFrame
    subsidiaries: pd.DataFrame
    warehouses: pd.DataFrame
    users: pd.DataFrame


def person_name(rng: np.random.Generator) -> str:
    given = "".join(GIVEN_CHARS[int(i)] for i in rng.integers(0, len(GIVEN_CHARS), int(rng.integers(1, 3))))
    return SURNAMES[int(rng.integers(0, len(SURNAMES)))] + given


def build_group(profile: Profile, scale: float, seed: int, created_at: float) -> Group:
    """Business units, subsidiaries, warehouses and users of the group."""
    rng = substream(seed, "group")
    root = math.sqrt(max(scale, 0.01))
    units = profile.units
    bu = pd.DataFrame([{
        "business_unit_id": f"BU-{u.code}", "business_unit_code": u.code, "name": u.name_zh,
        "name_en": u.name_en, "erp_system": u.erp_system, "approval_limit": float(u.approval_limit_cny),
        "currency": "CNY", "created_at": created_at - 4000 * 86400.0, "updated_at": created_at - 4000 * 86400.0,
    } for u in units])

    n_domestic = max(len(units), round(profile.scale.subsidiaries * root) - len(OVERSEAS))
    shares = np.array([u.purchase_share for u in units])
    per_unit = np.maximum(1, np.round(shares / shares.sum() * n_domestic)).astype(int)
    subs: list[dict] = []
    for ui, unit in enumerate(units):
        cities = [(p, c) for name in UNIT_PROVINCES.get(unit.code, (profile.group.province,))
                  for p in (PROVINCE_BY_NAME[name],) for c in p.cities]
        others = [(p, c) for p in PROVINCES for c in p.cities if (p, c) not in cities]
        order = list(rng.permutation(len(cities))) + [len(cities) + int(i) for i in rng.permutation(len(others))]
        pool = cities + others
        word, word_en = UNIT_WORDS.get(unit.code, ("实业", "Industrial"))
        for k in range(per_unit[ui]):
            prov, city = pool[order[k % len(pool)]]
            dup = "" if k < len(pool) else str(k // len(pool) + 1)
            subs.append({
                "business_unit_code": unit.code, "name": f"{profile.group.brand}{city.name}{word}{dup}有限公司",
                "name_en": f"Huayue {city.pinyin} {word_en}{dup} Co., Ltd.", "uscc": make_uscc(city.code, rng),
                "country": "CN", "province": prov.name, "city": city.name, "currency": "CNY",
                "is_overseas": False, "lat": city.lat, "lon": city.lon,
            })
    for unit_code, country, city, lat, lon, currency, name, name_en in OVERSEAS:
        if unit_code in profile.unit_codes:
            subs.append({"business_unit_code": unit_code, "name": name, "name_en": name_en, "uscc": None,
                         "country": country, "province": None, "city": city, "currency": currency,
                         "is_overseas": True, "lat": lat, "lon": lon})
    sub = pd.DataFrame(subs)
    sub.insert(0, "subsidiary_id", [f"SUB-{i + 1:03d}" for i in range(len(sub))])
    sub["created_at"] = created_at - rng.integers(1500, 4000, len(sub)) * 86400.0
    sub["updated_at"] = sub["created_at"]

    wh_rows: list[dict] = []
    for s in sub.itertuples():
        n_wh = 1 + int(rng.poisson(max(profile.scale.warehouses_per_subsidiary - 1, 0)))
        for k in range(n_wh):
            kinds = WAREHOUSE_TYPES.get(s.business_unit_code, ("general",))
            kind = kinds[k % len(kinds)]
            wh_rows.append({
                "subsidiary_id": s.subsidiary_id, "business_unit_code": s.business_unit_code,
                "name": f"{s.name.removesuffix('有限公司')}{k + 1}号{_KIND_ZH.get(kind, '仓库')}",
                "warehouse_type": kind, "country": s.country, "province": s.province, "city": s.city,
                "address": f"{s.city}{_KIND_ZH.get(kind, '仓库')}{int(rng.integers(1, 99))}号",
                "latitude": round(s.lat + float(rng.uniform(-0.15, 0.15)), 5),
                "longitude": round(s.lon + float(rng.uniform(-0.15, 0.15)), 5),
                "is_hazmat": kind == "hazmat",
            })
    wh = pd.DataFrame(wh_rows)
    wh.insert(0, "warehouse_id", [f"WH-{i + 1:03d}" for i in range(len(wh))])
    wh.insert(1, "warehouse_code", [f"{u}-{i + 1:03d}" for i, u in enumerate(wh["business_unit_code"])])
    domestic = (wh["country"] == "CN").to_numpy()
    has_wms = domestic & (rng.random(len(wh)) < profile.wms.warehouse_share)
    if has_wms.sum() < 2:
        has_wms[np.flatnonzero(domestic)[:2]] = True
    wh["has_wms"] = has_wms
    wh["has_rfid"] = has_wms & (rng.random(len(wh)) < profile.iot.rfid_warehouse_share)
    n_agv = max(1, round(profile.iot.agv_warehouses * root))
    agv = np.zeros(len(wh), dtype=bool)
    agv[np.flatnonzero(has_wms)[:n_agv]] = True
    wh["has_agv"] = agv
    wh["created_at"] = created_at - rng.integers(800, 3000, len(wh)) * 86400.0
    wh["updated_at"] = wh["created_at"]
    return Group(business_units=bu, subsidiaries=sub, warehouses=wh,
                 users=_users(profile, wh, rng, root, created_at))


_KIND_ZH = {"coal_yard": "煤场", "spare_parts": "备件库", "hazmat": "危化品库", "finished_goods": "成品库",
            "raw_material": "原料库", "port_yard": "港口堆场", "bonded": "保税库", "central_store": "中心库"}
_ROLES = (("buyer", None), ("approver", 1), ("director", 2), ("warehouse_clerk", None), ("inspector", None),
          ("finance", None), ("sales_rep", None))


def _users(profile: Profile, wh: pd.DataFrame, rng: np.random.Generator, root: float,
           created_at: float) -> pd.DataFrame:
    from pypinyin import lazy_pinyin

    rows: list[dict] = []
    for unit in profile.units:
        n_wh = int((wh["business_unit_code"] == unit.code).sum())
        counts = {"buyer": max(2, round(profile.scale.buyers_per_unit * root)), "approver": 2, "director": 1,
                  "warehouse_clerk": max(1, n_wh), "inspector": 2, "finance": 2,
                  "sales_rep": max(2, round(3 * root * unit.sales_share / 0.2))}
        for role, level in _ROLES:
            for _ in range(counts[role]):
                name = person_name(rng)
                limit = {1: float(unit.approval_limit_cny), 2: float(unit.approval_limit_cny) * 20}.get(level)
                rows.append({"business_unit_code": unit.code, "name": name, "role": role,
                             "email_stem": "".join(lazy_pinyin(name)), "approval_limit": limit,
                             "approval_currency": "CNY" if limit else None, "is_active": True})
    users = pd.DataFrame(rows)
    users.insert(0, "user_id", [f"U-{i + 1:05d}" for i in range(len(users))])
    users["email"] = [f"{s}.{i + 1}@huayue-group.com" for i, s in enumerate(users.pop("email_stem"))]
    users["created_at"] = created_at - rng.integers(100, 3000, len(users)) * 86400.0
    users["updated_at"] = users["created_at"]
    return users
