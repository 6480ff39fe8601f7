"""MLflow "models from code" entry points: each file sets one pyfunc model.

:func:`models.ml.registry.log_training` logs these files (not a pickled object) as the
model's code, so loading a registered model runs a small, readable file that imports the
wrapper from :mod:`models.ml.pyfunc`.
"""

from pathlib import Path

FRAUD_RISK = Path(__file__).with_name("fraud_risk.py")
RECOMMENDER = Path(__file__).with_name("recommender.py")
FRAUD_ONLINE = Path(__file__).with_name("fraud_online.py")
DEMAND_FORECAST = Path(__file__).with_name("demand_forecast.py")
DELIVERY_RISK = Path(__file__).with_name("delivery_risk.py")
