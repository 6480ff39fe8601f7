"""Machinery shared by the file- and message-driven connectors (WMS drops, IoT drops and MQTT).

- :mod:`~pipelines.sources.shared.folder`: a landing or archive folder, local or on an object
  store, listed and moved through ``pyarrow.fs``;
- :mod:`~pipelines.sources.shared.ledger`: which file contents (sha256) were already landed;
- :mod:`~pipelines.sources.shared.filebatch`: land groups of parsed files exactly once
  (content-derived batch ids, per-file quarantine, ledger, archive);
- :mod:`~pipelines.sources.shared.lock`: one ingest of an entity at a time.
"""
