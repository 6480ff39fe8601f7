"""Red-flag features of payments, one row per payment.

What an auditor checks on a payment: whether the vendor's bank account was changed shortly
before it (the classic diversion: switch the account, pay, switch back), whether that
account was short-lived or switched back to the previous one afterwards, whether the bank
branch is far from the vendor's city, who entered the change (a buyer should not maintain
vendor bank data), whether the account paid differs from the vendor master's, and whether
the amount differs from the invoice's.

``account_reverted`` and ``account_short_lived`` look at what happened *after* the payment:
they are audit (look-back) features; on the last days before the cutoff they cannot fire yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

from models.ml.features.sources import FeatureConfig, Sources, fx_sql

#: Feature columns, in model order (see :mod:`models.ml.features.catalog`).
PAYMENT_FEATURES: tuple[str, ...] = (
    "log_amount_cny", "recent_bank_change", "log_days_since_bank_change", "account_reverted",
    "account_short_lived", "paid_account_not_master", "bank_outside_vendor_city",
    "bank_changed_by_buyer", "amount_vs_invoice", "log_vendor_tenure_days",
)

#: Days used for "never changed within the vendor's history".
NEVER_CHANGED_DAYS = 3650.0

_CLEAN_ACCOUNT = "regexp_replace(coalesce({col}, ''), '[^0-9A-Za-z]', '', 'g')"


def payment_features_sql(sources: Sources, config: FeatureConfig) -> str:
    """The SQL of :func:`payment_features`."""
    s, c = sources, config
    clean_paid = _CLEAN_ACCOUNT.format(col="p.bank_account")
    clean_master = _CLEAN_ACCOUNT.format(col="v.bank_account")
    return f"""
with fx as ({fx_sql(s, c)}),
pay as (
    select p.payment_id, p.ap_invoice_id, p.vendor_id, p.paid_at, cast(p.payment_date as date) as payment_date,
           cast(p.amount as double) as amount, p.currency, p.bank_account, p.bank_name
    from {s.payments} p
),
pay_cny as (
    select pay.*,
           pay.amount * case when pay.currency = '{c.group_currency}' then 1.0 else fx.rate end as amount_cny
    from pay asof left join fx on fx.from_currency = pay.currency and pay.payment_date >= fx.rate_date
),
accounts as (
    select vendor_id, bank_name, bank_account, changed_at, changed_by, valid_to,
           lag(bank_account) over w as previous_account,
           lead(bank_account) over w as next_account,
           lead(changed_at) over w as next_changed_at
    from {s.vendor_bank_accounts}
    window w as (partition by vendor_id order by changed_at, vendor_bank_account_id)
),
at_payment as (
    select p.payment_id, a.bank_name as account_bank_name, a.changed_at, a.changed_by, a.previous_account,
           a.next_account, coalesce(a.valid_to, a.next_changed_at) as account_end
    from pay p asof left join accounts a on a.vendor_id = p.vendor_id and p.paid_at >= a.changed_at
),
changed as (
    select ap.*, ap.previous_account is not null as was_changed,
           date_diff('second', ap.changed_at, p.paid_at) / 86400.0 as days_since_change
    from at_payment ap join pay p on p.payment_id = ap.payment_id
)
select 'payment' as document_type, p.payment_id as document_id, v.business_unit_code, p.vendor_id,
       po.buyer_id, p.payment_date as document_date, p.amount, p.currency, p.amount_cny,
       ch.days_since_change, ch.changed_by,
       ln(1 + greatest(coalesce(p.amount_cny, 0), 0)) as log_amount_cny,
       coalesce((ch.was_changed and ch.days_since_change <= {c.recent_bank_change_days})::int, 0)
           as recent_bank_change,
       ln(1 + case when ch.was_changed then greatest(ch.days_since_change, 0) else {NEVER_CHANGED_DAYS} end)
           as log_days_since_bank_change,
       coalesce((ch.was_changed and ch.next_account = ch.previous_account)::int, 0) as account_reverted,
       coalesce((ch.was_changed and ch.account_end is not null
                 and date_diff('second', ch.changed_at, ch.account_end) / 86400.0
                     <= {c.short_lived_account_days})::int, 0) as account_short_lived,
       coalesce(({clean_master} <> '' and {clean_paid} <> {clean_master})::int, 0) as paid_account_not_master,
       coalesce((ch.was_changed and v.city is not null
                 and strpos(coalesce(ch.account_bank_name, ''), rtrim(v.city, '市')) = 0)::int, 0)
           as bank_outside_vendor_city,
       coalesce((ch.was_changed and u.role = 'buyer')::int, 0) as bank_changed_by_buyer,
       least(greatest(coalesce(p.amount / nullif(cast(i.gross_amount as double), 0) - 1, 0), -1), 2)
           as amount_vs_invoice,
       ln(1 + greatest(coalesce(date_diff('day', cast(v.created_at as date), p.payment_date), 0), 0))
           as log_vendor_tenure_days
from pay_cny p
left join changed ch on ch.payment_id = p.payment_id
left join {s.vendors} v on v.vendor_id = p.vendor_id
left join {s.users} u on u.user_id = ch.changed_by
left join {s.ap_invoices} i on i.ap_invoice_id = p.ap_invoice_id
left join {s.purchase_orders} po on po.purchase_order_id = i.purchase_order_id
order by p.payment_id
"""


def payment_features(
    con: duckdb.DuckDBPyConnection,
    sources: Sources | None = None,
    config: FeatureConfig | None = None,
) -> pd.DataFrame:
    """One row per payment: keys, amount, and :data:`PAYMENT_FEATURES`.

    Args:
        con: DuckDB connection on which ``sources`` exist (session time zone UTC).
        sources: relation names (default: the lake's bronze ERP views).
        config: audit constants (default :class:`FeatureConfig`).

    Returns:
        Columns ``document_type, document_id, business_unit_code, vendor_id, buyer_id,
        document_date, amount, currency, amount_cny, days_since_change, changed_by`` and the
        features.

    Example:
        >>> frame = payment_features(open_lake(get_settings()))  # doctest: +SKIP
    """
    frame = con.sql(payment_features_sql(sources or Sources(), config or FeatureConfig())).df()
    for name in PAYMENT_FEATURES:
        frame[name] = frame[name].astype(float)
    return frame
