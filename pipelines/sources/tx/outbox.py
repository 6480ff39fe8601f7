"""Read the transactional service's outbox into the lake, in commit order, exactly once.

The service writes every business event (order placed, paid, shipped, offer changed,
supplier approved …) to ``outbox_events`` in the same database transaction as the change
itself, numbered by ``sequence_id`` strictly increasing in commit order. The lake reads
that table — never the service's code (``transactional/`` is not imported here) — after
the last committed ``sequence_id``; events are immutable, merged by ``event_id``.

The contract (the columns below) is the transactional service's published outbox schema
(``transactional/README.md``, "Outbox").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.types import NullType

from lake.spec import EntitySpec
from pipelines.ingest import RawBatch
from pipelines.sources.erp.extract import column_to_arrow

SOURCE = "tx"

OUTBOX_SPEC = EntitySpec(
    source=SOURCE,
    entity="outbox_events",
    schema=pa.schema(
        [
            ("event_id", pa.string()),
            ("sequence_id", pa.int64()),
            ("event_type", pa.string()),
            ("aggregate_type", pa.string()),
            ("aggregate_id", pa.string()),
            ("business_unit", pa.string()),
            ("supplier_id", pa.string()),
            ("payload", pa.string()),
            ("occurred_at", pa.timestamp("us", tz="UTC")),
            ("schema_version", pa.int64()),
        ]
    ),
    key=("event_id",),
    change_column=None,
    required=("sequence_id", "event_type", "aggregate_type", "aggregate_id", "payload", "occurred_at"),
    description="Business events of the transactional service (outbox), one row per event.",
)

_outbox = sa.table(
    "outbox_events",
    *(sa.column(name) for name in OUTBOX_SPEC.schema.names),
)


@dataclass
class OutboxExtractor:
    """Reads outbox events after a committed ``sequence_id``, a bounded batch per query."""

    engine: sa.Engine
    batch_rows: int = 50_000

    def extract(self, spec: EntitySpec, since: Any | None) -> Iterator[RawBatch]:
        """Yield batches of events with ``sequence_id > since``, in sequence order."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            return  # the platform has not been started here yet: no events
        names = spec.schema.names
        columns = [sa.type_coerce(_outbox.c[n], NullType()).label(n) for n in names]
        low: int | None = int(since) if since is not None else None
        while True:
            stmt = (
                sa.select(*columns)
                .where(_outbox.c.sequence_id > (low or 0))
                .order_by(_outbox.c.sequence_id)
                .limit(self.batch_rows)
            )
            with self.engine.connect() as conn:
                if not sa.inspect(conn).has_table("outbox_events"):
                    return
                rows = conn.execute(stmt).fetchall()
            if not rows:
                return
            row_errors: dict[int, str] = {}
            arrays = [
                column_to_arrow(list(values), name, row_errors)
                for name, values in zip(names, zip(*rows, strict=True), strict=True)
            ]
            high = int(rows[-1][names.index("sequence_id")])
            yield RawBatch(
                table=pa.Table.from_arrays(arrays, names=names),
                low=low,
                high=high,
                row_errors=row_errors,
                origin="tx:outbox_events",
            )
            if len(rows) < self.batch_rows:
                return
            low = high
