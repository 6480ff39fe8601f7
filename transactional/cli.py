"""``grouplake tx …``: migrate, serve, bootstrap identities, and the periodic commerce jobs
(approval expiry, supplier settlement, dealer rebate settlement) of the transactional service.

Local commands act as the trusted ``system`` principal (a group admin, user id 0, recorded
as such in the audit log). Heavy imports happen inside the commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

tx_app = typer.Typer(
    name="tx",
    help="The transactional service: database migrations, users, API keys, the server.",
    no_args_is_help=True,
)


def _db(database_url: str | None = None):
    """The transactional database: ``database_url`` if given, else ``OLTP__DATABASE_URL``."""
    from infra.settings import get_settings
    from transactional.db.database import Database

    return Database(database_url) if database_url else Database.from_settings(get_settings())


def _read(database_url: str | None, query):
    """``query(session)`` in one read transaction on a database opened for it, then closed."""
    db = _db(database_url)
    try:
        with db.read() as session:
            return query(session)
    finally:
        db.dispose()


def _fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


@tx_app.command("migrate")
def migrate(
    database_url: Annotated[str | None, typer.Option(help="default: OLTP__DATABASE_URL")] = None,
) -> None:
    """Bring the transactional database to the newest schema (idempotent)."""
    from transactional.migrations import upgrade_database

    typer.echo(f"transactional database at revision {upgrade_database(database_url)}")


@tx_app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="default: SERVICES__HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: SERVICES__TRANSACTIONAL_PORT")] = None,
    workers: Annotated[int | None, typer.Option(help="default: OLTP__WORKERS")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Migrate the database, then serve the API with uvicorn."""
    import uvicorn

    from infra.settings import get_settings
    from transactional.migrations import upgrade_database

    settings = get_settings()
    settings.require_secrets()
    if migrate_first:
        upgrade_database()
    uvicorn.run(
        "transactional.main:create_app", factory=True,
        host=host or settings.services.host,
        port=port or settings.services.transactional_port,
        workers=workers or settings.oltp.workers,
        log_level="info", access_log=False,
    )


def _run(fn):
    from transactional.domain.errors import DomainError

    try:
        return _db().run_write(fn)
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message}" + (f" {exc.details}" if exc.details else ""))


@tx_app.command("create-user")
def create_user(
    username: Annotated[str, typer.Option(help="login name")],
    role: Annotated[str, typer.Option(help="buyer, supplier, procurement, finance or admin")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True)],
    business_unit: Annotated[str | None, typer.Option(help="business-unit code")] = None,
    supplier_id: Annotated[str | None, typer.Option(help="for supplier users")] = None,
) -> None:
    """Create a user (run as the system administrator)."""
    from transactional.domain.principal import SYSTEM
    from transactional.identity.users import create_user as create

    user = _run(lambda s: create(s, SYSTEM, username=username, password=password, role=role,
                                 business_unit=business_unit, supplier_id=supplier_id))
    typer.echo(f"created user {user['username']} (id {user['id']}, role {user['role']}"
               f"{', unit ' + user['business_unit'] if user['business_unit'] else ''})")


@tx_app.command("mfa-reset")
def mfa_reset(
    username: Annotated[str, typer.Option(help="the user who lost their second factor")],
) -> None:
    """Switch a user's MFA off (lost device and recovery codes); their tokens are revoked
    and they enrol again at their next login. Audited ``mfa.reset``."""
    from transactional.domain.principal import SYSTEM
    from transactional.identity.mfa import reset

    user_id = _run(lambda s: reset(s, SYSTEM, username))
    typer.echo(f"MFA reset for {username} (id {user_id}); they enrol again at next login")


@tx_app.command("create-api-key")
def create_api_key(
    username: Annotated[str, typer.Option(help="the user the key acts as")],
    name: Annotated[str, typer.Option(help="what the key is for, e.g. erp-sync")],
) -> None:
    """Mint an API key for a user; prints the secret once."""
    from sqlalchemy import select

    from transactional.db.tables.identity import users
    from transactional.domain.principal import SYSTEM
    from transactional.identity.users import create_api_key as create

    def mint(session):
        user_id = session.execute(select(users.c.id).where(users.c.username == username))
        found = user_id.scalar_one_or_none()
        if found is None:
            _fail(f"no user {username!r}")
        return create(session, SYSTEM, found, name)

    record, secret = _run(mint)
    typer.echo(f"API key {record['id']} for {username} (send as X-API-Key):\n{secret}")


@tx_app.command("create-business-unit")
def create_business_unit(
    code: Annotated[str, typer.Option(help="short code, e.g. COAL")],
    name: Annotated[str, typer.Option(help="display name")],
) -> None:
    """Create a business unit."""
    from transactional.domain.principal import SYSTEM
    from transactional.identity.directory import create_business_unit as create

    _run(lambda s: create(s, SYSTEM, code, name))
    typer.echo(f"created business unit {code}")


