"""CRM customers: dealers, key accounts and the group's own buying units, with a buying process.

Each customer has a purchase rate (gamma-distributed: a few big, many small), an
acquisition time (most before the window, some during it) and, for a share of them, a
churn time after which they stop buying: the repeat-purchase structure CLV models expect.
Each has a small preferred assortment among its owning unit's products.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.catalogue_data import CATEGORIES
from demo.geo import PROVINCES
from demo.group import person_name
from demo.lexicon import BRAND_CHARS
from demo.rng import substream
from demo.timebase import DAY

DEALER_WORDS = ("商贸有限公司", "物资经销有限公司", "能源贸易有限公司", "建材经销部", "供应链管理有限公司")
KEY_ACCOUNT_WORDS = {"COAL": ("发电有限公司", "钢铁集团有限公司", "焦化有限公司"),
                     "POWER": ("电力有限公司", "工业园区管理委员会", "铝业有限公司"),
                     "CHEM": ("化纤有限公司", "农资有限公司", "塑业有限公司"),
                     "BMAT": ("建设工程有限公司", "房地产开发有限公司", "路桥集团有限公司"),
                     "TRADE": ("国际贸易有限公司", "铜业有限公司", "实业有限公司"),
                     "MRO": ("设备维修有限公司", "机电工程有限公司")}


def seller_units(profile_units: tuple[str, ...]) -> dict[str, list[int]]:
    """Category indices each unit sells."""
    return {u: [i for i, c in enumerate(CATEGORIES) if u in c["sellers"]] for u in profile_units}


def build_customers(world, seed: int) -> pd.DataFrame:
    """CRM customers with their buying-process parameters (``rate`` per day, ``birth``, ``death``)."""
    profile, rng = world.profile, substream(seed, "customers")
    sales = profile.sales
    subs = world.group.subsidiaries
    internal = subs[~subs["is_overseas"]].reset_index(drop=True)
    n_total = max(40, round(profile.scale.customers * world.scale))
    n_ext = max(20, n_total - len(internal))
    units = [u.code for u in profile.units]
    shares = np.array([u.sales_share for u in profile.units])
    owner = np.array(units, dtype=object)[rng.choice(len(units), size=n_ext, p=shares / shares.sum())]
    is_dealer = rng.random(n_ext) < sales.dealer_share
    prov_w = np.array([p.weight for p in PROVINCES])
    rows = []
    used: set[str] = set()
    brand_chars = list(dict.fromkeys(BRAND_CHARS))
    for i in range(n_ext):
        prov = PROVINCES[int(rng.choice(len(PROVINCES), p=prov_w / prov_w.sum()))]
        city = prov.cities[int(rng.integers(0, len(prov.cities)))]
        while True:
            brand = "".join(brand_chars[int(k)] for k in rng.choice(len(brand_chars), 2, replace=False))
            words = DEALER_WORDS if is_dealer[i] else KEY_ACCOUNT_WORDS[owner[i]]
            name = f"{city.name}{brand}{words[int(rng.integers(0, len(words)))]}"
            if name not in used:
                used.add(name)
                break
        rows.append({"name": name, "customer_type": "dealer" if is_dealer[i] else "key_account",
                     "business_unit_code": owner[i], "region": prov.region, "province": prov.name,
                     "city": city.name, "country": "CN", "currency": "CNY", "subsidiary_id": None})
    for s in internal.itertuples():
        seller = "COAL" if s.business_unit_code in ("POWER", "CHEM") else "MRO"
        prov = next((p for p in PROVINCES if p.name == s.province), PROVINCES[0])
        rows.append({"name": s.name, "customer_type": "internal", "business_unit_code": seller,
                     "region": prov.region, "province": s.province, "city": s.city, "country": "CN",
                     "currency": "CNY", "subsidiary_id": s.subsidiary_id})
    cust = pd.DataFrame(rows)
    n = len(cust)
    abroad = (cust["business_unit_code"] == "TRADE").to_numpy() & (rng.random(n) < 0.08)
    cust.loc[abroad, ["country", "currency", "province", "region"]] = ["SG", "USD", None, "海外"]
    cust.insert(0, "customer_id", [f"CUST-{i + 1:06d}" for i in range(n)])
    start, days = world.start, world.window_days
    internal_m = (cust["customer_type"] == "internal").to_numpy()
    rate = rng.gamma(sales.orders_per_customer_shape, 1.0, n) * np.where(internal_m, 3.0, 1.0)
    born_before = rng.random(n) < 0.7
    birth = np.where(born_before, start - rng.uniform(30, 2000, n) * DAY, start + rng.uniform(0, 0.95, n) * days * DAY)
    churn = (rng.random(n) < sales.churn_prob) & ~internal_m
    death = np.where(churn, np.maximum(birth, start) + rng.exponential(0.6 * days, n) * DAY, np.inf)
    active = np.clip(np.minimum(death, world.end) - np.maximum(birth, start), 0, None) / DAY
    target = profile.scale.sales_orders * world.scale
    cust["rate"] = rate * target / max((rate * active).sum(), 1e-9)
    cust["birth"], cust["death"] = np.floor(birth), death
    quantiles = np.quantile(cust["rate"], [0.5, 0.8, 0.95])
    cust["tier"] = np.select([cust["rate"] >= quantiles[2], cust["rate"] >= quantiles[1], cust["rate"] >= quantiles[0]],
                             ["A", "B", "C"], "D")
    cust["credit_limit"] = np.round(cust["rate"] * 5e6 / cust["rate"].mean(), -4) + 50000
    reps = {u: world.users_of(u, "sales_rep") for u in units}
    cust["owner_user_id"] = [reps[u][int(k) % len(reps[u])] for u, k in
                             zip(cust["business_unit_code"], rng.integers(0, 1000, n), strict=True)]
    cust["contact_seed"] = rng.integers(0, 2**31, n)
    cust["created_at"] = cust["birth"]
    cust["_inactive_at"] = np.where(np.isfinite(death), np.floor(death + 180 * DAY), np.nan)
    sells = seller_units(tuple(units))
    mats = world.catalogue.materials
    assortments = []
    for u, k in zip(cust["business_unit_code"], rng.integers(3, 9, n), strict=True):
        pool = mats.index[mats["cat"].isin(sells[u])].to_numpy()
        assortments.append(np.sort(rng.choice(pool, size=min(int(k), len(pool)), replace=False)))
    cust["assortment"] = assortments
    cust["primary_contact"] = [person_name(rng) for _ in range(n)]
    return cust
