"""WMS connector: CSV and Excel exports dropped in a landing folder (local or object store).

Every file is validated on its own (header against the declared columns, then each row's
types), landed exactly once by content hash, and archived. See
:mod:`pipelines.sources.wms.specs` for the entities and :mod:`pipelines.sources.wms.ingest`
for the entry point.
"""