@tx_app.command("create-supplier")
def create_supplier(
    supplier_id: Annotated[str, typer.Option("--id", help="group supplier id")],
    name: Annotated[str, typer.Option(help="legal name")],
    credit_code: Annotated[str | None, typer.Option(help="unified social credit code")] = None,
) -> None:
    """Register an approved supplier."""
    from transactional.domain.principal import SYSTEM
    from transactional.identity.directory import create_supplier as create

    _run(lambda s: create(s, SYSTEM, supplier_id, name, credit_code))
    typer.echo(f"created supplier {supplier_id}")


@tx_app.command("expire-approvals")
def expire_approvals() -> None:
    """Expire orders whose approval was not decided in time (releases their stock).

    Safe to run at any time and concurrently with the API; run it periodically (the
    ``tx_approval_expiry_schedule`` Dagster schedule does, every 15 minutes).
    """
    from transactional.ordering.lifecycle import expire_pending

    expired = expire_pending(_db())
    typer.echo(f"expired {len(expired)} pending approval(s)"
               + (f": orders {', '.join(map(str, expired))}" if expired else ""))


@tx_app.command("settle-group-buys")
def settle_group_buys() -> None:
    """Settle every due group-buy deal: filled deals place their participants' orders at the
    group price, deals past their deadline release every reservation. Idempotent and
    resumable (one participant per transaction); run it periodically or after a restart.
    """
    from transactional.ordering.groupbuy import settle_due

    done = settle_due(_db())
    typer.echo(f"settled {len(done)} group-buy deal(s)")
    for deal in done:
        typer.echo(f"  deal {deal['deal_id']}: {deal['status']}, {len(deal['ordered'])} order(s) placed, "
                   f"{len(deal['released'])} reservation(s) released")


@tx_app.command("expire-points")
def expire_points() -> None:
    """Expire loyalty points past their date (one customer per transaction; idempotent)."""
    from transactional.benefits.points import expire_due

    done = expire_due(_db())
    typer.echo(f"expired {done['points']} point(s) of {done['customers']} customer(s)")


