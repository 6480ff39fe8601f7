"""ML component: model training/registration assets and the ML gold tables (``assets.py``, ``reco.py``, ``forecast.py``)."""

import dagster as dg

from orchestration.ml.assets import ml_assets
from orchestration.ml.forecast import forecast_assets
from orchestration.ml.reco import reco_assets

defs = dg.Definitions(assets=[*ml_assets, *reco_assets, *forecast_assets])
