"""Purchase histories as the recommenders see them: one row per (order, item).

Every product recommender here works on the same plain frame, whatever the source (the
group's ERP purchase-order lines, the platform's orders, a CSV a user hands to
``grouplake reco evaluate``, a public basket data set):

``customer_id`` (who buys: an ERP buyer, a platform user, a household), ``item_id`` (what:
a SKU code), ``order_id`` (one basket / purchase order), ``ordered_at`` (UTC timestamp), and
optionally ``group_id`` (the customer's business unit; ``""`` when unknown).

Duplicate (order, item) lines collapse into one row (a basket holds an item or not); an order
belongs to one customer and one time (the first seen), so a malformed file cannot make one
order two baskets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

COLUMNS = ("customer_id", "item_id", "order_id", "ordered_at")


class TransactionsError(ValueError):
    """The input is not a usable purchase history (message says why)."""


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical transactions frame: typed, one row per (order, item), sorted by time.

    Args:
        frame: at least :data:`COLUMNS`; ``group_id`` optional.

    Returns:
        ``customer_id, item_id, order_id, ordered_at, group_id`` (strings, UTC timestamps),
        sorted by ``ordered_at, order_id, item_id``.

    Raises:
        TransactionsError: a column is missing, a value is empty or a time does not parse.

    Example:
        >>> f = pd.DataFrame({"customer_id": ["c"], "item_id": ["i"], "order_id": ["o"],
        ...                   "ordered_at": ["2025-01-01"]})
        >>> normalise(f)["ordered_at"].iloc[0]
        Timestamp('2025-01-01 00:00:00+0000', tz='UTC')
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if not missing and frame.empty:
        return pd.DataFrame({"customer_id": pd.Series(dtype=object), "item_id": pd.Series(dtype=object),
                             "order_id": pd.Series(dtype=object),
                             "ordered_at": pd.Series(dtype="datetime64[us, UTC]"),
                             "group_id": pd.Series(dtype=object)})
    if missing:
        raise TransactionsError(f"missing column(s): {', '.join(missing)} (need {', '.join(COLUMNS)})")
    out = pd.DataFrame({c: frame[c].astype("string").str.strip() for c in ("customer_id", "item_id", "order_id")})
    empty = out.isna() | (out == "")
    if empty.any().any():
        bad = empty.any(axis=1)
        row = int(bad.to_numpy().nonzero()[0][0])
        raise TransactionsError(f"{int(bad.sum())} row(s) with an empty id (first: row {row + 1})")
    times = pd.to_datetime(frame["ordered_at"], utc=True, errors="coerce", format="mixed")
    if times.isna().any():
        row = int(times.isna().to_numpy().nonzero()[0][0])
        raise TransactionsError(f"{int(times.isna().sum())} row(s) with an unreadable ordered_at "
                                f"(first: row {row + 1}: {frame['ordered_at'].iloc[row]!r})")
    out["ordered_at"] = times.astype("datetime64[us, UTC]")
    out["group_id"] = (frame["group_id"].astype("string").fillna("") if "group_id" in frame.columns
                       else pd.Series("", index=frame.index, dtype="string"))
    out = out.astype({"customer_id": object, "item_id": object, "order_id": object, "group_id": object})
    # an order is one basket of one customer at one time: the first row seen decides
    first = out.drop_duplicates("order_id")[["order_id", "customer_id", "ordered_at", "group_id"]]
    out = out[["order_id", "item_id"]].drop_duplicates().merge(first, on="order_id", how="left")
    out = out[["customer_id", "item_id", "order_id", "ordered_at", "group_id"]]
    return out.sort_values(["ordered_at", "order_id", "item_id"], kind="stable").reset_index(drop=True)


def read_csv(path: Path | str) -> pd.DataFrame:
    """Read a transactions CSV (``customer_id,item_id,order_id,ordered_at[,group_id]``).

    Raises:
        TransactionsError: unreadable file or bad content.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise TransactionsError(f"cannot read {path}: {exc}") from exc
    if frame.empty:
        raise TransactionsError(f"{path} holds no transactions")
    return normalise(frame)


@dataclass(frozen=True)
class Split:
    """A leave-last-order-out split: ``history`` (all earlier orders) and ``target`` (each
    customer's last order), for customers with at least one earlier order."""

    history: pd.DataFrame
    target: pd.DataFrame
    #: customers whose only order was their last one (no history: not evaluated)
    single_order_customers: int


def order_table(tx: pd.DataFrame) -> pd.DataFrame:
    """One row per order: ``order_id, customer_id, ordered_at, group_id`` with ``seq`` = the
    order's position in its customer's history (0 = first), ties broken by order id."""
    orders = tx.drop_duplicates("order_id")[["order_id", "customer_id", "ordered_at", "group_id"]]
    orders = orders.sort_values(["customer_id", "ordered_at", "order_id"], kind="stable")
    orders["seq"] = orders.groupby("customer_id").cumcount()
    orders["n_orders"] = orders.groupby("customer_id")["order_id"].transform("size")
    return orders.reset_index(drop=True)


def split_last_order(tx: pd.DataFrame, back: int = 0) -> Split:
    """Hold out each customer's last order (``back`` = 1: the one before it, history before that).

    Customers with fewer than ``back + 2`` orders have no history before their target and are
    left out of ``target``; their earlier orders stay in ``history``.

    Example:
        >>> tx = normalise(pd.DataFrame({"customer_id": ["a", "a", "b"], "item_id": ["x", "y", "x"],
        ...     "order_id": ["1", "2", "3"], "ordered_at": ["2025-01-01", "2025-01-05", "2025-01-02"]}))
        >>> s = split_last_order(tx)
        >>> list(s.target["order_id"]), sorted(s.history["order_id"]), s.single_order_customers
        (['2'], ['1', '3'], 1)
    """
    orders = order_table(tx)
    position = orders["n_orders"] - 1 - back
    is_target = orders["seq"] == position
    after = orders["seq"] > position
    eligible = is_target & (orders["seq"] >= 1)
    target_ids = set(orders.loc[eligible, "order_id"])
    dropped = set(orders.loc[is_target | after, "order_id"])
    history = tx[~tx["order_id"].isin(dropped)].reset_index(drop=True)
    target = tx[tx["order_id"].isin(target_ids)].reset_index(drop=True)
    single = int((is_target & (orders["seq"] == 0)).sum())
    return Split(history, target, single)
