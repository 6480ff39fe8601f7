"""Command groups contributed by ``models/``: ``grouplake suppliers …``, ``clv …``, ``ml …``, ``reco …``,
``sourcing …``, ``documents …``.

Each library keeps its commands in its own ``cli.py`` exposing a Typer app; this module mounts
them (imported explicitly: a missing one is an import error).
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Mount ``suppliers``, ``clv``, ``ml``, ``reco``, ``sourcing`` and ``documents`` on the
    root app."""
    from models.clv.cli import clv_app
    from models.documents.cli import documents_app
    from models.entity_resolution.cli import suppliers_app
    from models.ml.cli import ml_app
    from models.ml.recommend.cli import reco_app
    from models.sourcing.cli import sourcing_app

    app.add_typer(suppliers_app, name="suppliers")
    app.add_typer(clv_app, name="clv")
    app.add_typer(ml_app, name="ml")
    app.add_typer(reco_app, name="reco")
    app.add_typer(sourcing_app, name="sourcing")
    app.add_typer(documents_app, name="documents")
