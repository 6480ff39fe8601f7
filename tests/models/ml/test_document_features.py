"""Invoice and payment red flags: given ERP rows, the exact feature values."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from models.ml.features.invoices import INVOICE_FEATURES, invoice_features
from models.ml.features.payments import NEVER_CHANGED_DAYS, PAYMENT_FEATURES, payment_features
from tests.models.ml.erp import base_erp, order, utc


def _invoice(erp, inv, number, *, shipment, received, gross, net, vendor="V1"):
    erp.add("ap_invoices", ap_invoice_id=inv, invoice_number=number, vendor_id=vendor, purchase_order_id="P1",
            shipment_id=shipment, invoice_date=received.date(), received_at=received, net_amount=net,
            gross_amount=gross, currency="CNY")


@pytest.fixture(scope="module")
def erp():
    erp = base_erp()
    order(erp, "P1", day=dt.date(2026, 3, 2), amount=416_000)
    erp.add("purchase_order_lines", purchase_order_line_id="P1-1", purchase_order_id="P1", material_id="MAT1",
            quantity=1000, unit_price=100, currency="CNY")
    erp.add("purchase_order_lines", purchase_order_line_id="P1-2", purchase_order_id="P1", material_id="MAT2",
            quantity=100, unit_price=2800, currency="CNY")
    erp.add("goods_receipts", goods_receipt_id="GR1", purchase_order_id="P1", purchase_order_line_id="P1-1",
            shipment_id="S1", quantity=1000)
    erp.add("goods_receipts", goods_receipt_id="GR2", purchase_order_id="P1", purchase_order_line_id="P1-2",
            shipment_id="S2", quantity=100)
    _invoice(erp, "I1", "12345678", shipment="S1", received=utc("2026-03-10 02:00"), gross=113_000, net=100_000)
    _invoice(erp, "I2", "12345678-1", shipment="S1", received=utc("2026-04-09 02:00"), gross=113_000, net=100_000)
    _invoice(erp, "I3", "No.12345678", shipment="S9", received=utc("2026-09-10 02:00"), gross=113_000, net=100_000)
    _invoice(erp, "I4", "87654321", shipment="S2", received=utc("2026-03-12 02:00"), gross=350_000, net=309_734.51)
    _invoice(erp, "I5", "55555555", shipment="S3", received=utc("2026-03-13 02:00"), gross=113_456.78,
             net=100_404.23, vendor="V2")
    # V1's bank account: switched by a buyer to a Shenzhen branch 3 days before a payment, back 10 days later
    erp.add("vendor_bank_accounts", vendor_bank_account_id="A0", vendor_id="V1", bank_name="中国银行南宁分行",
            bank_account="1111", changed_at=utc("2025-01-01 00:00"), valid_to=utc("2026-03-10 08:00"))
    erp.add("vendor_bank_accounts", vendor_bank_account_id="A1", vendor_id="V1", bank_name="中国银行深圳分行",
            bank_account="9999", changed_at=utc("2026-03-10 08:00"), changed_by="U-B1",
            valid_to=utc("2026-03-20 08:00"))
    erp.add("vendor_bank_accounts", vendor_bank_account_id="A2", vendor_id="V1", bank_name="中国银行南宁分行",
            bank_account="1111", changed_at=utc("2026-03-20 08:00"), changed_by="U-B1")
    for pay, paid, account, amount in (("PAY1", "2026-03-13 08:00", "9999", 113_000),
                                       ("PAY2", "2026-03-01 08:00", "1111", 113_000),
                                       ("PAY3", "2026-04-01 08:00", "1111", 100_000)):
        at = utc(paid)
        erp.add("payments", payment_id=pay, ap_invoice_id="I1", vendor_id="V1", paid_at=at, payment_date=at.date(),
                amount=amount, currency="CNY", bank_account=account)
    erp.add("payments", payment_id="PAY4", ap_invoice_id="I5", vendor_id="V2", paid_at=utc("2026-04-01 08:00"),
            payment_date=dt.date(2026, 4, 1), amount=113_456.78, currency="CNY", bank_account="2222")
    return erp.connect()


@pytest.fixture(scope="module")
def invoices(erp):
    return invoice_features(erp).set_index("document_id")


@pytest.fixture(scope="module")
def payments(erp):
    return payment_features(erp).set_index("document_id")


def test_invoice_rows_and_columns(invoices):
    assert list(invoices.index) == ["I1", "I2", "I3", "I4", "I5"]
    assert set(INVOICE_FEATURES) <= set(invoices.columns)


def test_duplicate_invoice_is_matched_on_shipment_amount_and_normalised_number(invoices):
    assert invoices.loc["I1", ["earlier_same_shipment", "earlier_same_amount", "earlier_same_number"]].tolist() \
        == [0, 0, 0]
    assert invoices.loc["I2", ["earlier_same_shipment", "earlier_same_amount", "earlier_same_number"]].tolist() \
        == [1, 1, 1]  # "12345678-1" is "12345678"


def test_duplicates_are_looked_for_within_the_lookback_only(invoices):
    # "No.12345678", same amount, but 154 days after I2: beyond the 120-day lookback
    assert invoices.loc["I3", ["earlier_same_shipment", "earlier_same_amount", "earlier_same_number"]].tolist() \
        == [0, 0, 0]


def test_round_amount_and_three_way_match(invoices):
    i4 = invoices.loc["I4"]
    assert (i4["round_amount"], i4["roundness"]) == (1, pytest.approx(4 / 5))
    assert i4["over_receipt_pct"] == pytest.approx(309_734.51 / 280_000 - 1)
    assert invoices.loc["I1", "over_receipt_pct"] == pytest.approx(0)
    assert (invoices.loc["I5", "round_amount"], invoices.loc["I5", "roundness"]) == (0, 0)
    assert invoices.loc["I5", "over_receipt_pct"] == 0  # no receipt for S3: unknown, not a flag


def test_payment_rows_and_columns(payments):
    assert list(payments.index) == ["PAY1", "PAY2", "PAY3", "PAY4"]
    assert set(PAYMENT_FEATURES) <= set(payments.columns)


def test_payment_to_an_account_switched_just_before_and_back_after(payments):
    p = payments.loc["PAY1"]
    assert p["days_since_change"] == pytest.approx(3.0)
    assert p["log_days_since_bank_change"] == pytest.approx(math.log1p(3.0))
    assert [p[f] for f in ("recent_bank_change", "account_reverted", "account_short_lived",
                           "paid_account_not_master", "bank_outside_vendor_city", "bank_changed_by_buyer")] \
        == [1, 1, 1, 1, 1, 1]
    assert p["amount_vs_invoice"] == pytest.approx(0)


def test_payment_before_any_change_raises_no_flag(payments):
    p = payments.loc["PAY2"]
    assert p["log_days_since_bank_change"] == pytest.approx(math.log1p(NEVER_CHANGED_DAYS))
    assert [p[f] for f in ("recent_bank_change", "account_reverted", "account_short_lived",
                           "paid_account_not_master", "bank_outside_vendor_city", "bank_changed_by_buyer")] \
        == [0, 0, 0, 0, 0, 0]


def test_payment_after_the_switch_back(payments):
    p = payments.loc["PAY3"]
    assert p["days_since_change"] == pytest.approx(12.0)
    assert (p["recent_bank_change"], p["account_reverted"], p["account_short_lived"]) == (0, 0, 0)
    assert (p["bank_outside_vendor_city"], p["bank_changed_by_buyer"]) == (0, 1)  # Nanning branch, by a buyer
    assert p["amount_vs_invoice"] == pytest.approx(100_000 / 113_000 - 1)


def test_vendor_without_bank_history(payments):
    p = payments.loc["PAY4"]
    assert p["recent_bank_change"] == 0 and p["paid_account_not_master"] == 0
    assert p["log_days_since_bank_change"] == pytest.approx(math.log1p(NEVER_CHANGED_DAYS))
