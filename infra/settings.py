"""The one typed settings object of GroupLake.

Every tunable of the platform lives here, read from the environment (nested with ``__``,
e.g. ``LAKE__ROOT``, ``OLTP__DATABASE_URL``, ``MLFLOW__TRACKING_URI``) and an optional
``.env`` file, through the cached :func:`get_settings`. Nothing is read at import time.

Every non-secret has a local default under ``./.grouplake/`` (``GROUPLAKE_HOME`` moves that
root). Secrets have no default outside ``env=local`` / ``env=ci``, where they are generated
per machine (``infra/local_secrets.py``); a process of any other profile without real ones,
or with a placeholder, refuses to start (:meth:`Settings.require_secrets`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["local", "ci", "staging", "production"]

#: A placeholder some older setups still carry; refused as a secret by every profile but
#: ``local`` (local and CI secrets are generated per machine: ``infra/local_secrets.py``).
LOCAL_DEV_SECRET = "grouplake-local-development-secret-not-for-production"
#: Values never accepted as a secret outside ``env=local`` (case-insensitive).
PLACEHOLDER_SECRETS = frozenset({
    LOCAL_DEV_SECRET, "changeme", "change-me", "change_me", "secret", "password",
    "grouplake", "placeholder", "replace-me", "todo",
})


class SparkSettings(BaseModel):
    """The Spark scale-out engine (used when ``lake.engine`` is ``"spark"``; env ``LAKE__SPARK__*``)."""

    master: str = "local[2]"  # Spark master URL
    jar_dir: str = "/usr/share/java"  # where JDBC driver jars are looked for (infra/install_jdbc_jars.sh)
    jars: list[str] = Field(default_factory=list)  # extra jars (paths) added to spark.jars
    partitions: int = 0  # JDBC read / shuffle partitions; 0: twice the cores of the master
    min_rows_per_partition: int = 50_000  # a JDBC read is split only above this many rows
    driver_memory: str = "2g"
    staging_grace_s: int = 3600  # uncommitted files of a crashed attempt older than this are cleaned
    conf: dict[str, str] = Field(default_factory=dict)  # any other Spark conf (spark.* keys)


class LakeSettings(BaseModel):
    """Where the Delta lake lives and how to reach it."""

    root: str = ""  # local path or URI (s3://bucket/prefix); default <home>/lake
    storage_options: dict[str, str] = Field(default_factory=dict)
    engine: Literal["embedded", "spark"] = "embedded"
    target_file_rows: int = 1_000_000  # rows per Delta data file on append
    spark: SparkSettings = Field(default_factory=SparkSettings)

    @property
    def is_local(self) -> bool:
        return "://" not in self.root or self.root.startswith("file://")


class ErpSettings(BaseModel):
    """The ERP source database (any SQLAlchemy URL)."""

    database_url: str = ""  # default sqlite:///<home>/sources/erp.db (the demo group)
    batch_rows: int = 100_000  # rows per extracted Arrow batch / Delta commit
    schema_name: str | None = None  # database schema holding the ERP tables


class CrmSettings(BaseModel):
    """The CRM REST API."""

    base_url: str | None = None  # None: serve the demo group's CRM on a free local port
    token: SecretStr | None = None
    page_size: int = 500
    pages_per_batch: int = 10  # pages landed per Delta commit (and watermark move)
    max_retries: int = 8
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 10.0
    timeout_s: float = 30.0


class WmsSettings(BaseModel):
    """WMS file drops (CSV / Excel)."""

    landing_dir: str = ""  # default <home>/landing/wms
    archive_dir: str = ""  # default <home>/archive/wms
    batch_rows: int = 200_000  # rows of dropped files landed per Delta commit (several files per commit)


class IotSettings(BaseModel):
    """IoT telemetry: MQTT when ``mqtt_url`` is set, JSONL drops otherwise."""

    mqtt_url: str | None = None  # e.g. mqtt://127.0.0.1:1883
    topics: list[str] = Field(default_factory=lambda: ["grouplake/iot/#"])
    client_id: str = "grouplake-iot-ingest"
    username: str | None = None
    password: SecretStr | None = None
    landing_dir: str = ""  # default <home>/landing/iot
    archive_dir: str = ""  # default <home>/archive/iot
    batch_max_events: int = 50_000
    batch_max_seconds: float = 5.0
    session_expiry_s: int = 7 * 24 * 3600  # how long the broker keeps the persistent session (and its queue)
    keepalive_s: int = 30
    idle_s: float = 2.0  # an MQTT run stops once the broker has had nothing for this long
    max_run_s: float = 300.0  # an MQTT run stops after this long (the sensor starts the next)


class OltpSettings(BaseModel):
    """The transactional service's database and limits."""

    database_url: str = ""  # default sqlite:///<home>/oltp/grouplake.db
    # login throttles (identity/lockout.py): per (username, client) exponential backoff after
    # this many failures in a row, from base to max seconds; and attempts per client address
    login_free_failures: int = 5
    login_backoff_base_s: float = 1.0
    login_backoff_max_s: float = 900.0
    login_ip_rate_per_minute: int = 60
    order_rate_per_minute: int = 600
    max_page_size: int = 200
    max_request_bytes: int = 1_048_576
    approval_limit_default: str = "500000"  # decimal, group currency
    pool_size: int = 8  # connections per server process (PostgreSQL)
    max_overflow: int = 4  # extra connections per process under bursts
    busy_timeout_ms: int = 30_000  # SQLite: how long a writer waits for the write lock
    workers: int = 1  # uvicorn worker processes of `grouplake tx serve`
    idempotency_ttl_hours: int = 24  # how long an Idempotency-Key is remembered
    lock_timeout_ms: int = 10_000  # PostgreSQL: give up waiting for a row lock (-> 503, retry)
    fast_path: bool = True  # PostgreSQL: run the order hot path's statements via the driver
    # per unit: code -> decimal in the group currency (rows of the approval_limits table win)
    approval_limits: dict[str, str] = Field(default_factory=dict)
    approval_ttl_hours: int = 72  # a pending approval expires (stock released) after this long
    payment_provider_secret: SecretStr | None = None  # HMAC-SHA256 key of provider callbacks
    # master secret of field encryption (SM4-GCM + HMAC search hash; infra/fieldcrypt.py)
    field_encryption_key: SecretStr | None = None
    field_key_id: str = "k1"  # stored with every encrypted value
    # during a key rotation: older secrets by key id, still readable (grouplake keys rotate
    # re-encrypts every value with the current key; then they can be removed)
    field_older_keys: dict[str, SecretStr] = Field(default_factory=dict)
    payment_callback_tolerance_s: int = 300  # refuse callbacks signed further from now than this
    payment_terms_days: int = 30  # due date of an exported payable = statement period end + this
    fx_max_age_days: int = 7  # a conversion uses a rate at most this many days older than it
    settlement_currency_default: str = ""  # suppliers without their own; default: group currency
    document_dir: str = ""  # supplier qualification documents; default <home>/oltp/documents
    document_max_bytes: int = 10_485_760  # per uploaded document
    document_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/png", "image/jpeg"])  # by magic bytes
    # sanctions / blacklist of the onboarding checks (#22): a CSV (columns name, credit_code,
    # reason) or JSON file (a list of such objects); "" = none. Read when the checks run.
    sanctions_list: str = ""
    # refuse new orders for suppliers on the elimination list (off until its precision is raised, #18)
    enforce_elimination: bool = False
    # sourcing events (#28): an award whose total (group currency) is above this needs a
    # second person's approval (maker != checker)
    sourcing_award_approval_limit: str = "1000000"
    sourcing_award_time_limit_s: float = 30.0  # HiGHS wall limit of one award solve
    # buyer ratings of delivered orders (transactional/feedback): the buyer may change a rating
    # for this many hours after giving it; a supplier sees its own means only from this many
    # ratings on (fewer: the count alone, so no single buyer's scores can be read off)
    rating_edit_window_hours: int = Field(default=168, ge=0)
    rating_summary_min_count: int = Field(default=3, ge=1)


