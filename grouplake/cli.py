"""The ``grouplake`` command.

The root lives here; every top-level folder contributes its own command groups from its
``cli.py`` through a ``register(app)`` function (``lake.cli`` adds ``sql``, ``demo.cli`` adds
``demo``, ``transactional.cli`` adds ``tx`` …), imported explicitly: a missing contributor is
an import error, never a silently absent command. Command modules import heavy libraries
inside the command bodies so that ``grouplake --help`` stays fast.
"""

from __future__ import annotations

import warnings

import typer

from demo import cli as demo_cli
from expectations import cli as expectations_cli
from grouplake import commands, dbt_scaffold
from lake import cli as lake_cli
from models import cli as models_cli
from serving import cli as serving_cli
from transactional import cli as transactional_cli

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


#: Command contributors, in help order.
CONTRIBUTORS = (commands, dbt_scaffold, lake_cli, demo_cli, models_cli, expectations_cli,
                transactional_cli, serving_cli)

for _contributor in CONTRIBUTORS:
    _contributor.register(app)


def main() -> None:  # pragma: no cover - console entry point
    """Run the command line."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
