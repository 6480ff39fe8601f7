"""MLflow tracking and registry, the way this platform uses them.

* The tracking URI is ``settings.mlflow.tracking_uri`` (default: sqlite under ``<home>/mlflow``);
  every experiment is created with an explicit ``artifact_location`` under
  ``settings.mlflow.artifact_root``, so nothing lands in ``./mlruns``.
* One experiment per model, named like the registered model.
* :func:`log_training` logs params, metrics, JSON/Markdown artifacts and the model (an MLflow
  pyfunc wrapping the bundle file) and registers a new version.
* The champion rule (:func:`is_not_worse`, :func:`promote_if_not_worse`): the alias
  ``champion`` moves to the new version only if its held-out metric is not worse than the
  current champion's (higher is better, ``new >= champion - tolerance``). No champion yet, or a
  champion without the metric: the new version wins. A new version without the metric never
  replaces a champion that has it. The decision is written on the version as tags.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHAMPION_ALIAS = "champion"
FRAUD_MODEL_NAME = "grouplake_fraud_risk"
RECOMMENDER_MODEL_NAME = "grouplake_recommender"


@dataclass(frozen=True)
class RegisteredVersion:
    """A logged and registered model version."""

    name: str
    version: str
    run_id: str
    model_uri: str


@dataclass(frozen=True)
class PromotionDecision:
    """What :func:`promote_if_not_worse` decided, and why."""

    promoted: bool
    version: str
    metric: float | None
    previous_version: str | None
    previous_metric: float | None
    reason: str


def _finite(value: float | None) -> bool:
    return value is not None and not math.isnan(float(value))


def is_not_worse(new: float | None, current: float | None, *, tolerance: float = 0.0) -> bool:
    """The champion rule for a higher-is-better metric (see the module docstring).

    Example:
        >>> is_not_worse(0.80, 0.80), is_not_worse(0.79, 0.80), is_not_worse(None, None)
        (True, False, True)
    """
    if not _finite(current):
        return True
    if not _finite(new):
        return False
    return float(new) >= float(current) - tolerance


_held: dict[str, int] = {}
_held_guard = threading.Lock()


@contextlib.contextmanager
def registry_lock(settings: Any) -> Iterator[None]:
    """Serialise writers of a local sqlite tracking store across processes.

    Two processes creating the sqlite store at once race in its schema migrations, and
    concurrent writers can see "database is locked"; the two model assets may run in
    parallel, so registry writes take this file lock. A server-backed store needs none.
    """
    uri = settings.mlflow.tracking_uri
    if not uri.startswith("sqlite:///"):
        yield
        return
    import fcntl

    lock_path = Path(uri.removeprefix("sqlite:///")).with_suffix(".lock")
    key = f"{lock_path}:{threading.get_ident()}"  # re-entrant per thread; other threads wait
    with _held_guard:
        depth = _held.get(key, 0)
        _held[key] = depth + 1
    try:
        if depth:  # re-entered by this thread: it already holds the lock
            yield
            return
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        with _held_guard:
            _held[key] -= 1


def client(settings: Any):
    """An :class:`mlflow.MlflowClient` on the configured tracking URI (a new sqlite store is
    created and migrated under :func:`registry_lock`)."""
    import mlflow

    uri = settings.mlflow.tracking_uri
    # progress bars of artifact downloads would flood Dagster's captured logs
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    with registry_lock(settings):
        mlflow_client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
        mlflow_client.search_experiments(max_results=1)  # creates / migrates the store now
    return mlflow_client


def artifact_location(settings: Any, experiment: str) -> str:
    """Where an experiment's artifacts go: ``<artifact_root>/<experiment>`` (URI).

    ``mlflow-artifacts:/<prefix>`` (a deployed tracking server with ``--serve-artifacts``)
    leaves the upload to the server, so clients need no object-store credentials.
    """
    root = settings.mlflow.artifact_root
    if "://" in root or root.startswith("mlflow-artifacts:"):
        return f"{root.rstrip('/')}/{experiment}"
    return (Path(root).absolute() / experiment).as_uri()


def ensure_experiment(mlflow_client: Any, settings: Any, name: str) -> str:
    """The id of experiment ``name``, created with an explicit artifact location if absent."""
    found = mlflow_client.get_experiment_by_name(name)
    if found is not None:
        if found.lifecycle_stage == "deleted":
            mlflow_client.restore_experiment(found.experiment_id)
        return found.experiment_id
    return mlflow_client.create_experiment(name, artifact_location=artifact_location(settings, name))


def log_training(
    settings: Any,
    *,
    model_name: str,
    python_model: Path,
    bundle_path: Path,
    params: dict[str, Any],
    metrics: dict[str, float],
    documents: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    run_name: str | None = None,
    description: str | None = None,
    figures: dict[str, Any] | None = None,
) -> RegisteredVersion:
    """Log one training run and register its model as a new version of ``model_name``.

    Args:
        settings: the platform settings.
        model_name: registered model (and experiment) name.
        python_model: the model-from-code file (:mod:`models.ml.mlflow_models`) setting the
            :class:`mlflow.pyfunc.PythonModel` that wraps the bundle.
        bundle_path: the bundle file (logged as the pyfunc's ``bundle`` artifact).
        params: run parameters.
        metrics: run metrics (NaN values are dropped).
        documents: ``file name -> content`` logged as artifacts (dict/list as JSON, str as text).
        tags: run tags.
        run_name: the run's name in the UI (default: ``<model> <UTC time>``, never random).
        description: what was trained on which data and how it did; set on the run and on
            the registered version.
        figures: ``name -> matplotlib figure``, logged as ``plots/<name>.png`` (then closed).
    """
    import mlflow

    mlflow_client = client(settings)
    experiment_id = ensure_experiment(mlflow_client, settings, model_name)
    import datetime as dt

    name = run_name or f"{model_name} {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"
    with mlflow.start_run(experiment_id=experiment_id, tags=tags or {}, run_name=name,
                          description=description) as run:
        mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if _finite(v)})
        _log_figures(figures or {})
        with tempfile.TemporaryDirectory() as tmp:
            for name, content in (documents or {}).items():
                path = Path(tmp) / name
                text = content if isinstance(content, str) else json.dumps(content, indent=2, default=str)
                path.write_text(text, encoding="utf-8")
                mlflow.log_artifact(str(path))
        with _quiet("mlflow"):  # "no signature": inputs differ per document type, on purpose
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=str(python_model),
                artifacts={"bundle": str(bundle_path)},
                pip_requirements=_requirements(),
                registered_model_name=model_name,
            )
    version = str(info.registered_model_version)
    if description:
        mlflow_client.update_model_version(model_name, version, description=description)
    if model_name in MODEL_DESCRIPTIONS:
        mlflow_client.update_registered_model(model_name, description=MODEL_DESCRIPTIONS[model_name])
    return RegisteredVersion(model_name, version, run.info.run_id, info.model_uri)


#: What each registered model is, for the MLflow UI's model page.
MODEL_DESCRIPTIONS = {
    FRAUD_MODEL_NAME: (
        "Risk score of purchase orders, supplier invoices and payments (rules + isolation forest + a "
        "supervised model where confirmed cases exist). The champion scores gold.ml_fraud_risk. Versions "
        "are judged on a later held-out period against the rules-only and anomaly-only baselines; the "
        "champion alias moves only when the held-out PR-AUC is not worse."),
    RECOMMENDER_MODEL_NAME: (
        "Next-order recommendations for buyers (reorder rhythm, co-purchase, similar buyers, a learned "
        "ranker) and a supplier ranker per unit x SKU. Judged by leave-last-order-out NDCG@10 against "
        "'repeat your own most frequent' and popularity; the champion feeds gold.ml_recommendations and "
        "the decision snapshot the transactional service applies."),
}


def _log_figures(figures: dict[str, Any]) -> None:
    import matplotlib.pyplot as plt
    import mlflow

    for name, figure in figures.items():
        try:
            mlflow.log_figure(figure, f"plots/{name}.png")
        finally:
            plt.close(figure)


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _requirements() -> list[str]:
    import mlflow
    import pandas
    import sklearn

    return [f"mlflow=={mlflow.__version__}", f"scikit-learn=={sklearn.__version__}", f"pandas=={pandas.__version__}"]


def champion(mlflow_client: Any, model_name: str):
    """The version holding the champion alias, or ``None``."""
    from mlflow.exceptions import MlflowException

    try:
        return mlflow_client.get_model_version_by_alias(model_name, CHAMPION_ALIAS)
    except MlflowException:
        return None


def version_metric(mlflow_client: Any, model_name: str, version: str, metric: str) -> float | None:
    """The held-out ``metric`` logged by the run that produced a version."""
    model_version = mlflow_client.get_model_version(model_name, version)
    value = mlflow_client.get_run(model_version.run_id).data.metrics.get(metric)
    return float(value) if value is not None else None


def promote_if_not_worse(
    mlflow_client: Any, model_name: str, version: str, metric: str, *, tolerance: float = 0.0
) -> PromotionDecision:
    """Apply the champion rule to ``version`` and move the alias if it passes."""
    new_value = version_metric(mlflow_client, model_name, version, metric)
    current = champion(mlflow_client, model_name)
    current_version = str(current.version) if current is not None else None
    current_value = version_metric(mlflow_client, model_name, current_version, metric) if current else None
    if current_version == str(version):
        promoted, reason = True, "already the champion"
    elif is_not_worse(new_value, current_value, tolerance=tolerance):
        promoted = True
        reason = ("no champion yet" if current is None else
                  f"{metric} {_fmt(new_value)} >= champion v{current_version}'s {_fmt(current_value)}"
                  + (f" - {tolerance}" if tolerance else ""))
        mlflow_client.set_registered_model_alias(model_name, CHAMPION_ALIAS, str(version))
    else:
        promoted = False
        reason = f"{metric} {_fmt(new_value)} < champion v{current_version}'s {_fmt(current_value)}; champion kept"
    mlflow_client.set_model_version_tag(model_name, str(version), "champion_decision", reason)
    if _finite(new_value):
        mlflow_client.set_model_version_tag(model_name, str(version), metric, f"{new_value:.6f}")
    return PromotionDecision(promoted, str(version), new_value, current_version, current_value, reason)


def reject(mlflow_client: Any, model_name: str, version: str, metric: str, reason: str) -> PromotionDecision:
    """Record that ``version`` is not promoted (e.g. below the metric floor); the alias stays."""
    new_value = version_metric(mlflow_client, model_name, version, metric)
    current = champion(mlflow_client, model_name)
    current_version = str(current.version) if current is not None else None
    current_value = version_metric(mlflow_client, model_name, current_version, metric) if current else None
    mlflow_client.set_model_version_tag(model_name, str(version), "champion_decision", f"rejected: {reason}")
    return PromotionDecision(False, str(version), new_value, current_version, current_value, f"rejected: {reason}")


def _fmt(value: float | None) -> str:
    return "n/a" if not _finite(value) else f"{value:.4f}"


def download_champion_bundle(settings: Any, model_name: str, destination: Path) -> tuple[Path, str]:
    """Copy the champion's bundle file to ``destination``; returns ``(path, version)``.

    Raises:
        LookupError: the model has no champion yet.
    """
    import shutil

    import mlflow

    mlflow_client = client(settings)
    current = champion(mlflow_client, model_name)
    if current is None:
        raise LookupError(f"{model_name} has no '{CHAMPION_ALIAS}' version yet: train it first "
                          f"(grouplake ml train)")
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{model_name}@{CHAMPION_ALIAS}", dst_path=tmp)
        found = sorted(Path(local).rglob("bundle.pkl"))
        if not found:
            raise LookupError(f"{model_name} v{current.version} has no bundle.pkl artifact")
        Path(destination).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found[0], destination)
    return Path(destination), str(current.version)