class RiskSettings(BaseModel):
    """The order-path risk guard (``transactional/risk``): thresholds, rule windows, model."""

    enabled: bool = True  # score every order at placement
    review_threshold: float = 0.5  # score >= this: the order waits for review (pending_review)
    block_threshold: float = 0.95  # score >= this: refused with 409 and the reasons
    split_window_hours: int = 24  # splitting: orders by one buyer to one supplier within this
    velocity_window_minutes: int = 10  # velocity burst: more than velocity_max orders by a buyer
    velocity_max: int = 30
    history_factor: float = 3.0  # quantity / amount above this x the buyer's own p95 for it
    history_min_orders: int = 3  # a history shorter than this says nothing
    price_factor: float = 1.3  # unit price above this x the SKU's market median
    new_supplier_days: int = 90  # a supplier first seen by the lake less than this ago is new
    new_supplier_share: float = 0.5  # a first order >= this share of the approval limit is large
    # the rule's weight for a supplier on the elimination list in force without an override for
    # the buyer's unit (checked only with OLTP__ENFORCE_ELIMINATION off: on, such orders are
    # refused before scoring); between the review and block thresholds: alone, it holds the order
    eliminated_supplier_weight: float = Field(0.6, gt=0, lt=1)
    model_name: str = "grouplake_fraud_online"  # registered online model; alias "champion"
    model_refresh_seconds: float = 60.0  # how often the champion alias is checked for a move


