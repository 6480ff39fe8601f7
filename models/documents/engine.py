"""The OCR engine: RapidOCR (PP-OCR detection + recognition models shipped in the
``rapidocr-onnxruntime`` wheel) on ONNX Runtime, CPU, loaded once per process.

:func:`recognise` returns text boxes: the four corners, the text and the recogniser's score.
Loading takes about half a second; a licence page about 1–3 s on one core (see
``tests/benchmarks/results/ocr.json``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

_LOCK = threading.Lock()
_RUN = threading.Lock()  # one page at a time per process: bounds CPU use in the service
_ENGINE: Any = None


@dataclass(frozen=True)
class TextBox:
    """One recognised text line segment: corners (x, y) clockwise from top-left."""

    corners: tuple[tuple[float, float], ...]
    text: str
    score: float

    @property
    def left(self) -> float:
        """Smallest x of the box."""
        return min(p[0] for p in self.corners)

    @property
    def centre_y(self) -> float:
        """Mean y of the corners."""
        return sum(p[1] for p in self.corners) / len(self.corners)

    @property
    def height(self) -> float:
        """Vertical extent of the box."""
        ys = [p[1] for p in self.corners]
        return max(ys) - min(ys)


def engine() -> Any:
    """The process's RapidOCR instance (created on first use, thread-safe)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR

            _ENGINE = RapidOCR()
        return _ENGINE


def recognise(image: np.ndarray) -> list[TextBox]:
    """OCR one page (H×W grey or H×W×3 BGR uint8): its text boxes, unordered. Pages are
    read one at a time per process (ONNX Runtime already uses every core for one page)."""
    ocr = engine()
    with _RUN:
        result, _ = ocr(image, use_cls=False)  # pages are deskewed; no upside-down lines
    boxes = []
    for corners, text, score in result or []:
        boxes.append(TextBox(tuple((float(x), float(y)) for x, y in corners), str(text),
                             float(score)))
    return boxes
