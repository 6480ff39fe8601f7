"""Supplier entity resolution: one golden supplier per real company across the group.

Public API (free of dbt and Dagster)::

    from models.entity_resolution import resolve_suppliers, parse_name, validate_uscc
    res = resolve_suppliers(records_df, previous=last_crosswalk, group_code="GL")
    res.source_records  # every record with supplier_key, match_confidence, match_evidence
    res.golden          # one row per supplier, golden fields and their source record ids

Modules: :mod:`uscc` (GB 32100 codes), :mod:`normalise` (name parts), :mod:`records`
(contacts), :mod:`blocking`, :mod:`features`, :mod:`model`, :mod:`cluster`, :mod:`golden`,
:mod:`keys`, :mod:`resolve`, :mod:`evaluate`, :mod:`cli` (``grouplake suppliers dedup``).
The hand-labelled pairs in ``tests/fixtures/supplier_pairs_gold.csv`` are never used for
training or calibration.
"""

from models.entity_resolution.normalise import NameParts, parse_name
from models.entity_resolution.resolve import Resolution, resolve_suppliers
from models.entity_resolution.uscc import validate_uscc

__all__ = ["NameParts", "Resolution", "parse_name", "resolve_suppliers", "validate_uscc"]