class SupplierMatchSettings(BaseModel):
    """The supplier master's steward review loop (``models/entity_resolution/review.py``)."""

    # pairs scored in [review_low, review_high) go to the data steward's review queue
    review_low: float = Field(0.35, ge=0, le=1)
    review_high: float = Field(0.65, ge=0, le=1)
    review_limit: int = Field(500, gt=0)  # most uncertain pairs kept in the queue per run
    # lake table of the steward's must-link / cannot-link decisions (read by every run)
    decisions_table: str = "steward/supplier_match_decisions"
    review_queue_table: str = "gold/supplier_review_queue"  # published by the mart of that name

    @model_validator(mode="after")
    def _band_is_a_band(self) -> SupplierMatchSettings:
        if self.review_low >= self.review_high:
            raise ValueError(f"suppliers.review_low ({self.review_low}) must be below review_high ({self.review_high})")
        return self


class AuthSettings(BaseModel):
    """Token signing shared by the transactional and serving APIs."""

    jwt_secret: SecretStr | None = None
    jwt_algorithm: str = "HS256"
    jwt_public_key: str | None = None  # PEM; verifies RS*/ES*/EdDSA tokens (jwt_secret signs)
    token_ttl_minutes: int = 60
    max_token_ttl_minutes: int = 720  # a token living longer than this (exp - iat) is refused
    # a refresh token (POST /auth/refresh) gets new access tokens this long; revoked like
    # them (logout, disable, role change); 0: none issued. At most max_token_ttl_minutes
    refresh_ttl_minutes: int = 720
    user_cache_ttl_s: float = 5.0  # how long a request may trust a cached user check
    user_cache_size: int = 4096  # users whose check is remembered per process
    issuer: str = "grouplake"
    # roles whose users must pass a TOTP (or recovery) code at login once enrolled
    mfa_required_roles: list[str] = Field(
        default_factory=lambda: ["admin", "finance", "procurement"])
    # a not-yet-enrolled user of such a role gets a token that can only enrol (True), or a
    # full token (False); None: enrol-only except for env=local|ci (the demo users)
    mfa_enrol_only: bool | None = None
    mfa_issuer_name: str = "GroupLake"  # the account label authenticator apps show
    mfa_recovery_codes: int = 10  # one-time recovery codes issued at enrolment


class DbtSettings(BaseModel):
    """The dbt project and its own DuckDB file."""

    project_dir: str = ""  # default <repo>/dbt_project
    duckdb_path: str = ""  # default <home>/dbt/grouplake.duckdb
    target: str = "local"
    threads: int = 1
    # reference day of the supplier-performance models (DBT__AS_OF_DATE=2026-10-31); None: the
    # last purchase-order day in the data. Scorecards cover the latest month ending by then.
    as_of_date: dt.date | None = None


class DagsterSettings(BaseModel):
    """The Dagster instance (env ``DAGSTER__*``; ``DAGSTER_HOME`` places its folder).

    ``grouplake dagster-home`` (and every command that starts Dagster) writes the instance's
    ``dagster.yaml`` from these (:mod:`grouplake.dagster_home`).
    """

    # run / event-log / schedule storage on PostgreSQL (dagster-postgres), e.g.
    # postgresql+psycopg2://dagster:...@db:5432/dagster; None: SQLite files under DAGSTER_HOME
    postgres_url: SecretStr | None = None
    # > 0: queued runs (QueuedRunCoordinator, dequeued by the daemon), at most this many at once;
    # 0: Dagster's default (runs start at once)
    max_concurrent_runs: int = Field(0, ge=0)

    @field_validator("postgres_url")
    @classmethod
    def _psycopg2_url(cls, value: SecretStr | None) -> SecretStr | None:
        """dagster-postgres drives its URL with psycopg2: refuse another driver up front."""
        if value is not None:
            scheme = value.get_secret_value().partition("://")[0]
            if scheme != "postgresql+psycopg2":
                # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3, on which Dagster's
                # `NOTIFY run_events, %(id)s` fails (psycopg 3 binds server-side)
                raise ValueError("DAGSTER__POSTGRES_URL must be a postgresql+psycopg2:// URL "
                                 "(dagster-postgres needs psycopg2), got scheme " + repr(scheme))
        return value


