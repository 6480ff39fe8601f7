"""The generative profile: every tunable of the simulator, read from a committed TOML file.

``profiles/benchmark.toml`` is the profile the platform's benchmarks and models are measured
against; it documents each rate next to its value. This module parses it into typed,
frozen objects (unknown keys are an error, so a typo cannot silently fall back to a
default) and computes the profile hash recorded in every manifest.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_Section):
    name: str
    description: str


class Window(_Section):
    end_date: dt.date
    months: int
    offer_horizon_months: int


class Group(_Section):
    code: str
    name_zh: str
    name_en: str
    brand: str
    province: str


class ScaleCounts(_Section):
    companies: int
    vendor_records_per_company: float
    subsidiaries: int
    warehouses_per_subsidiary: float
    materials: int
    purchase_orders: int
    lines_per_order: float
    customers: int
    sales_orders: int
    sales_lines_per_order: float
    buyers_per_unit: int
    min_companies: int
    min_materials: int


class Unit(_Section):
    code: str
    name_zh: str
    name_en: str
    erp_system: str
    purchase_share: float
    sales_share: float
    approval_limit_cny: int
    seasonality: tuple[float, ...]


class Calendar(_Section):
    weekend_factor: float
    spring_festival_factor: float
    spring_festival_dates: tuple[dt.date, ...]


class Suppliers(_Section):
    foreign_share: float
    near_twin_rate: float
    canonical_record_prob: float
    extra_variant_prob: float
    late_share: float
    defective_share: float
    price_premium_sd: float
    activity_sigma: float
    near_twin_weights: dict[str, float]
    variant_weights: dict[str, float]


class Procurement(_Section):
    cancel_rate: float
    partial_delivery_rate: float
    short_close_rate: float
    price_override_rate: float
    ack_missing_rate: float
    ack_median_hours: float
    ack_slow_share: float
    ack_slow_median_hours: float
    late_prob: float
    mean_delay_days: float
    late_supplier_late_prob: float
    late_supplier_mean_delay_days: float
    early_days_max: int
    payment_terms_days: tuple[int, ...]
    payment_terms_weights: tuple[float, ...]
    payment_delay_sd_days: float
    split_payment_rate: float
    invoice_lag_days_max: int
    legit_bank_change_rate: float


class Demand(_Section):
    """The buyers' demand model (:mod:`demo.demand`)."""

    buyer_activity_sigma: float
    buyers_per_segment: int
    segment_bundles: int
    new_bundles_per_year: float
    novelty_boost: float
    novelty_days: float
    rhythm_share: float
    regulars_min: int
    regulars_max: int
    min_cycles_per_regular: float
    period_min_days: float
    period_max_days: float
    period_jitter: float
    explore_share: float
    bundle_item_prob: float


class Quality(_Section):
    normal_defect_rate: float
    defective_defect_rate_min: float
    defective_defect_rate_max: float
    return_on_fail_prob: float


class Fraud(_Section):
    split_orders: int
    self_approvals: int
    off_hours_price_overrides: int
    duplicate_invoices: int
    round_amount_invoices: int
    bank_change_before_payment: int
    ring_rotation: int = 0  # schemes no feature was written for (demo/fraud_unseen.py)
    price_creep: int = 0


class Dirty(_Section):
    erp_rows_per_kind: int
    wms_malformed_files: int
    wms_bad_rows: int


class Sales(_Section):
    dealer_share: float
    orders_per_customer_shape: float
    churn_prob: float
    cancel_rate: float
    ticket_rate: float
    quality_ticket_share: float


class Crm(_Section):
    contacts_per_customer: float
    interactions_per_customer: float
    error_rate: float
    rate_limit_per_s: float
    burst: int


class Wms(_Section):
    warehouse_share: float
    receipt_difference_rate: float
    consumption_min: float
    consumption_max: float
    difference_weights: dict[str, float]


class Iot(_Section):
    gps_tracked_share: float
    gps_interval_minutes: int
    rfid_warehouse_share: float
    agv_warehouses: int
    temperature_interval_minutes: int
    temperature_sensors_per_warehouse: int
    temperature_excursion_rate: float
    duplicate_rate: float


class Profile(_Section):
    """A parsed profile; ``sha256`` is the hash of the TOML file's bytes."""

    meta: Meta
    window: Window
    group: Group
    scale: ScaleCounts
    units: tuple[Unit, ...]
    calendar: Calendar
    suppliers: Suppliers
    procurement: Procurement
    demand: Demand
    quality: Quality
    fraud: Fraud
    dirty: Dirty
    sales: Sales
    crm: Crm
    wms: Wms
    iot: Iot
    sha256: str = ""
    path: str = ""

    @property
    def unit_codes(self) -> tuple[str, ...]:
        return tuple(u.code for u in self.units)

    def unit(self, code: str) -> Unit:
        """The business unit called ``code``."""
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    @property
    def window_start(self) -> dt.date:
        """First simulated day: ``months`` whole months before the day after ``end_date``."""
        end = self.window.end_date + dt.timedelta(days=1)
        month_index = end.year * 12 + end.month - 1 - self.window.months
        return dt.date(month_index // 12, month_index % 12 + 1, min(end.day, 28))


def profile_path(name_or_path: str) -> Path:
    """The TOML file of a profile name (``benchmark``) or an explicit path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        return candidate
    return PROFILES_DIR / f"{name_or_path}.toml"


@functools.lru_cache(maxsize=8)
def load_profile(name_or_path: str = "benchmark") -> Profile:
    """Parse a profile.

    Args:
        name_or_path: a profile name under ``demo/profiles/`` or a ``.toml`` path.

    Returns:
        The frozen :class:`Profile`.

    Raises:
        FileNotFoundError: no such profile.
        pydantic.ValidationError: unknown or missing keys, wrong types.

    Example:
        >>> load_profile().scale.companies
        800
    """
    path = profile_path(name_or_path)
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    return Profile(**data, sha256=hashlib.sha256(raw).hexdigest(), path=str(path))
