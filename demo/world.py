"""The simulated group's master data, rebuilt identically from (profile, scale, seed).

Master data (units, subsidiaries, warehouses, users, catalogue, suppliers, offers, FX,
price indices, customers) is cheap to regenerate, so ``advance`` rebuilds it instead of
storing it: the same inputs always give the same world. Transactions are simulated per
period on top of it (:mod:`demo.erp`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from demo.catalogue import Catalogue, build_catalogue
from demo.catalogue_data import CATEGORIES
from demo.fx import FxTable, build_fx
from demo.group import Group, build_group
from demo.prices import build_price_index, month_of_date
from demo.profile import Profile
from demo.timebase import DAY, day_number, seconds_of
from demo.vendors import SupplierBase, build_suppliers

#: Years of FX rates and price indices generated past the window end (for ``advance``).
FUTURE_YEARS = 5


@dataclass
class World:
    """Master data plus the lookups the transaction simulation needs."""

    profile: Profile
    scale: float
    seed: int
    start: float  # epoch seconds of the first simulated day (UTC midnight)
    end: float  # epoch seconds just after the last simulated day (the initial cutoff)
    group: Group
    catalogue: Catalogue
    suppliers: SupplierBase
    fx: FxTable
    price_index: np.ndarray
    start_month: int
    lookups: dict[str, object] = field(default_factory=dict)

    @property
    def window_days(self) -> int:
        return round((self.end - self.start) / DAY)

    @property
    def first_day(self) -> int:
        return int(self.start // DAY)

    def count(self, per_scale: float, period_days: float | None = None, minimum: int = 1) -> int:
        """A count from the profile scaled by ``scale`` and by the period's share of the window."""
        share = 1.0 if period_days is None else period_days / self.window_days
        return max(minimum, round(per_scale * self.scale * share))

    def users_of(self, unit: str, role: str) -> np.ndarray:
        key = f"users/{unit}/{role}"
        if key not in self.lookups:
            u = self.group.users
            self.lookups[key] = u.loc[(u["business_unit_code"] == unit) & (u["role"] == role), "user_id"].to_numpy()
        return self.lookups[key]  # type: ignore[return-value]


def build_world(profile: Profile, scale: float, seed: int) -> World:
    """The deterministic master data of the demo group."""
    start_date: dt.date = profile.window_start
    end_date = profile.window.end_date + dt.timedelta(days=1)
    start, end = seconds_of(start_date), seconds_of(end_date)
    window_days = day_number(end_date) - day_number(start_date)
    group = build_group(profile, scale, seed, start)
    n_materials = max(profile.scale.min_materials, round(profile.scale.materials * scale))
    catalogue = build_catalogue(n_materials, seed, start)
    fx = build_fx(seed, day_number(start_date) - 14, window_days + 14 + 366 * FUTURE_YEARS)
    n_months = profile.window.months + 12 * FUTURE_YEARS + 1
    price_index = build_price_index(seed, n_months)
    suppliers = build_suppliers(profile, scale, seed, catalogue, group.users, fx, price_index, start, window_days)
    return World(profile=profile, scale=scale, seed=seed, start=start, end=end, group=group,
                 catalogue=catalogue, suppliers=suppliers, fx=fx, price_index=price_index,
                 start_month=month_of_date(start_date))


def category_array(key: str) -> np.ndarray:
    """A per-category property as an array (e.g. ``lead``, ``offer_months``)."""
    return np.array([c[key] for c in CATEGORIES])