class MlflowSettings(BaseModel):
    """MLflow tracking and registry."""

    tracking_uri: str = ""  # default sqlite:///<home>/mlflow/mlflow.db
    artifact_root: str = ""  # default <home>/mlflow/artifacts


class ServingSettings(BaseModel):
    """The serving API's snapshot store."""

    snapshot_dir: str = ""  # default <home>/serving
    snapshot_grace_s: int = 600  # a replaced snapshot file is deleted only after this long
    snapshot_keep: int = 2  # replaced snapshots always kept (besides the current one)
    poll_interval_s: float = 1.0  # how often the API looks for a new snapshot pointer
    default_page_size: int = 50
    max_page_size: int = 500  # list endpoints cap `limit` here
    scorecard_max_age_s: int = 300  # Cache-Control max-age of scorecards (ETag revalidates)
    token_cache_size: int = 4096  # verified tokens remembered (expiry rechecked on every hit)
    workers: int = 1  # uvicorn worker processes of `grouplake serving serve`


class ServiceSettings(BaseModel):
    """Ports of the long-running services started by ``grouplake up``."""

    host: str = "127.0.0.1"
    dagster_port: int = 3000
    transactional_port: int = 8000
    serving_port: int = 8001
    mlflow_port: int = 5000
    health_timeout_s: float = 120.0
    tls: bool = False  # the APIs are reached over HTTPS (directly or behind a proxy): send HSTS
    hsts_max_age_s: int = 31_536_000  # Strict-Transport-Security max-age when ``tls``
    api_docs: bool | None = None  # /docs, /redoc, /openapi.json; None: only with env=local


class DemoSettings(BaseModel):
    """The demo group simulator."""

    scale: float = 1.0
    seed: int = 42
    profile: str = "benchmark"
    dir: str = ""  # default <home>/demo