def _period(period: str | None, start: str | None, end: str | None):
    import datetime as dt

    if period:
        year, month = (int(x) for x in period.split("-"))
        first = dt.date(year, month, 1)
        return first, dt.date(year + month // 12, month % 12 + 1, 1)
    if start and end:
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    today = dt.datetime.now(dt.UTC).date()
    this_month = today.replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    return previous, this_month


@tx_app.command("settle")
def settle(
    period: Annotated[str | None,
                      typer.Option(help="a month, YYYY-MM (default: last month)")] = None,
    start: Annotated[str | None, typer.Option("--from", help="period start, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="period end (exclusive)")] = None,
    business_unit: Annotated[str | None, typer.Option(help="one unit (default: all)")] = None,
    supplier_id: Annotated[str | None, typer.Option(help="one supplier (default: all)")] = None,
) -> None:
    """Issue supplier statements for a period (payables exported to the outbox)."""
    from infra.settings import get_settings
    from transactional.core.policy import CommercePolicy
    from transactional.domain.principal import SYSTEM
    from transactional.settlement.run import issue_statements

    first, last = _period(period, start, end)
    policy = CommercePolicy.from_settings(get_settings())
    issued = _run(lambda s: issue_statements(s, SYSTEM, first, last, policy,
                                             business_unit=business_unit,
                                             supplier_id=supplier_id))
    typer.echo(f"issued {len(issued)} statement(s) for [{first}, {last})")
    for st in issued:
        typer.echo(f"  #{st['id']} {st['business_unit']} {st['supplier_id']} {st['kind']}: "
                   f"net {st['net_amount']} {st['currency']} ({st['line_count']} lines)")


@tx_app.command("settle-rebates")
def settle_rebates(
    dealer_account_id: Annotated[int | None, typer.Option(help="one dealer (default: all)")] = None,
) -> None:
    """Settle accrued dealer rebates to the dealers' accounts."""
    from sqlalchemy import select

    from transactional.db.tables.rebates import dealer_accounts
    from transactional.domain.principal import SYSTEM
    from transactional.rebates.dealers import settle_rebates as settle_one

    db = _db()
    if dealer_account_id is None:
        with db.read() as session:
            ids = list(session.execute(select(dealer_accounts.c.id)
                                       .order_by(dealer_accounts.c.id)).scalars())
    else:
        ids = [dealer_account_id]
    count = 0
    for dealer_id in ids:
        for done in _run(lambda s, d=dealer_id: settle_one(s, SYSTEM, d)):
            count += 1
            typer.echo(f"  dealer {done['dealer_account_id']}: {done['amount']} "
                       f"{done['currency']} ({done['accruals']} accruals)")
    typer.echo(f"{count} rebate settlement(s)")


@tx_app.command("encrypt-fields")
def encrypt_fields() -> None:
    """Encrypt sensitive fields still stored in clear (bank accounts of rows written before
    field encryption); idempotent."""
    from transactional.identity.sensitive import encrypt_clear_fields

    sealed = _db().run_write(encrypt_clear_fields)
    typer.echo("encrypted: " + ", ".join(f"{n} {t}" for t, n in sealed.items()))


audit_app = typer.Typer(
    name="audit",
    help="The transactional audit log: verify its hash chain.",
    no_args_is_help=True,
)


@audit_app.command("verify")
def verify_audit(
    database_url: Annotated[str | None, typer.Option(help="default: OLTP__DATABASE_URL")] = None,
) -> None:
    """Check the audit log's hash chain; exit 1 naming the first edited, deleted-after or
    reordered row. Prints the chain's length and head hash (record it elsewhere: a chain cut
    short at its end is still a valid chain)."""
    from transactional.core.audit_chain import verify

    verdict = _read(database_url, verify)
    if not verdict.ok:
        _fail(f"audit chain broken at row {verdict.broken_id}: {verdict.problem} "
              f"({verdict.checked} row(s) before it hold)")
    typer.echo(f"audit chain intact: {verdict.checked} chained row(s), {verdict.unchained} "
               f"written before the chain; head {verdict.head}")


contracts_app = typer.Typer(
    name="contracts",
    help="Framework contracts: verify their documents and signatures against the evidence.",
    no_args_is_help=True,
)


@contracts_app.command("verify")
def verify_contracts(
    database_url: Annotated[str | None, typer.Option(help="default: OLTP__DATABASE_URL")] = None,
) -> None:
    """Check the audit hash chain (which holds every contract's evidence), every stored contract
    document against its SHA-256s and its evidence, every contract's terms against its signed
    document and its signatures against their evidence; exit 1 naming each broken contract."""
    from transactional.contracts.authoring import current_terms
    from transactional.contracts.evidence import verify

    verdict = _read(database_url, lambda session: verify(session, current_terms))
    if not verdict.ok:
        for contract_id, problem in verdict.problems:
            typer.secho(f"contract {contract_id}: {problem}" if contract_id is not None
                        else problem, fg=typer.colors.RED, err=True)
        named = ", ".join(str(c) for c in verdict.broken_contracts) or "none named"
        _fail(f"contracts verify FAILED: {len(verdict.problems)} problem(s); "
              f"broken contract(s): {named}")
    typer.echo(f"contracts intact: {verdict.contracts_checked} contract(s), "
               f"{verdict.documents_checked} document(s); audit chain {verdict.chain.checked} "
               f"row(s), head {verdict.chain.head}")


keys_app = typer.Typer(
    name="keys",
    help="Field encryption keys: re-encrypt every value with the current key.",
    no_args_is_help=True,
)


@keys_app.command("rotate")
def rotate_keys(
    batch: Annotated[int, typer.Option(min=1, max=100_000,
                                       help="values re-encrypted per transaction")] = 500,
) -> None:
    """Re-encrypt every encrypted column value still sealed with an older key.

    First set the new secret (``OLTP__FIELD_ENCRYPTION_KEY``) and a new key id
    (``OLTP__FIELD_KEY_ID``), and keep the old secret readable in ``OLTP__FIELD_OLDER_KEYS``
    (``'{"k1": "<old secret>"}'``): the service keeps running on both meanwhile. Idempotent;
    when it reports nothing left, drop the older key. Audited ``keys.rotate``.
    """
    from infra.settings import get_settings
    from transactional.core import audit
    from transactional.db.database import Database
    from transactional.db.rekey import remaining, rotate
    from transactional.domain.principal import SYSTEM

    db = Database.from_settings(get_settings())
    try:
        try:
            done = rotate(db, batch=batch)
        except (RuntimeError, ValueError) as exc:
            _fail(str(exc))
        left = remaining(db)
        key_id = get_settings().oltp.field_key_id
        db.run_write(lambda s: audit.record(s, SYSTEM, "keys.rotate", "field_key", key_id,
                                            details={"rekeyed": done, "remaining": left}))
    finally:
        db.dispose()
    typer.echo(f"re-encrypted with key {key_id}: "
               + ", ".join(f"{n} {c}" for c, n in done.items()))
    typer.echo(f"left on older keys: {sum(left.values())}")


def register(app: typer.Typer) -> None:
    """Mount ``tx``, ``audit``, ``keys`` and ``contracts`` on the ``grouplake`` command."""
    app.add_typer(tx_app, name="tx")
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
    app.add_typer(contracts_app, name="contracts")
