"""RFM summary: reproduces the published CDNOW summary and lifetimes; bad input is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from models.clv import ClvInputError, calibration_and_holdout, summarize_transactions


@pytest.fixture(scope="module")
def cdnow_weeks(cdnow_transactions: pd.DataFrame) -> pd.DataFrame:
    return summarize_transactions(cdnow_transactions, observation_end="1997-09-30", unit="weeks")


def test_cdnow_transactions_reproduce_the_published_summary(cdnow_weeks, cdnow_summary):
    assert len(cdnow_weeks) == 2357
    published = cdnow_summary.set_index("customer_id").loc[cdnow_weeks["customer_id"]]
    assert (cdnow_weeks["frequency"].to_numpy() == published["frequency"].to_numpy()).all()
    # the published file rounds weeks and dollars to 2 decimals
    for column in ("recency", "T", "monetary_value"):
        np.testing.assert_allclose(cdnow_weeks[column], published[column], atol=0.005 + 1e-9)


def test_cdnow_summary_matches_lifetimes_exactly(cdnow_transactions, cdnow_weeks):
    from lifetimes.utils import summary_data_from_transaction_data

    theirs = summary_data_from_transaction_data(
        cdnow_transactions,
        "customer_id",
        "order_date",
        "amount",
        observation_period_end="1997-09-30",
        freq="D",
        freq_multiplier=7,
    )
    ours = cdnow_weeks.set_index("customer_id").loc[theirs.index]
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-12)


def test_example_transactions_in_days_match_lifetimes(lifetimes_datasets):
    from lifetimes.utils import summary_data_from_transaction_data

    tx = pd.read_csv(lifetimes_datasets / "example_transactions.csv", parse_dates=["date"])
    ours = summarize_transactions(tx, customer_id_col="id", date_col="date", amount_col=None)
    theirs = summary_data_from_transaction_data(tx, "id", "date")
    assert len(ours) == len(theirs) == 5000
    ours = ours.set_index("customer_id").loc[theirs.index, ["frequency", "recency", "T"]]
    np.testing.assert_array_equal(ours.to_numpy(), theirs.to_numpy())


def test_conventions_on_a_small_log():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c"],
            "order_date": [
                "2024-01-01",
                "2024-01-01",
                "2024-01-08",
                "2024-01-22",
                "2024-01-05",
                "2024-02-01",
            ],
            "amount": [Decimal("10.0000"), Decimal("5.5000"), Decimal(20), Decimal(40), 7, 99],
        }
    )
    out = summarize_transactions(tx, observation_end=dt.date(2024, 1, 15))
    assert out.to_dict("list") == {
        "customer_id": ["a", "b"],  # c is after the observation end
        "frequency": [1.0, 0.0],  # same-day orders are one purchase; 01-22 is after the end
        "recency": [7.0, 0.0],
        "T": [14.0, 10.0],
        "monetary_value": [20.0, 0.0],  # first day excluded
    }
    default_end = summarize_transactions(tx)  # last transaction day: 2024-02-01
    assert default_end.set_index("customer_id")["T"].to_dict() == {"a": 31.0, "b": 27.0, "c": 0.0}
    assert default_end.set_index("customer_id").loc["a", "monetary_value"] == 30.0


def test_timestamps_are_bucketed_by_utc_day():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1],
            # Shanghai 23:30 on Jan 2 and 07:00 on Jan 3 are both Jan 2 in UTC
            "order_date": pd.to_datetime(["2024-01-02 23:30", "2024-01-03 07:00"]).tz_localize(
                "Asia/Shanghai"
            ),
            "amount": [1.0, 2.0],
        }
    )
    out = summarize_transactions(tx, observation_end="2024-01-10")
    assert out[["frequency", "recency", "T"]].values.tolist() == [[0.0, 0.0, 8.0]]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("amount", None, "null amount"),
        ("amount", -3.0, "negative amount"),
        ("amount", "lots", "must be numeric"),
        ("order_date", None, "null 'order_date'"),
        ("customer_id", None, "without a customer id"),
    ],
)
def test_bad_transactions_are_refused_not_dropped(column, value, message):
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "order_date": ["2024-01-01", "2024-01-02"],
            "amount": [1.0, 2.0],
        }
    )
    tx[column] = tx[column].astype(object)
    tx.loc[1, column] = value
    with pytest.raises(ClvInputError, match=message):
        summarize_transactions(tx)


def test_missing_columns_and_units_are_refused():
    tx = pd.DataFrame({"customer_id": ["a"], "order_date": ["2024-01-01"]})
    with pytest.raises(ClvInputError, match=r"miss column\(s\) \['amount'\]"):
        summarize_transactions(tx)
    with pytest.raises(ClvInputError, match="unit must be one of"):
        summarize_transactions(tx, amount_col=None, unit="months")


def test_empty_window_gives_an_empty_summary():
    tx = pd.DataFrame({"customer_id": ["a"], "order_date": ["2024-02-01"], "amount": [1.0]})
    out = summarize_transactions(tx, observation_end="2024-01-01")
    assert out.empty
    assert list(out.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value"]


def test_calibration_and_holdout_matches_lifetimes(cdnow_transactions):
    from lifetimes.utils import calibration_and_holdout_data

    ours = calibration_and_holdout(
        cdnow_transactions,
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
        unit="weeks",
    ).set_index("customer_id")
    theirs = calibration_and_holdout_data(
        cdnow_transactions,
        "customer_id",
        "order_date",
        calibration_period_end="1997-09-30",
        observation_period_end="1998-06-30",
        freq="D",
        freq_multiplier=7,
        monetary_value_col="amount",
    )
    ours = ours.loc[theirs.index]
    pairs = {
        "frequency": "frequency_cal",
        "recency": "recency_cal",
        "T": "T_cal",
        "monetary_value": "monetary_value_cal",
        "frequency_holdout": "frequency_holdout",
        "duration_holdout": "duration_holdout",
    }
    for mine, their in pairs.items():
        np.testing.assert_allclose(ours[mine], theirs[their], rtol=1e-12, err_msg=mine)
    # Deliberate difference: lifetimes averages raw holdout transactions, we average the per-day
    # totals, the same convention as the calibration monetary_value (and as frequency_holdout).
    holdout = cdnow_transactions[
        (cdnow_transactions["order_date"] > "1997-09-30")
        & (cdnow_transactions["order_date"] <= "1998-06-30")
    ]
    per_day = holdout.groupby(["customer_id", "order_date"])["amount"].sum()
    expected = per_day.groupby(level="customer_id").mean().reindex(ours.index, fill_value=0.0)
    np.testing.assert_allclose(ours["monetary_value_holdout"], expected, rtol=1e-12)
    assert (ours["monetary_value_holdout"] != theirs["monetary_value_holdout"]).sum() == 49
    assert ours["duration_holdout"].iloc[0] == pytest.approx(273 / 7)


def test_calibration_end_must_precede_observation_end():
    tx = pd.DataFrame({"customer_id": ["a"], "order_date": ["2024-01-01"], "amount": [1.0]})
    with pytest.raises(ClvInputError, match="must be after calibration_end"):
        calibration_and_holdout(tx, calibration_end="2024-01-05", observation_end="2024-01-05")