class Settings(BaseSettings):
    """All of GroupLake's configuration; see the module docstring."""

    model_config = SettingsConfigDict(
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    env: Environment = "local"
    #: Root of every local default; env ``GROUPLAKE_HOME`` (not ``HOME``, which is the user's).
    home: Path = Field(default=Path(".grouplake"), validation_alias="GROUPLAKE_HOME")
    group_code: str = "GL"
    group_currency: str = "CNY"

    lake: LakeSettings = Field(default_factory=LakeSettings)
    erp: ErpSettings = Field(default_factory=ErpSettings)
    crm: CrmSettings = Field(default_factory=CrmSettings)
    wms: WmsSettings = Field(default_factory=WmsSettings)
    iot: IotSettings = Field(default_factory=IotSettings)
    oltp: OltpSettings = Field(default_factory=OltpSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    suppliers: SupplierMatchSettings = Field(default_factory=SupplierMatchSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    dbt: DbtSettings = Field(default_factory=DbtSettings)
    dagster: DagsterSettings = Field(default_factory=DagsterSettings)
    mlflow: MlflowSettings = Field(default_factory=MlflowSettings)
    serving: ServingSettings = Field(default_factory=ServingSettings)
    services: ServiceSettings = Field(default_factory=ServiceSettings)
    demo: DemoSettings = Field(default_factory=DemoSettings)

    _uses_demo_sources: bool = PrivateAttr(default=True)

    @model_validator(mode="after")
    def _fill_local_defaults(self) -> Settings:
        home = self.home.absolute()
        self.home = home
        self._uses_demo_sources = not self.erp.database_url and self.crm.base_url is None
        repo = Path(__file__).resolve().parent.parent
        self.lake.root = self.lake.root or str(home / "lake")
        self.erp.database_url = self.erp.database_url or f"sqlite:///{home / 'sources' / 'erp.db'}"
        self.wms.landing_dir = self.wms.landing_dir or str(home / "landing" / "wms")
        self.wms.archive_dir = self.wms.archive_dir or str(home / "archive" / "wms")
        self.iot.landing_dir = self.iot.landing_dir or str(home / "landing" / "iot")
        self.iot.archive_dir = self.iot.archive_dir or str(home / "archive" / "iot")
        self.oltp.database_url = (
            self.oltp.database_url or f"sqlite:///{home / 'oltp' / 'grouplake.db'}"
        )
        self.dbt.project_dir = self.dbt.project_dir or str(repo / "dbt_project")
        self.dbt.duckdb_path = self.dbt.duckdb_path or str(home / "dbt" / "grouplake.duckdb")
        self.mlflow.tracking_uri = (
            self.mlflow.tracking_uri or f"sqlite:///{home / 'mlflow' / 'mlflow.db'}"
        )
        self.mlflow.artifact_root = self.mlflow.artifact_root or str(home / "mlflow" / "artifacts")
        self.serving.snapshot_dir = self.serving.snapshot_dir or str(home / "serving")
        self.demo.dir = self.demo.dir or str(home / "demo")
        self.oltp.document_dir = self.oltp.document_dir or str(home / "oltp" / "documents")
        self.oltp.settlement_currency_default = (
            self.oltp.settlement_currency_default or self.group_currency
        )
        if self.is_dev and (self.auth.jwt_secret is None
                            or self.oltp.payment_provider_secret is None
                            or self.oltp.field_encryption_key is None):
            from infra.local_secrets import ensure_local_secrets

            generated = ensure_local_secrets(home)
            if self.auth.jwt_secret is None:
                self.auth.jwt_secret = SecretStr(generated["jwt_secret"])
            if self.oltp.payment_provider_secret is None:
                self.oltp.payment_provider_secret = SecretStr(
                    generated["payment_provider_secret"])
            if self.oltp.field_encryption_key is None:
                self.oltp.field_encryption_key = SecretStr(generated["field_encryption_key"])
        return self

    @property
    def is_dev(self) -> bool:
        """True for ``local`` and ``ci``: secrets default to the machine's generated ones."""
        return self.env in ("local", "ci")

    @property
    def mfa_enrol_only(self) -> bool:
        """Whether an unenrolled user of an MFA role gets an enrol-only token
        (``auth.mfa_enrol_only``; by default every profile but ``local`` and ``ci``)."""
        if self.auth.mfa_enrol_only is not None:
            return self.auth.mfa_enrol_only
        return not self.is_dev

    @property
    def api_docs_enabled(self) -> bool:
        """Whether the APIs serve their interactive docs (``services.api_docs``; by default
        only the ``local`` profile does)."""
        if self.services.api_docs is not None:
            return self.services.api_docs
        return self.env == "local"

    @property
    def uses_demo_sources(self) -> bool:
        """True when no real ERP/CRM is configured: the demo group's systems stand in."""
        return self._uses_demo_sources

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or self.home / "dagster")

    def require_secrets(self, *, payments: bool = False) -> None:
        """Refuse to run on a placeholder or weak secret (every profile but ``local``).

        ``local`` and ``ci`` get generated secrets by default (``infra/local_secrets.py``);
        ``ci``, ``staging`` and ``production`` refuse a known placeholder or anything shorter
        than 32 characters, so a secret copied from documentation never signs a token.

        Args:
            payments: also require ``OLTP__PAYMENT_PROVIDER_SECRET`` and
                ``OLTP__FIELD_ENCRYPTION_KEY`` (the transactional API, which verifies the
                payment provider's signed callbacks and stores encrypted fields).

        Raises:
            RuntimeError: when a secret is missing, a placeholder or too short.
        """
        if self.env == "local":
            return
        required = [("AUTH__JWT_SECRET", self.auth.jwt_secret)]
        if payments:
            required.append(("OLTP__PAYMENT_PROVIDER_SECRET", self.oltp.payment_provider_secret))
            required.append(("OLTP__FIELD_ENCRYPTION_KEY", self.oltp.field_encryption_key))
        for name, value in required:
            secret = value.get_secret_value() if value else ""
            if not secret or secret.strip().lower() in PLACEHOLDER_SECRETS or len(secret) < 32:
                raise RuntimeError(
                    f"{name} must be set to a random string of at least 32 characters "
                    f"(not a placeholder) when ENV={self.env!r}"
                )


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, reading the environment on first call.

    Example:
        >>> from infra.settings import get_settings
        >>> get_settings().lake.root  # doctest: +SKIP
        '/home/me/project/.grouplake/lake'
    """
    return Settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests change the environment, then call this)."""
    get_settings.cache_clear()


class _IsolatedSettings(Settings):
    """Settings read from explicit values only (no environment, no ``.env``)."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return (init_settings,)


def isolated_settings(home: str | Path, **overrides: object) -> Settings:
    """Settings rooted at ``home`` from defaults and ``overrides`` only.

    The process environment and ``.env`` are ignored, so a test or benchmark gets the same
    paths whatever variables other code has set (``ERP__DATABASE_URL`` …).

    Example:
        >>> isolated_settings("/tmp/x").erp.database_url
        'sqlite:////tmp/x/sources/erp.db'
    """
    return _IsolatedSettings(GROUPLAKE_HOME=str(home), **overrides)
