"""Features of the ML models, computed by SQL over the lake (DuckDB).

One module per scored document type (:mod:`~models.ml.features.orders`,
:mod:`~models.ml.features.invoices`, :mod:`~models.ml.features.payments`), suppliers'
delivery and quality record (:mod:`~models.ml.features.interactions`), and the catalogue of
every feature with its meaning and the reason shown to auditors
(:mod:`~models.ml.features.catalog`). Every function takes a DuckDB connection on which the
source relations exist (:class:`~models.ml.features.sources.Sources`) and returns a pandas
frame; none reads ground truth.
"""
