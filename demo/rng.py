"""Named random streams, so every part of the simulator is reproducible on its own.

Each component draws from ``substream(seed, "vendors")``, ``substream(seed, "po", "lines")``
… instead of sharing one generator: adding a draw in one component never shifts the
numbers another component sees, and the same ``seed`` always gives the same data.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(*names: str | int) -> int:
    """A stable 32-bit key for a stream name (CRC-32, not Python's salted ``hash``)."""
    return zlib.crc32("/".join(str(n) for n in names).encode("utf-8"))


def substream(seed: int, *names: str | int) -> np.random.Generator:
    """An independent generator for the component called ``names`` under ``seed``.

    Example:
        >>> a = substream(42, "vendors").integers(0, 1000, 3)
        >>> b = substream(42, "vendors").integers(0, 1000, 3)
        >>> bool((a == b).all())
        True
    """
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, stream_key(*names)]))
