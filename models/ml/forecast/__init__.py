"""Forecasts that feed the sourcing optimiser (issue #16 item 3).

* :mod:`.demand` — weekly demand per business unit x SKU (thin SKUs pooled per category) for
  the next 4 weeks: gradient boosting on lags, rolling means and the week of the year, judged
  on a later period against the naive forecasts (last value, seasonal naive, moving average).
* :mod:`.delivery` — probability that a supplier delivers a SKU after the promised date, from
  its delivery record, lead-time spread and shipment telemetry, judged on a later period
  against the supplier's historical late rate.
* :mod:`.history` — the lake reads both share (bronze ERP and WMS tables).
* :mod:`.lookup` — ``late_probability`` for (supplier, SKU) from ``gold.ml_delivery_risk``, to
  fill the optimiser's offers.
* :mod:`.train` / :mod:`.score` — train + register in MLflow, and the gold rows.
"""
