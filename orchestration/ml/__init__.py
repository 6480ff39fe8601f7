"""ML component: model training/registration assets and the ML gold tables (see ``assets.py``)."""

import dagster as dg

from orchestration.ml.assets import ml_assets

defs = dg.Definitions(assets=ml_assets)
