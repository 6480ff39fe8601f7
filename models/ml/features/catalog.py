"""The catalogue of fraud-risk features: meaning, transformation, red-flag rule, reason text.

One :class:`Feature` per model input. ``flag`` is the auditor's rule of thumb (the value
from which the feature is a red flag on its own); the unsupervised fallback counts fired
flags, the supervised model learns weights. ``reason`` is the sentence shown next to a
risk score when the feature contributes to it; it is formatted with the document's row
(feature and key columns), e.g. ``"{limit_ratio:.0%}"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.ml.features.invoices import INVOICE_FEATURES
from models.ml.features.orders import ORDER_FEATURES
from models.ml.features.payments import PAYMENT_FEATURES

DOCUMENT_TYPES: tuple[str, ...] = ("purchase_order", "ap_invoice", "payment")


@dataclass(frozen=True)
class Feature:
    """One model input.

    Args:
        name: column name produced by the feature SQL.
        description: what it measures, for people.
        reason: sentence shown when it raises a score (``str.format`` over the row); empty:
            never named (another feature says the same, e.g. ``roundness`` / ``round_amount``).
        flag: value from which it is a red flag on its own (``None``: context only).
    """

    name: str
    description: str
    reason: str
    flag: float | None = None

    def explain(self, row: dict) -> str:
        """The reason sentence for ``row`` (falls back to the name if a value is missing)."""
        try:
            return self.reason.format(**row)
        except (KeyError, ValueError, TypeError):
            return self.name.replace("_", " ")


_COMMON = {
    "log_amount_cny": Feature("log_amount_cny", "ln(1 + amount in the group currency)",
                              "large amount ({amount_cny:,.0f} CNY)"),
    "log_vendor_tenure_days": Feature(
        "log_vendor_tenure_days", "ln(1 + days since the vendor was onboarded)",
        "vendor onboarded recently"),
}

ORDER_CATALOG: dict[str, Feature] = {
    "log_amount_cny": _COMMON["log_amount_cny"],
    "limit_ratio": Feature("limit_ratio", "amount / the unit's approval limit",
                           "amount is {limit_ratio:.0%} of the approval limit"),
    "just_under_limit": Feature("just_under_limit", "1 if the amount is 90-100% of the approval limit",
                                "amount just under the approval limit ({limit_ratio:.1%})", flag=1),
    "split_siblings": Feature("split_siblings", "other orders by the same buyer to the same vendor within 2 days",
                              "{split_siblings:.0f} other order(s) by the same buyer to the same vendor within days"),
    "split_siblings_under_limit": Feature(
        "split_siblings_under_limit", "how many of those orders are themselves 90-100% of the approval limit",
        "{split_siblings_under_limit:.0f} same-vendor order(s) by the same buyer within days, each also "
        "just under the approval limit", flag=1),
    "split_total_ratio": Feature("split_total_ratio", "(amount + those orders' amounts) / approval limit",
                                 ""),
    "split_under_limit": Feature(
        "split_under_limit", "1 if this order is under the limit but together with its siblings above it",
        "possible split: under the limit alone, {split_total_ratio:.0%} of it with "
        "{split_siblings:.0f} same-vendor order(s) by the same buyer", flag=1),
    "self_approved": Feature("self_approved", "1 if approved by its own buyer",
                             "approved by its own buyer ({buyer_id})", flag=1),
    "override_lines": Feature("override_lines", "lines whose unit price was changed by hand",
                              "{override_lines:.0f} line price(s) changed by hand"),
    "override_off_hours": Feature("override_off_hours", "1 if a price was changed at night or on a weekend (local time)",
                                  "price changed by hand at night or on a weekend", flag=1),
    "override_after_approval": Feature("override_after_approval", "1 if a price was changed after approval",
                                       "price changed after the order was approved", flag=1),
    "max_override_uplift": Feature("max_override_uplift", "largest hand-changed price / offer price - 1",
                                   "price raised {max_override_uplift:.0%} over the supplier's offer", flag=0.08),
    "max_price_vs_median": Feature("max_price_vs_median", "largest line price / the material's median price - 1",
                                   "price {max_price_vs_median:.0%} above the material's median", flag=0.25),
    "log_vendor_tenure_days": _COMMON["log_vendor_tenure_days"],
    "created_off_hours": Feature("created_off_hours", "1 if entered at night or on a weekend (local time)",
                                 "entered at night or on a weekend"),
}

INVOICE_CATALOG: dict[str, Feature] = {
    "log_amount_cny": _COMMON["log_amount_cny"],
    "roundness": Feature("roundness", "trailing zeros of the gross amount / (digits - 1)",
                         ""),
    "round_amount": Feature("round_amount", "1 if the gross amount has at most two significant digits (>= 1,000)",
                            "suspiciously round gross amount ({amount:,.2f} {currency})", flag=1),
    "over_receipt_pct": Feature("over_receipt_pct", "invoiced net / value of the goods received for the shipment - 1",
                                "invoiced {over_receipt_pct:.0%} above the value received (3-way match)", flag=0.03),
    "earlier_same_shipment": Feature("earlier_same_shipment", "earlier invoices of the vendor for the same shipment",
                                     "the shipment was already invoiced ({earlier_same_shipment:.0f}x)", flag=1),
    "earlier_same_amount": Feature("earlier_same_amount", "earlier invoices of the vendor with the same gross amount",
                                   "same amount invoiced by the vendor before ({earlier_same_amount:.0f}x)", flag=1),
    "earlier_same_number": Feature("earlier_same_number", "earlier invoices of the vendor with the same normalised number",
                                   "same invoice number entered before ({earlier_same_number:.0f}x)", flag=1),
    "log_vendor_tenure_days": _COMMON["log_vendor_tenure_days"],
}

PAYMENT_CATALOG: dict[str, Feature] = {
    "log_amount_cny": _COMMON["log_amount_cny"],
    "recent_bank_change": Feature("recent_bank_change", "1 if the vendor's bank account changed <= 7 days before",
                                  "bank account changed {days_since_change:.1f} days before the payment", flag=1),
    "log_days_since_bank_change": Feature("log_days_since_bank_change", "ln(1 + days since the account changed)",
                                          ""),
    "account_reverted": Feature("account_reverted", "1 if the account was switched back to the previous one afterwards",
                                "bank account switched back to the previous one after the payment", flag=1),
    "account_short_lived": Feature("account_short_lived", "1 if the account paid to was valid <= 30 days",
                                   "paid to a short-lived bank account", flag=1),
    "paid_account_not_master": Feature("paid_account_not_master", "1 if the account paid differs from the vendor master's",
                                       "paid to an account that is not the vendor master's", flag=1),
    "bank_outside_vendor_city": Feature("bank_outside_vendor_city", "1 if the new account's branch is not in the vendor's city",
                                        "new bank branch outside the vendor's city", flag=1),
    "bank_changed_by_buyer": Feature("bank_changed_by_buyer", "1 if a buyer entered the bank-account change",
                                     "bank account changed by a buyer ({changed_by})", flag=1),
    "amount_vs_invoice": Feature("amount_vs_invoice", "payment / invoice gross amount - 1",
                                 "paid {amount_vs_invoice:+.0%} against the invoice"),
    "log_vendor_tenure_days": _COMMON["log_vendor_tenure_days"],
}

CATALOGS: dict[str, dict[str, Feature]] = {
    "purchase_order": ORDER_CATALOG,
    "ap_invoice": INVOICE_CATALOG,
    "payment": PAYMENT_CATALOG,
}

FEATURES: dict[str, tuple[str, ...]] = {
    "purchase_order": ORDER_FEATURES,
    "ap_invoice": INVOICE_FEATURES,
    "payment": PAYMENT_FEATURES,
}


def catalog_markdown() -> str:
    """The catalogue as a Markdown table per document type (logged with every model)."""
    lines = ["# Fraud-risk features", ""]
    for doc_type, catalog in CATALOGS.items():
        lines += [f"## {doc_type}", "", "| feature | meaning | red flag from |", "|---|---|---|"]
        for name in FEATURES[doc_type]:
            feature = catalog[name]
            flag = "" if feature.flag is None else f"{feature.flag:g}"
            lines.append(f"| `{name}` | {feature.description} | {flag} |")
        lines.append("")
    return "\n".join(lines)
