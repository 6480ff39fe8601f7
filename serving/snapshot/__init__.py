"""The serving snapshot: what the API reads, copied from gold into one DuckDB file.

A running pipeline never blocks or breaks a read: a snapshot file is written completely
under a temporary name, renamed, and only then published by replacing a small JSON pointer
(``os.replace``, atomic). Readers open the file the pointer names, read-only, and keep it
until their request ends; a replaced file is deleted only after a grace period.

* :mod:`serving.snapshot.catalog` — which gold tables are copied, their order and indexes.
* :mod:`serving.snapshot.build` — :func:`build_snapshot` (used by the Dagster asset).
* :mod:`serving.snapshot.pointer` — the pointer file and garbage collection.
* :mod:`serving.snapshot.store` — :class:`SnapshotStore`, the API's view of the current file.
"""
