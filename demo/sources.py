"""Make sure the demo group's source systems exist when no real sources are configured.

Several Dagster steps may start at once; a file lock makes the first one generate the demo
group and the others wait for it, so it is generated once and never half-read.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from pathlib import Path

from infra.settings import Settings


def ensure_demo_sources(settings: Settings, say: Callable[[str], None] = print) -> bool:
    """Generate the demo group on first use when sources are not configured.

    Args:
        settings: the platform settings.
        say: where to report that generation happens (a logger or ``print``).

    Returns:
        True when this call generated the demo group.
    """
    if not settings.uses_demo_sources:
        return False
    from demo import demo_exists, ensure_demo_group

    if demo_exists(settings):
        return False
    lock_path = Path(settings.demo.dir) / ".generate.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if demo_exists(settings):
            return False
        say(
            "No source systems are configured: generating the demo group "
            f"(scale {settings.demo.scale}, seed {settings.demo.seed}) in {settings.demo.dir} …"
        )
        manifest = ensure_demo_group(settings)
        return manifest is not None
