"""One ingest of an entity at a time.

Two runs landing the same batch at the same moment could both find its transaction id
absent and both append (Delta appends do not conflict). The sensors avoid overlapping
runs; this lock makes it impossible on a local lake: an exclusive ``flock`` on
``<lake>/_meta/locks/<source>.<entity>.lock``, released by the kernel even when the process
is killed. Object-store lakes rely on the orchestrator (one run per job at a time).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from lake.storage import LakeStorage


@contextlib.contextmanager
def entity_lock(storage: LakeStorage, source: str, entity: str) -> Iterator[None]:
    """Hold the ingest lock of ``source.entity`` for the duration of the block.

    Example:
        >>> with entity_lock(LakeStorage("/tmp/lake"), "wms", "movements"):  # doctest: +SKIP
        ...     ...
    """
    if not storage.is_local:
        yield
        return
    path = Path(storage.uri(f"_meta/locks/{source}.{entity}.lock"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
