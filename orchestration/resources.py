"""Dagster resources: thin handles onto the settings object and the domain code.

Resources read :func:`infra.settings.get_settings` when a run uses them, never at import,
so ``dagster dev`` and ``grouplake run`` see the same configuration as the CLI.
"""

from __future__ import annotations

import dagster as dg

from infra.settings import get_settings
from lake.storage import LakeStorage


class LakeResource(dg.ConfigurableResource):
    """The Delta lake (``LAKE__ROOT``, ``LAKE__STORAGE_OPTIONS``)."""

    def storage(self) -> LakeStorage:
        """The lake storage handle for this run."""
        return LakeStorage.from_settings(get_settings())
