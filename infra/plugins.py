"""Optional modules: features plug in by existing, registries skip what is absent."""

from __future__ import annotations

import importlib.util


def module_exists(name: str) -> bool:
    """Whether ``name`` (possibly dotted, possibly with missing parents) can be imported."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
