"""CDNOW fixtures read from the ``lifetimes`` package data (the test-only reference).

The 2357-customer CDNOW sample (Fader, Hardie & Lee 2005), 39-week calibration period
1997-01-01 … 1997-09-30, recency and T in weeks.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def lifetimes_datasets() -> Path:
    """Folder of the CSV/TXT files shipped inside the lifetimes package."""
    with warnings.catch_warnings():  # lifetimes sets a pandas option deprecated in pandas 3
        warnings.simplefilter("ignore")
        import lifetimes.datasets

    return Path(lifetimes.datasets.__file__).parent


@pytest.fixture(scope="session")
def cdnow_summary(lifetimes_datasets: Path) -> pd.DataFrame:
    """Published CDNOW summary: customer_id, frequency, recency, T, monetary_value (zbar)."""
    raw = pd.read_csv(lifetimes_datasets / "cdnow_customers_summary_with_transactions.csv")
    return raw.rename(
        columns={"ID": "customer_id", "x": "frequency", "t_x": "recency", "zbar": "monetary_value"}
    )[["customer_id", "frequency", "recency", "T", "monetary_value"]]


@pytest.fixture(scope="session")
def cdnow_transactions(lifetimes_datasets: Path) -> pd.DataFrame:
    """CDNOW sample transactions: customer_id (sample id), order_date, amount (US$)."""
    raw = pd.read_csv(
        lifetimes_datasets / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["amount"],
        }
    )
