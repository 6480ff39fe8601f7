"""Command groups contributed by ``models/``: ``grouplake suppliers …`` and ``grouplake clv …``.

Each library keeps its commands in its own ``cli.py`` exposing a Typer app; this module only
mounts the ones that exist.
"""

from __future__ import annotations

import importlib

import typer

from infra.plugins import module_exists

#: (module, attribute, command name)
GROUPS = (
    ("models.entity_resolution.cli", "suppliers_app", "suppliers"),
    ("models.clv.cli", "clv_app", "clv"),
    ("models.ml.cli", "ml_app", "ml"),
)


def register(app: typer.Typer) -> None:
    """Mount every models command group that is present."""
    for module_name, attr, name in GROUPS:
        if not module_exists(module_name):
            continue
        app.add_typer(getattr(importlib.import_module(module_name), attr), name=name)
