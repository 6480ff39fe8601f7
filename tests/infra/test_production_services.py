"""Production services selected by settings: the Dagster instance on PostgreSQL
(``DAGSTER__POSTGRES_URL``, dagster-postgres) and MLflow tracking with a PostgreSQL backend
store and artifacts on an S3-compatible store (``MLFLOW__TRACKING_URI`` /
``MLFLOW__ARTIFACT_ROOT``), each against a fresh database of the test server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from grouplake.dagster_home import GENERATED_MARK, prepare_dagster_home, render_dagster_yaml
from infra.settings import isolated_settings
from tests.conftest import POSTGRES_URL, require_service
from tests.transactional.servers import create_pg_database, drop_pg_database


def _with_driver(url: str, driver: str) -> str:
    return make_url(url).set(drivername=f"postgresql+{driver}").render_as_string(
        hide_password=False)


# ---------------------------------------------------------------- dagster.yaml from settings


def test_default_instance_is_sqlite_under_dagster_home(tmp_path: Path) -> None:
    config = yaml.safe_load(render_dagster_yaml(isolated_settings(tmp_path)))
    assert config == {"telemetry": {"enabled": False}}


def test_postgres_instance_reads_its_url_from_the_environment(tmp_path: Path) -> None:
    url = "postgresql+psycopg2://dagster:pw@db:5432/dagster"
    rendered = render_dagster_yaml(isolated_settings(
        tmp_path, dagster={"postgres_url": url, "max_concurrent_runs": 3}))
    assert rendered.startswith(GENERATED_MARK + "\n")
    assert "pw" not in rendered  # the password never lands in the file
    assert yaml.safe_load(rendered) == {
        "telemetry": {"enabled": False},
        "storage": {"postgres": {"postgres_url": {"env": "DAGSTER__POSTGRES_URL"}}},
        "run_coordinator": {"module": "dagster.core.run_coordinator",
                            "class": "QueuedRunCoordinator",
                            "config": {"max_concurrent_runs": 3}},
    }


def test_a_psycopg3_url_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="must be a postgresql\\+psycopg2:// URL"):
        isolated_settings(tmp_path, dagster={"postgres_url": "postgresql://u@db/dagster"})


def test_a_hand_written_dagster_yaml_is_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    settings = isolated_settings(tmp_path, dagster={"max_concurrent_runs": 2})
    (tmp_path / "dagster").mkdir()
    legacy = tmp_path / "dagster" / "dagster.yaml"
    legacy.write_text("telemetry:\n  enabled: false\n")
    prepare_dagster_home(settings)  # the file older versions wrote is ours: rewritten
    assert "max_concurrent_runs: 2" in legacy.read_text()
    legacy.write_text("run_launcher: {}\n")
    prepare_dagster_home(settings)
    assert legacy.read_text() == "run_launcher: {}\n"


def test_grouplake_dagster_home_writes_the_instance_from_the_environment(
        settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from grouplake.cli import app
    from infra.settings import reset_settings_cache

    monkeypatch.setenv("DAGSTER__MAX_CONCURRENT_RUNS", "5")
    monkeypatch.setenv("DAGSTER__POSTGRES_URL", "postgresql+psycopg2://d:pw@db:5432/dagster")
    reset_settings_cache()
    result = CliRunner().invoke(app, ["dagster-home"])
    assert result.exit_code == 0, result.output
    home = settings.dagster_home
    assert result.output.strip() == f"Dagster instance at {home}"
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["storage"] == {"postgres": {"postgres_url": {"env": "DAGSTER__POSTGRES_URL"}}}
    assert config["run_coordinator"]["config"] == {"max_concurrent_runs": 5}


def test_experiments_of_a_deployed_server_upload_through_it(tmp_path: Path) -> None:
    from models.ml.registry import artifact_location

    deployed = isolated_settings(tmp_path, mlflow={"artifact_root": "mlflow-artifacts:/experiments"})
    assert artifact_location(deployed, "fraud") == "mlflow-artifacts:/experiments/fraud"
    local = isolated_settings(tmp_path)
    assert artifact_location(local, "fraud") == (tmp_path / "mlflow" / "artifacts" / "fraud").as_uri()


# ---------------------------------------------------------------- on PostgreSQL


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """A fresh database on the test server (SQLAlchemy URL, psycopg 3), dropped after (one per
    test: Dagster and MLflow both have a ``runs`` table)."""
    require_service("postgres")
    url = create_pg_database(POSTGRES_URL, "grouplake_prod_services")
    try:
        yield url
    finally:
        drop_pg_database(POSTGRES_URL, url)


@pytest.mark.postgres
@pytest.mark.slow  # Dagster's schema migrations on a fresh database: ~10 s on a busy CI box
def test_dagster_instance_on_postgres_records_runs_for_every_process(
        fresh_pg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    url = _with_driver(fresh_pg, "psycopg2")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("DAGSTER__POSTGRES_URL", url)  # what dagster.yaml reads (restored after)
    settings = isolated_settings(tmp_path, dagster={"postgres_url": url, "max_concurrent_runs": 2})
    home = prepare_dagster_home(settings)

    @dg.asset
    def probe() -> int:
        return 7

    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        result = dg.materialize([probe], instance=instance)
        assert result.success
    # another process (webserver, daemon) loading the same home sees the run
    with dg.DagsterInstance.from_config(str(home)) as other:
        runs = other.get_runs()
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS]
        assert other.get_latest_materialization_event(dg.AssetKey("probe")) is not None
    engine = create_engine(fresh_pg)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM runs")).scalar_one() == 1
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.s3
@pytest.mark.slow  # MLflow's schema migrations on a fresh database: ~20 s on a busy CI box
def test_mlflow_tracks_on_postgres_with_artifacts_on_s3(
        fresh_pg: str, s3_bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlflow

    from models.ml import registry

    # what the MLflow server / a client reaching S3 gets (compose.yaml, k8s/30-mlflow.yaml)
    monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", s3_bucket.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_bucket.storage_options["AWS_ACCESS_KEY_ID"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY",
                       s3_bucket.storage_options["AWS_SECRET_ACCESS_KEY"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings = isolated_settings(tmp_path, mlflow={
        "tracking_uri": fresh_pg, "artifact_root": s3_bucket.uri("mlflow")})
    client = registry.client(settings)
    experiment_id = registry.ensure_experiment(client, settings, "deploy_probe")
    assert client.get_experiment(experiment_id).artifact_location == (
        f"s3://{s3_bucket.name}/mlflow/deploy_probe")
    with mlflow.start_run(experiment_id=experiment_id, run_name="probe") as run:
        mlflow.log_params({"alpha": "0.5"})
        mlflow.log_metrics({"pr_auc": 0.75})
        mlflow.log_text("hello", "notes/probe.txt")
    version = client.create_model_version(
        client.create_registered_model("deploy_probe").name,
        f"runs:/{run.info.run_id}/notes", run_id=run.info.run_id)
    client.set_registered_model_alias("deploy_probe", registry.CHAMPION_ALIAS, version.version)

    stored = client.get_run(run.info.run_id)
    assert stored.data.params == {"alpha": "0.5"} and stored.data.metrics == {"pr_auc": 0.75}
    assert str(registry.champion(client, "deploy_probe").version) == "1"
    assert s3_bucket.keys("mlflow/deploy_probe/") == [
        f"mlflow/deploy_probe/{run.info.run_id}/artifacts/notes/probe.txt"]
    engine = create_engine(fresh_pg)
    with engine.connect() as connection:
        assert connection.execute(text(
            "SELECT name, status FROM runs WHERE run_uuid = :r"), {"r": run.info.run_id}
        ).one() == ("probe", "FINISHED")
        assert connection.execute(text(
            "SELECT alias, version FROM registered_model_aliases")).all() == [
                (registry.CHAMPION_ALIAS, 1)]
    engine.dispose()
