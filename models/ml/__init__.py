"""Machine learning on the lake: procurement fraud risk and recommendations (SKUs, related SKUs, suppliers).

Features are SQL over the lake (:mod:`models.ml.features`), models are scikit-learn
(:mod:`models.ml.fraud`, :mod:`models.ml.recommend`), tracked and registered in MLflow
(:mod:`models.ml.registry`); Dagster assets in ``orchestration/ml`` train them and publish
``gold.ml_fraud_risk`` and the recommender's gold tables (``gold.ml_recommendations`` …). :mod:`models.ml.risk` scores a single
order online from a bundle shipped with the champion model, without the lake.
See ``models/ml/README.md``.
"""
