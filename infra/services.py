"""How a feature declares a long-running service for ``grouplake up``.

A feature module exposes ``service_spec(settings) -> ServiceSpec``; the orchestration
registry lists those modules. Ports come from settings, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceSpec:
    """A process ``grouplake up`` starts, waits for, and stops.

    Attributes:
        name: short name shown to the user (``dagster``, ``transactional-api``).
        command: argv to start it (runs in the project directory).
        port: the TCP port it listens on (refused if already busy).
        health_url: answers 2xx once the service is ready.
        urls: what to print for the user once healthy (label → URL).
        env: extra environment variables for the process.
        examples: shell commands printed once the service is healthy (example requests).
    """

    name: str
    command: list[str]
    port: int
    health_url: str
    urls: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    examples: list[str] = field(default_factory=list)
