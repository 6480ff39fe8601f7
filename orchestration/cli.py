"""The ``grouplake`` command.

The root lives here; every top-level folder may contribute its own command groups from its
``cli.py`` through a ``register(app)`` function (``pipelines.cli`` adds ``demo`` and ``sql``,
``transactional.cli`` adds ``tx`` …). Command modules import heavy libraries inside the
command bodies so that ``grouplake --help`` stays fast.
"""

from __future__ import annotations

import importlib
import warnings

import typer

from infra.plugins import module_exists

app = typer.Typer(
    name="grouplake",
    help="GroupLake: a group enterprise's lakehouse and trading layer.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """GroupLake: a group enterprise's lakehouse and trading layer."""
    # Great Expectations imports pyspark when it is installed (the spark extra); its pandas-3
    # notice is about Spark's pandas API, which GroupLake does not use, and would repeat on
    # every check of a run.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                            category=FutureWarning)


#: Modules whose ``register(app)`` adds command groups, in help order.
CONTRIBUTORS = (
    "orchestration.commands",
    "pipelines.cli",
    "models.cli",
    "expectations.cli",
    "transactional.cli",
    "serving.cli",
)


def _register_contributors() -> None:
    for name in CONTRIBUTORS:
        if not module_exists(name):
            continue
        importlib.import_module(name).register(app)


_register_contributors()


def main() -> None:  # pragma: no cover - console entry point
    """Run the command line."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
