"""Read the deployment files of ``infra/deploy`` into one shape the tests check: every
container (compose service, Kubernetes pod container, Helm user deployment) with its image,
the command lines it runs, the environment variable names it gets, and its HTTP probes."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "infra" / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
K8S_DIR = DEPLOY / "k8s"
HELM_VALUES = DEPLOY / "helm" / "dagster-values.yaml"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
SPARK_DOCKERFILE = DEPLOY / "docker" / "spark.Dockerfile"

#: compose health checks call ``urlopen('http://127.0.0.1:<port><path>')``
_HEALTH_URL = re.compile(r"http://127\.0\.0\.1:(\d+)(/[\w/]*)")


@dataclass
class Probe:
    """An HTTP probe: the port it calls and the path."""

    port: int
    path: str


@dataclass
class Container:
    """One container of the deployment, from wherever it is declared."""

    source: str  # e.g. "compose:transactional", "k8s:20-transactional.yaml:grouplake-transactional"
    image: str
    commands: list[list[str]]  # argv of each command it runs (a shell `a && exec b` gives two)
    env: set[str] = field(default_factory=set)
    probes: list[Probe] = field(default_factory=list)

    @property
    def grouplake_image(self) -> bool:
        return "grouplake" in self.image


def _argv_from_shell(script: str) -> list[list[str]]:
    commands = []
    for part in script.split("&&"):
        argv = shlex.split(part)
        if argv and argv[0] == "exec":
            argv = argv[1:]
        if argv:
            commands.append(argv)
    return commands


def _commands(entrypoint: list[str] | None, command: list[str] | str | None) -> list[list[str]]:
    if isinstance(command, str):
        command = shlex.split(command)
    command = list(command or [])
    if entrypoint and entrypoint[-2:] == ["/bin/sh", "-c"]:
        return _argv_from_shell(command[0])
    return [command] if command else []


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document of ``path``."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def load_compose() -> dict[str, Any]:
    """``compose.yaml`` with its YAML anchors and merge keys resolved."""
    return load_yaml_documents(COMPOSE)[0]


def compose_containers() -> list[Container]:
    """Every compose service as a :class:`Container` (ports from ``--port`` / health URLs)."""
    containers = []
    for name, service in load_compose()["services"].items():
        commands = _commands(service.get("entrypoint"), service.get("command"))
        test = service.get("healthcheck", {}).get("test", [])
        probes = [Probe(int(port), path)
                  for port, path in _HEALTH_URL.findall(" ".join(map(str, test)))]
        containers.append(Container(f"compose:{name}", str(service.get("image", "")), commands,
                                    set(service.get("environment") or {}), probes))
    return containers


def k8s_files() -> list[Path]:
    """The Kubernetes manifests, applied ones and examples (the Secret's key names)."""
    return sorted(K8S_DIR.glob("*.yaml")) + sorted((K8S_DIR / "examples").glob("*.yaml"))


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    """(file, document) for every Kubernetes object of :func:`k8s_files`."""
    return [(path, doc) for path in k8s_files() for doc in load_yaml_documents(path)]


def env_sources() -> dict[tuple[str, str], set[str]]:
    """(kind, name) of each ConfigMap / Secret → the variable names it provides."""
    sources = {}
    for _, doc in k8s_documents():
        if doc["kind"] in ("ConfigMap", "Secret"):
            keys = set(doc.get("data") or {}) | set(doc.get("stringData") or {})
            sources[(doc["kind"], doc["metadata"]["name"])] = keys
    return sources


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    if doc["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
        return doc["spec"]["template"]["spec"]
    return None


def k8s_containers() -> list[Container]:
    """Every container of the Kubernetes workloads (envFrom resolved by name)."""
    sources = env_sources()
    containers = []
    for path, doc in k8s_documents():
        spec = _pod_spec(doc)
        if spec is None:
            continue
        for c in spec["containers"]:
            env = {e["name"] for e in c.get("env", [])}
            for ref in c.get("envFrom", []):
                if "configMapRef" in ref:
                    env |= sources[("ConfigMap", ref["configMapRef"]["name"])]
                if "secretRef" in ref:
                    env |= sources[("Secret", ref["secretRef"]["name"])]
            ports = {p["name"]: p["containerPort"] for p in c.get("ports", []) if "name" in p}
            probes = []
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                http = c.get(kind, {}).get("httpGet")
                if http:
                    port = http["port"]
                    probes.append(Probe(int(ports.get(port, port)), http["path"]))
            argv = list(c.get("command") or []) + list(c.get("args") or [])
            containers.append(Container(f"k8s:{path.name}:{doc['metadata']['name']}",
                                        c["image"], [argv] if argv else [], env, probes))
    return containers


def helm_containers() -> list[Container]:
    """The Dagster chart's user-code deployments (``dagster api grpc <args>``)."""
    values = load_yaml_documents(HELM_VALUES)[0]
    containers = []
    for deployment in values["dagster-user-deployments"]["deployments"]:
        image = f"{deployment['image']['repository']}:{deployment['image']['tag']}"
        argv = ["dagster", "api", "grpc", *deployment["dagsterApiGrpcArgs"],
                "-p", str(deployment["port"])]
        containers.append(Container(f"helm:{deployment['name']}", image, [argv]))
    return containers


def all_containers() -> list[Container]:
    """Every container of compose, the Kubernetes manifests and the Helm values."""
    return compose_containers() + k8s_containers() + helm_containers()
