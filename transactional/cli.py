"""``grouplake tx …``: migrate, serve, and bootstrap identities of the transactional service.

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


def _db():
    from infra.settings import get_settings
    from transactional.db.database import Database

    return Database.from_settings(get_settings())


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
    from transactional.services.identity import create_user as create

    user = _run(lambda s: create(s, SYSTEM, username=username, password=password, role=role,
                                 business_unit=business_unit, supplier_id=supplier_id))
    typer.echo(f"created user {user['username']} (id {user['id']}, role {user['role']}"
               f"{', unit ' + user['business_unit'] if user['business_unit'] else ''})")


@tx_app.command("create-api-key")
def create_api_key(
    username: Annotated[str, typer.Option(help="the user the key acts as")],
    name: Annotated[str, typer.Option(help="what the key is for, e.g. erp-sync")],
) -> None:
    """Mint an API key for a user; prints the secret once."""
    from sqlalchemy import select

    from transactional.db.tables import users
    from transactional.domain.principal import SYSTEM
    from transactional.services.identity import create_api_key as create

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
    from transactional.services.directory import create_business_unit as create

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
    from transactional.services.directory import create_supplier as create

    _run(lambda s: create(s, SYSTEM, supplier_id, name, credit_code))
    typer.echo(f"created supplier {supplier_id}")


def register(app: typer.Typer) -> None:
    """Mount ``tx`` on the ``grouplake`` command."""
    app.add_typer(tx_app, name="tx")
