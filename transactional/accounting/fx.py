"""Dated FX rates: loaded from the ERP, edited by finance, used by every conversion.

A conversion on a date uses the newest rate of the pair dated on or before that date, at
most ``fx_max_age_days`` older; else the inverse pair's rate (``1 / rate``); else a cross
through the group currency. No usable rate is an error (``fx_rate_missing``), never a
silent 1:1. Each conversion returns the rate, its date and its source so that the caller
records them (statement lines, rebate accruals, approval checks). Editing a rate later
changes no recorded conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit, events
from transactional.core.paging import fetch_page
from transactional.core.policy import CommercePolicy
from transactional.db.tables.accounting import fx_rates
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.fx import Conversion, Rate, convert, identity, to_rate
from transactional.domain.money import check_currency
from transactional.domain.principal import Principal, Role

EDIT_ROLES = (Role.FINANCE, Role.ADMIN)

_LATEST = (
    select(fx_rates.c.rate, fx_rates.c.rate_date, fx_rates.c.source)
    .where(fx_rates.c.from_currency == bindparam("f"), fx_rates.c.to_currency == bindparam("t"),
           fx_rates.c.rate_date <= bindparam("on"), fx_rates.c.rate_date >= bindparam("oldest"))
    .order_by(fx_rates.c.rate_date.desc())
    .limit(1)
)


class FxRateMissingError(ValidationFailedError):
    """No usable rate for a pair on a date (HTTP 422)."""

    code = "fx_rate_missing"


class RateBook:
    """Rate lookups on one session, cached per (pair, date) for a run of conversions.

    Example:
        >>> book = RateBook(session, policy)  # doctest: +SKIP
        >>> book.convert(Decimal("100"), "USD", "CNY", dt.date(2026, 11, 2)).rate  # doctest: +SKIP
    """

    def __init__(self, session: Session, policy: CommercePolicy) -> None:
        self.session = session
        self.policy = policy
        self._cache: dict[tuple[str, str, dt.date], Rate | None] = {}

    def _direct(self, f: str, t: str, on: dt.date) -> Rate | None:
        key = (f, t, on)
        if key not in self._cache:
            oldest = on - dt.timedelta(days=self.policy.fx_max_age_days)
            row = self.session.connection().execute(
                _LATEST, {"f": f, "t": t, "on": on, "oldest": oldest}).first()
            self._cache[key] = None if row is None else Rate(f, t, row.rate, row.rate_date,
                                                             row.source)
        return self._cache[key]

    def _either(self, f: str, t: str, on: dt.date) -> Rate | None:
        direct = self._direct(f, t, on)
        if direct is not None:
            return direct
        inverse = self._direct(t, f, on)
        return inverse.inverted() if inverse is not None else None

    def rate(self, from_currency: str, to_currency: str, on: dt.date) -> Rate:
        """The rate to use for ``from → to`` on ``on``.

        Raises:
            FxRateMissingError: no direct, inverse or cross rate within the age limit.
        """
        found = self._either(from_currency, to_currency, on)
        group = self.policy.group_currency
        if found is None and group not in (from_currency, to_currency):
            first, second = self._either(from_currency, group, on), self._either(group, to_currency, on)
            if first is not None and second is not None:
                found = first.then(second)
        if found is None:
            raise FxRateMissingError(
                f"no FX rate {from_currency}->{to_currency} on or up to "
                f"{self.policy.fx_max_age_days} days before {on.isoformat()}",
                details={"from_currency": from_currency, "to_currency": to_currency,
                         "date": on.isoformat()},
            )
        return found

    def convert(self, amount: Decimal, from_currency: str, to_currency: str,
                on: dt.date) -> Conversion:
        """Convert ``amount``; a same-currency "conversion" needs no rate."""
        if from_currency == to_currency:
            return identity(amount, to_currency)
        return convert(amount, self.rate(from_currency, to_currency, on))


def _row_json(row: Any) -> dict[str, Any]:
    return {"rate_date": row.rate_date, "from_currency": row.from_currency,
            "to_currency": row.to_currency, "rate": row.rate, "source": row.source,
            "updated_at": row.updated_at}


def set_rate(session: Session, actor: Principal, rate_date: dt.date, from_currency: str,
             to_currency: str, rate: Decimal | str, source: str | None = None) -> dict[str, Any]:
    """Create or change one dated rate (finance and admins); audited, emits
    ``fx_rate.changed``.

    Raises:
        ForbiddenError, ValidationFailedError (bad currency, same currencies, bad rate).
    """
    actor.require(*EDIT_ROLES)
    try:
        check_currency(from_currency)
        check_currency(to_currency)
        value = to_rate(rate)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationFailedError(str(exc)) from exc
    if from_currency == to_currency:
        raise ValidationFailedError("a rate converts between two different currencies")
    label = (source or f"edited by {actor.username or actor.user_id}")[:120]
    key = {"from_currency": from_currency, "to_currency": to_currency, "rate_date": rate_date}
    current = session.execute(select(fx_rates).where(
        *(fx_rates.c[k] == v for k, v in key.items())).with_for_update()).first()
    now = utcnow()
    values = {"rate": value, "source": label, "updated_at": now, "updated_by": actor.user_id}
    if current is None:
        session.execute(insert(fx_rates).values(**key, **values))
    else:
        session.execute(update(fx_rates).where(fx_rates.c.id == current.id).values(**values))
    row = session.execute(select(fx_rates).where(
        *(fx_rates.c[k] == v for k, v in key.items()))).one()
    details = {**key, "rate": value, "source": label,
               "previous_rate": None if current is None else current.rate}
    audit.record(session, actor, "fx_rate.set", "fx_rate", row.id, details=details)
    events.emit(session, "fx_rate.changed", "fx_rate", row.id, _row_json(row))
    return _row_json(row)


def load_rates(session: Session, actor: Principal, rows: Iterable[Mapping[str, Any]],
               source: str) -> dict[str, int]:
    """Bulk-load published rates (``rate_date``, ``from_currency``, ``to_currency``,
    ``rate``), e.g. the ERP's; a rate already present for the pair and date is kept (it may
    have been edited by finance). Audited once.

    Returns:
        ``{"created": n, "kept": m}`` (``kept``: given rows already present).
    """
    actor.require(*EDIT_ROLES)
    present = {(r.from_currency, r.to_currency, r.rate_date) for r in session.execute(
        select(fx_rates.c.from_currency, fx_rates.c.to_currency, fx_rates.c.rate_date))}
    now = utcnow()
    new = []
    kept = 0
    for r in rows:
        key = (r["from_currency"], r["to_currency"], r["rate_date"])
        if key in present:
            kept += 1
            continue
        present.add(key)
        new.append({"from_currency": key[0], "to_currency": key[1], "rate_date": key[2],
                    "rate": to_rate(r["rate"]), "source": (r.get("source") or source)[:120],
                    "updated_at": now, "updated_by": actor.user_id})
    if new:
        session.execute(insert(fx_rates), new)
        audit.record(session, actor, "fx_rate.load", "fx_rate", "bulk",
                     details={"source": source, "created": len(new)})
    return {"created": len(new), "kept": kept}


def list_rates(session: Session, page: PageRequest, *, from_currency: str | None = None,
               to_currency: str | None = None, date_from: dt.date | None = None,
               date_to: dt.date | None = None) -> Page[dict[str, Any]]:
    """Rates, newest first, filtered by pair and date range (inclusive)."""
    query = select(fx_rates).order_by(fx_rates.c.rate_date.desc(), fx_rates.c.from_currency,
                                      fx_rates.c.to_currency)
    if from_currency:
        query = query.where(fx_rates.c.from_currency == from_currency)
    if to_currency:
        query = query.where(fx_rates.c.to_currency == to_currency)
    if date_from:
        query = query.where(fx_rates.c.rate_date >= date_from)
    if date_to:
        query = query.where(fx_rates.c.rate_date <= date_to)
    rows, total = fetch_page(session, query, page)
    return Page.of([_row_json(r) for r in rows], total, page)
