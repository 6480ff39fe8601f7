"""Data quality: the Great Expectations suites as blocking asset checks.

Suites on a source's bronze tables are registered when that source's component exists;
cross-source suites when all their sources do.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "defs":
        from orchestration.quality.definitions import build_quality_defs

        return build_quality_defs()
    raise AttributeError(name)
