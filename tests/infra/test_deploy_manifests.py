"""The deployment files of ``infra/deploy`` hold together, checked offline (no container
engine, no cluster): Kubernetes objects against the Kubernetes JSON schemas shipped in
``kubernetes-validate``, ``compose.yaml`` against the compose-spec schema shipped in
``check-jsonschema`` (``docker compose config`` needs the compose plugin, absent here); every
variable a GroupLake container gets is a settings field; every probe calls a real route of
the app the container serves; every command is a real console script with real subcommands
and options."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import check_jsonschema
import jsonschema
import kubernetes_validate
import pytest
from pydantic import BaseModel
from typer.main import get_command

from infra.settings import Settings
from tests.infra import deploy_files as files

#: The Kubernetes version the manifests target (the oldest in support when written).
K8S_VERSION = "1.33.0"

#: Variables of GroupLake containers that are not settings fields, and whose they are.
FOREIGN_ENV = {
    "DAGSTER_HOME": "Dagster's instance folder (Settings.dagster_home reads it)",
    "POD_NAME": "downward API, expanded into LAKE__SPARK__CONF",
    "POD_IP": "downward API, expanded into LAKE__SPARK__CONF",
    "SPARK_LOCAL_IP": "Spark's own: the address executors call back",
}


def _settings_path_exists(name: str, model: type[BaseModel] = Settings) -> bool:
    """Whether env variable ``name`` sets a field of ``model`` (``__`` nests; a dict field
    takes any key below it)."""
    if model is Settings and name == "GROUPLAKE_HOME":
        return True
    head, _, rest = name.lower().partition("__")
    info = model.model_fields.get(head)
    if info is None or head == "home":  # `home` is read only through GROUPLAKE_HOME
        return False
    annotation = info.annotation
    if not rest:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _settings_path_exists(rest.upper(), annotation)
    return getattr(annotation, "__origin__", None) is dict


# ---------------------------------------------------------------- schema validation


def test_every_kubernetes_object_validates_strictly() -> None:
    kinds = []
    for path, doc in files.k8s_documents():
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        kinds.append(doc["kind"])
    for kind in ("Namespace", "ConfigMap", "PersistentVolumeClaim", "Job", "Deployment",
                 "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret",
                 "ServiceAccount", "Role", "RoleBinding"):
        assert kind in kinds, kind
    assert kinds.count("HorizontalPodAutoscaler") == 2
    assert kinds.count("Deployment") == 3  # transactional, serving, mlflow (Dagster: Helm)


def test_the_kubernetes_validator_refuses_a_broken_object() -> None:
    deployment = next(d for _, d in files.k8s_documents()
                            if d["metadata"]["name"] == "grouplake-transactional"
                            and d["kind"] == "Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    typo = json.loads(json.dumps(deployment))
    typo["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(typo, K8S_VERSION, strict=True)


def test_every_pod_is_restricted_and_sized() -> None:
    pods = 0
    for path, doc in files.k8s_documents():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        pods += 1
        spec = doc["spec"]["template"]["spec"]
        where = f"{path.name}:{doc['metadata']['name']}"
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"] == {"drop": ["ALL"]}, where
            assert set(container["resources"]) == {"requests", "limits"}, where
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), where
        if doc["kind"] == "Deployment":
            probes = {k for k in ("readinessProbe", "livenessProbe")
                      if k in spec["containers"][0]}
            assert probes == {"readinessProbe", "livenessProbe"}, where
    assert pods == 5  # migrations, transactional, serving, mlflow, spark backfill


def _compose_schema() -> dict:
    schema = (Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
              / "compose-spec.json")
    return json.loads(schema.read_text(encoding="utf-8"))


def test_compose_file_validates_against_the_compose_spec() -> None:
    schema = _compose_schema()
    compose = files.load_compose()
    jsonschema.validate(compose, schema)
    broken = json.loads(json.dumps(compose))
    broken["services"]["transactional"]["depends_on"]["migrate"]["condition"] = "finished"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_compose_runs_the_whole_stack() -> None:
    services = files.load_compose()["services"]
    assert set(services) == {
        "postgres", "minio", "minio-buckets", "mosquitto", "migrate", "transactional",
        "serving", "mlflow", "dagster-code", "dagster-webserver", "dagster-daemon"}
    for name, service in services.items():
        if "restart" in service and service["restart"] == "unless-stopped":
            assert "healthcheck" in service, f"{name} runs without a health check"
    assert services["transactional"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"}}
    assert "replicas" not in services["dagster-daemon"].get("deploy", {})


# ---------------------------------------------------------------- settings


def test_every_variable_of_a_grouplake_container_is_a_settings_field() -> None:
    checked = 0
    for container in files.all_containers():
        if not container.grouplake_image or container.commands[0][0] == "mlflow":
            continue  # the MLflow server reads MLflow's own variables
        for name in sorted(container.env):
            checked += 1
            assert name in FOREIGN_ENV or _settings_path_exists(name), (
                f"{container.source}: {name} is no field of infra/settings.py")
    assert checked > 100


def test_the_settings_path_check_refuses_a_misspelt_variable() -> None:
    assert _settings_path_exists("OLTP__DATABASE_URL")
    assert _settings_path_exists("LAKE__STORAGE_OPTIONS__AWS_REGION")
    assert _settings_path_exists("LAKE__SPARK__CONF")
    assert not _settings_path_exists("OLTP__DATABASE")
    assert not _settings_path_exists("OLTP__DATABASE_URL__X")
    assert not _settings_path_exists("LAKE_ROOT")
    assert not _settings_path_exists("HOME")


def _compose_env_values() -> dict[str, str]:
    env = files.load_compose()["services"]["transactional"]["environment"]
    filled = {}
    for name, value in env.items():
        value = str(value)
        # compose interpolation: ${VAR:-default} -> default, ${VAR:?message} -> a test secret
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
        value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "s" * 40, value)
        filled[name] = value
    return filled


def test_the_compose_environment_parses_into_the_intended_settings(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in _compose_env_values().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GROUPLAKE_HOME", str(tmp_path))
    settings = Settings(_env_file=None)
    settings.require_secrets(payments=True)
    assert settings.env == "production"
    assert settings.oltp.database_url == (
        f"postgresql+psycopg://grouplake:{'s' * 40}@postgres:5432/grouplake")
    assert settings.oltp.workers == 2
    assert settings.dagster.postgres_url.get_secret_value() == (
        f"postgresql+psycopg2://dagster:{'s' * 40}@postgres:5432/dagster")
    assert settings.dagster.max_concurrent_runs == 4
    assert settings.mlflow.tracking_uri == "http://mlflow:5000"
    assert settings.mlflow.artifact_root == "mlflow-artifacts:/experiments"
    assert settings.iot.mqtt_url == "mqtt://mosquitto:1883"
    assert settings.lake.root == "/var/lib/grouplake/lake"
    assert settings.lake.storage_options == {
        "aws_endpoint_url": "http://minio:9000", "aws_region": "us-east-1",
        "aws_allow_http": "true", "aws_access_key_id": "grouplake",
        "aws_secret_access_key": "s" * 40}
    assert settings.services.host == "0.0.0.0"


def test_the_kubernetes_config_parses_into_the_intended_settings(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = files.env_sources()[("ConfigMap", "grouplake-config")]
    data = next(d["data"] for _, d in files.k8s_documents()
                if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "grouplake-config")
    assert set(data) == config
    for name, value in data.items():
        monkeypatch.setenv(name, value)
    spark_job = next(c for c in files.k8s_containers() if "backfill" in c.source)
    job = next(d for _, d in files.k8s_documents() if d["kind"] == "Job"
               and "backfill" in d["metadata"]["name"])
    for var in job["spec"]["template"]["spec"]["containers"][0]["env"]:
        if "value" in var:
            monkeypatch.setenv(var["name"], var["value"].replace("$(POD_NAME)", "driver-0")
                               .replace("$(POD_IP)", "10.0.0.7"))
    settings = Settings(_env_file=None)
    assert settings.services.tls is True and settings.oltp.workers == 1
    assert settings.serving.snapshot_dir == "/var/lib/grouplake/serving"
    assert settings.lake.engine == "spark"
    assert settings.lake.spark.master == "k8s://https://kubernetes.default.svc"
    conf = settings.lake.spark.conf
    assert conf["spark.kubernetes.driver.pod.name"] == "driver-0"
    assert conf["spark.driver.host"] == "10.0.0.7"
    assert conf["spark.kubernetes.container.image"] == "grouplake-spark:0.1.0"
    assert spark_job.image == "grouplake-spark:0.1.0"


# ---------------------------------------------------------------- probes


def _app_client(factory: str):
    """A test client of the app ``module:factory`` builds (no lifespan: nothing is opened)."""
    from fastapi.testclient import TestClient

    module, _, name = factory.partition(":")
    return TestClient(getattr(importlib.import_module(module), name)())


def _source_routes(module: str) -> str:
    spec = importlib.util.find_spec(module)
    return Path(spec.origin).read_text(encoding="utf-8")


def _served(argv: list[str]) -> tuple[str, int] | None:
    """(what the command serves, its port) for the server commands of the deployment."""
    def option(name: str, default: int) -> int:
        for i, arg in enumerate(argv):
            if arg == name:
                return int(argv[i + 1])
            if arg.startswith(name + "="):
                return int(arg.split("=", 1)[1])
        return default

    if argv[:3] == ["grouplake", "tx", "serve"]:
        return "transactional", option("--port", 8000)
    if argv[:3] == ["grouplake", "serving", "serve"]:
        return "serving", option("--port", 8001)
    if argv[:2] == ["mlflow", "server"]:
        return "mlflow", option("--port", 5000)
    if argv[0] == "dagster-webserver":
        return "dagster-webserver", option("-p", 3000)
    return None


@pytest.mark.slow  # imports both apps (~2 s CPU, shared with the API tests in one worker)
def test_every_probe_calls_a_route_of_the_app_on_its_port(settings) -> None:
    clients = {
        "transactional": _app_client("transactional.main:create_app"),
        "serving": _app_client("serving.main:create_app"),
    }
    mlflow_source = _source_routes("mlflow.server")
    webserver_source = _source_routes("dagster_webserver.webserver")
    probed = set()
    for container in files.all_containers():
        served = [s for s in map(_served, container.commands) if s]
        if not container.probes:
            continue
        assert served, f"{container.source} has probes but serves nothing known"
        app, port = served[0]
        for probe in container.probes:
            assert probe.port == port, f"{container.source}: probe on {probe.port}, serves {port}"
            if app in clients:
                status = clients[app].get(probe.path).status_code
                # liveness answers 200 always; readiness may say 503 (nothing migrated here)
                expected = {200} if probe.path == "/healthz" else {200, 503}
                assert status in expected, f"{container.source}: {probe.path} -> {status}"
            elif app == "mlflow":
                assert f'_add_static_prefix("{probe.path}")' in mlflow_source
            else:
                assert f'Route("{probe.path}"' in webserver_source
            probed.add((app, probe.path))
    assert probed == {("transactional", "/healthz"), ("transactional", "/readyz"),
                      ("serving", "/healthz"), ("serving", "/readyz"), ("mlflow", "/health"),
                      ("dagster-webserver", "/server_info")}


# ---------------------------------------------------------------- commands


def _pinned_distributions() -> set[str]:
    project = tomllib.loads((files.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    names = set()
    for requirement in project["project"]["dependencies"]:
        names.add(re.split(r"[<>=\[;\s]", requirement, maxsplit=1)[0].lower())
    return names


def _click_command(script: str):
    """The click command behind console script ``script`` (GroupLake's from pyproject)."""
    project = tomllib.loads((files.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    if script == "grouplake":
        assert project["project"]["scripts"]["grouplake"] == "grouplake.cli:app"
        from grouplake.cli import app

        return get_command(app)
    found = [ep for ep in entry_points(group="console_scripts") if ep.name == script]
    assert found, f"no console script {script!r}"
    assert any(ep.dist.name.lower() in _pinned_distributions() for ep in found), (
        f"{script} comes from {[ep.dist.name for ep in found]}, none pinned in pyproject.toml")
    module = importlib.import_module(found[0].value.partition(":")[0])
    target = found[0].load()
    return target if hasattr(target, "make_context") else module.cli


#: Paths inside the image → the repository file the Dockerfile copies there.
IMAGE_PATHS = {"/opt/grouplake/workspace.yaml": "infra/deploy/dagster/workspace.yaml"}


def _resolve(argv: list[str]):
    """Parse ``argv`` with the real command line (unknown subcommand / option: error)."""
    command = _click_command(argv[0])
    args = [str(files.REPO / IMAGE_PATHS[a]) if a in IMAGE_PATHS else a for a in argv[1:]]
    context = None
    # click groups, and typer's (typer vendors its own click: no isinstance across the two)
    while getattr(command, "commands", None) is not None:
        assert args and args[0] in command.commands, f"{argv}: no subcommand {args[:1]}"
        context = command.context_class(command, info_name=command.name, parent=context)
        command, args = command.commands[args[0]], args[1:]
    command.make_context(command.name, list(args), parent=context)
    return command


@pytest.mark.slow  # imports mlflow's and Dagster's command lines (~8 s CPU)
def test_every_command_is_a_real_console_script_with_real_options(monkeypatch) -> None:
    monkeypatch.delenv("MLFLOW_BACKEND_STORE_URI", raising=False)
    seen = set()
    for container in files.all_containers():
        if not container.grouplake_image:
            continue
        assert container.commands, f"{container.source} runs the image's default command"
        for argv in container.commands:
            _resolve(argv)
            seen.add(tuple(argv[:2]))
    assert {("grouplake", "tx"), ("grouplake", "serving"), ("grouplake", "dagster-home"),
            ("grouplake", "run"), ("dagster", "code-server"), ("dagster", "api"),
            ("dagster-webserver", "-h"), ("dagster-daemon", "run"),
            ("mlflow", "server")} <= seen


def test_the_resolver_refuses_unknown_options_and_subcommands() -> None:
    with pytest.raises(Exception, match="No such option: --no-such-option"):
        _resolve(["grouplake", "tx", "serve", "--no-such-option"])
    with pytest.raises(Exception, match="No such option '--no-such-option'"):
        _resolve(["dagster-daemon", "run", "--no-such-option"])
    with pytest.raises(AssertionError):
        _resolve(["grouplake", "tx", "launch"])
    with pytest.raises(AssertionError):
        _resolve(["uvicorn-but-not-installed"])


def test_the_dockerfiles_copy_files_that_exist_on_the_pinned_python() -> None:
    project = tomllib.loads((files.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["requires-python"] == ">=3.11,<3.13"
    for dockerfile in (files.DOCKERFILE, files.SPARK_DOCKERFILE):
        text = dockerfile.read_text(encoding="utf-8")
        for source in re.findall(r"^COPY (?!--from)(\S+) ", text, flags=re.MULTILINE):
            if source != ".":
                assert (files.REPO / source).exists(), f"{dockerfile.name}: {source}"
    text = files.DOCKERFILE.read_text(encoding="utf-8")
    assert "ARG PYTHON_IMAGE=python:3.11-" in text
    assert "COPY infra/deploy/dagster/workspace.yaml /opt/grouplake/workspace.yaml" in text
    assert "USER 10001:10001" in text
    ignore = (files.DEPLOY / "docker" / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert ".env" in ignore.split() and ".venv" in ignore.split()


def test_the_helm_values_use_the_pinned_dagster_and_our_config() -> None:
    values = files.load_yaml_documents(files.HELM_VALUES)[0]
    project = (files.REPO / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'"dagster==([\d.]+)"', project).group(1)
    assert f"--version {version}" in files.HELM_VALUES.read_text(encoding="utf-8")
    assert values["postgresql"]["enabled"] is False
    assert values["generatePostgresqlPasswordSecret"] is False
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    sources = files.env_sources()
    deployment = values["dagster-user-deployments"]["deployments"][0]
    for ref in deployment["envConfigMaps"]:
        assert ("ConfigMap", ref["name"]) in sources
    for ref in deployment["envSecrets"]:
        assert ("Secret", ref["name"]) in sources
