"""``python -m serving …``: the serving command group without the rest of the CLI."""

from serving.cli import serving_app

if __name__ == "__main__":
    serving_app()
