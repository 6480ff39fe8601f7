"""The ERP source: its contract (:mod:`.tables`, the DDL) and incremental extraction."""
