"""Queries over one snapshot cursor: plain functions returning plain rows (no FastAPI).

Every function takes a DuckDB cursor of a leased snapshot (``snapshot.cursor()``) and the
already-resolved scope (a business unit or ``None`` for group-wide); scoping decisions are
:mod:`serving.access`'s, the SQL here only applies them.
"""
