"""Where feature SQL reads from, and the few business constants it needs.

The feature SQL never names a lake table directly: it formats :class:`Sources` into its
queries, so the same SQL runs over the lake's bronze views (the default,
``bronze.erp__purchase_orders`` …), over dbt staging models, or over tiny tables a test
creates in an in-memory DuckDB.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

#: ERP entities the features read (each one a bronze table ``bronze.erp__<entity>``).
ENTITIES: tuple[str, ...] = (
    "business_units", "users", "vendors", "vendor_bank_accounts", "supplier_offers",
    "purchase_orders", "purchase_order_lines", "shipments", "goods_receipts",
    "quality_inspections", "ap_invoices", "payments", "fx_rates",
)


@dataclass(frozen=True)
class Sources:
    """Relation names of the ERP entities (SQL identifiers, possibly schema-qualified)."""

    business_units: str = "bronze.erp__business_units"
    users: str = "bronze.erp__users"
    vendors: str = "bronze.erp__vendors"
    vendor_bank_accounts: str = "bronze.erp__vendor_bank_accounts"
    supplier_offers: str = "bronze.erp__supplier_offers"
    purchase_orders: str = "bronze.erp__purchase_orders"
    purchase_order_lines: str = "bronze.erp__purchase_order_lines"
    shipments: str = "bronze.erp__shipments"
    goods_receipts: str = "bronze.erp__goods_receipts"
    quality_inspections: str = "bronze.erp__quality_inspections"
    ap_invoices: str = "bronze.erp__ap_invoices"
    payments: str = "bronze.erp__payments"
    fx_rates: str = "bronze.erp__fx_rates"
    materials: str = "bronze.erp__materials"


@dataclass(frozen=True)
class FeatureConfig:
    """Business constants of the red-flag features (what an internal-audit team sets).

    Args:
        timezone: the group's local time zone (night and weekend are judged in it).
        group_currency: amounts are converted into it with the dated ERP reference rate.
        night_start_hour: local hour from which an entry counts as made at night.
        night_end_hour: local hour until which it does (exclusive).
        split_window_days: orders by one buyer to one vendor this many days apart form a split.
        under_limit_share: an amount at or above this share of the limit is "just under" it.
        duplicate_lookback_days: earlier invoices of the vendor compared with each invoice.
        recent_bank_change_days: a payment this soon after a bank-account change is flagged.
        short_lived_account_days: an account valid no longer than this is "short-lived".
    """

    timezone: str = "Asia/Shanghai"
    group_currency: str = "CNY"
    night_start_hour: int = 22
    night_end_hour: int = 7
    split_window_days: int = 2
    under_limit_share: float = 0.90
    duplicate_lookback_days: int = 120
    recent_bank_change_days: float = 7.0
    short_lived_account_days: float = 30.0

    def as_params(self) -> dict[str, Any]:
        """The constants as a flat dict (logged as MLflow params)."""
        return {f"feature_{k}": v for k, v in asdict(self).items()}


def off_hours_sql(column: str, config: FeatureConfig) -> str:
    """SQL predicate: ``column`` (a UTC timestamp) falls at night or on a weekend, local time."""
    local = f"timezone('{config.timezone}', {column})"
    return (
        f"(hour({local}) >= {config.night_start_hour} or hour({local}) < {config.night_end_hour}"
        f" or isodow({local}) in (6, 7))"
    )


def fx_sql(sources: Sources, config: FeatureConfig) -> str:
    """A CTE body: the dated reference rates into the group currency."""
    return (
        f"select cast(rate_date as date) as rate_date, from_currency, cast(rate as double) as rate "
        f"from {sources.fx_rates} where to_currency = '{config.group_currency}'"
    )


def open_lake(settings: Any) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB over the lake (every Delta table a view), session time zone UTC.

    Example:
        >>> from infra.settings import get_settings
        >>> con = open_lake(get_settings())  # doctest: +SKIP
    """
    from lake.sql import connect
    from lake.storage import LakeStorage

    con = connect(LakeStorage.from_settings(settings))
    con.execute("SET TimeZone = 'UTC'")
    return con


def missing_sources(con: duckdb.DuckDBPyConnection, sources: Sources, entities: tuple[str, ...] = ENTITIES) -> list[str]:
    """Relations among ``entities`` that do not exist on ``con``."""
    import duckdb

    missing = []
    for entity in entities:
        name = getattr(sources, entity)
        try:
            con.execute(f"select 1 from {name} limit 0")
        except duckdb.Error:
            missing.append(name)
    return missing
