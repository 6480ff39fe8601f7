"""GroupLake's serving API: procurement's read-only window onto the governed marts.

Layers (arrows point down):

* :mod:`serving.main` — the FastAPI app (``create_app``); :mod:`serving.api` holds one router
  per resource, :mod:`serving.schemas` the response shapes.
* :mod:`serving.access` — who may see what (roles, business units, a supplier's own key).
* :mod:`serving.repository` — the queries, over one snapshot cursor; no FastAPI.
* :mod:`serving.snapshot` — the read-optimised store: a DuckDB file per snapshot built from
  the gold Delta tables, a pointer swapped atomically, old files collected after a grace
  period; the API follows the pointer between requests.
"""
