"""Supplier entity resolution: one golden supplier per real company across the group.

Public API (free of dbt and Dagster)::

    from models.entity_resolution import resolve_suppliers, parse_name
    res = resolve_suppliers(records_df, previous=last_crosswalk, group_code="GL")
    res.source_records  # every record with supplier_key, match_confidence, match_evidence
    res.golden          # one row per supplier, golden fields and their source record ids

Modules: :mod:`uscc` (placeholders; validation is ``infra/uscc.py``), :mod:`normalise` (name parts), :mod:`records`
(contacts), :mod:`blocking`, :mod:`features`, :mod:`model`, :mod:`cluster`, :mod:`golden`,
:mod:`keys`, :mod:`resolve`, :mod:`evaluate`, :mod:`cli` (``grouplake suppliers dedup``).
The hand-labelled pairs in ``tests/fixtures/supplier_pairs_gold.csv`` are never used for
training or calibration.
"""

import importlib
from typing import Any

#: public name -> submodule (imported on first use, so ``grouplake --help`` stays fast)
_EXPORTS = {
    "NameParts": "normalise",
    "parse_name": "normalise",
    "Resolution": "resolve",
    "resolve_suppliers": "resolve",
}

__all__ = sorted(_EXPORTS)  # noqa: PLE0605 - the lazy exports are the public names


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
