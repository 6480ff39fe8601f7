"""Every bronze table the source connectors declare, listed explicitly.

One place to enumerate the connectors' :class:`~lake.spec.EntitySpec` objects (the dbt
staging scaffold and its coverage test read it). A new source adds its specs here; a
missing module is an import error, never a silently shorter list.
"""

from __future__ import annotations

from lake.spec import EntitySpec
from pipelines.sources.crm.specs import crm_specs
from pipelines.sources.erp.specs import erp_specs
from pipelines.sources.iot.specs import iot_specs
from pipelines.sources.tx.outbox import OUTBOX_SPEC
from pipelines.sources.wms.specs import wms_specs


def bronze_specs() -> list[EntitySpec]:
    """Every bronze entity of every source, sorted by name.

    Example:
        >>> sorted({spec.source for spec in bronze_specs()})
        ['crm', 'erp', 'iot', 'tx', 'wms']
    """
    specs = [*erp_specs(), *crm_specs(), *wms_specs(), *iot_specs(), OUTBOX_SPEC]
    return sorted((spec for spec in specs if spec.layer == "bronze"), key=lambda spec: spec.name)
