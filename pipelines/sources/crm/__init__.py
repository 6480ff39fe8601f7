"""CRM connector: the group CRM's REST API, paged by cursor, incremental by ``updated_at``.

:mod:`~pipelines.sources.crm.client` talks HTTP (bearer token, retries with backoff),
:mod:`~pipelines.sources.crm.extract` turns pages into watermark-ranged raw batches for
:func:`pipelines.ingest.ingest_entity`, :mod:`~pipelines.sources.crm.specs` declares the
tables.
"""
