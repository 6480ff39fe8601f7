"""Turning an uploaded file into a clean page image for OCR.

* **Decode**: PNG/JPEG with OpenCV; a PDF's first page rendered by pypdfium2 (PDFium, in its
  wheel) at a scale giving about :data:`TARGET_WIDTH` pixels across.
* **Stamp removal**: grey = the brightest of the three channels, so red (and blue) seal ink
  turns paper-white while black print stays dark.
* **Contrast**: stretch the 1st percentile … :data:`WHITE_POINT` × the paper's brightness to
  the full range, so what is left of seal ink (lighter than print) turns white.
* **Deskew**: the angle in ±:data:`MAX_SKEW` degrees that makes the row profile of dark pixels
  sharpest (on a reduced copy), then one rotation of the full page.
* **Resolution**: pages are scaled to :data:`WORK_WIDTH` pixels across (small scans up,
  large photos down: detection cost grows with the pixel count, and a licence's body text
  stays above 20 px high at that width).

What each step buys is measured by ``tests/benchmarks/bench_ocr.py`` (``ablation``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

TARGET_WIDTH = 1600
WORK_WIDTH = 1200
MAX_SKEW = 5.0
WHITE_POINT = 0.85  # of the paper's brightness (the median pixel): lighter is paper
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


class UnreadableDocumentError(ValueError):
    """The bytes are not a PNG, JPEG or PDF this reader can decode."""


@dataclass(frozen=True)
class Steps:
    """Which preprocessing steps run (all by default)."""

    stamp: bool = True
    contrast: bool = True
    deskew: bool = True
    resize: bool = True


def decode(data: bytes) -> np.ndarray:
    """BGR page image of an image file or of a PDF's first page.

    Raises:
        UnreadableDocumentError: not a decodable PNG/JPEG/PDF, or too many pixels.
    """
    if data.startswith(b"%PDF-"):
        return _render_pdf(data)
    header = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8) \
        if data[:3] == b"\xff\xd8\xff" else None
    if header is not None and header.size * 64 > MAX_PIXELS:
        raise UnreadableDocumentError("the image has too many pixels")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise UnreadableDocumentError("not a PNG, JPEG or PDF document")
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise UnreadableDocumentError("the image has too many pixels")
    return image


def _render_pdf(data: bytes) -> np.ndarray:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocumentError(f"unreadable PDF: {exc}") from None
    try:
        if len(pdf) == 0:
            raise UnreadableDocumentError("the PDF has no page")
        page = pdf[0]
        width_pt = page.get_width() or 595
        scale = min(max(TARGET_WIDTH / width_pt, 1.0), 6.0)
        bitmap = page.render(scale=scale)
        rgb = np.array(bitmap.to_numpy(), copy=True)
    finally:
        pdf.close()
    if rgb.ndim == 2:
        return cv2.cvtColor(rgb, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(rgb[..., :3][..., ::-1]) if bitmap.mode == "RGB" \
        else np.ascontiguousarray(rgb[..., :3])


def skew_angle(grey: np.ndarray, limit: float = MAX_SKEW, step: float = 0.25) -> float:
    """The rotation (degrees, counter-clockwise positive as in OpenCV) that levels the text."""
    small = grey
    if grey.shape[1] > 800:
        f = 800 / grey.shape[1]
        small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    ink = (small < 128).astype(np.float32)
    h, w = ink.shape
    centre = (w / 2, h / 2)
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        m = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        rotated = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST)
        rows = rotated.sum(axis=1)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def prepare(image: np.ndarray, steps: Steps = Steps()) -> np.ndarray:
    """The grey page OCR reads, after the enabled :class:`Steps`."""
    grey = image.max(axis=2) if steps.stamp and image.ndim == 3 else (
        cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image)
    if steps.resize:
        f = WORK_WIDTH / grey.shape[1]
        if abs(f - 1) > 0.05:
            grey = cv2.resize(grey, None, fx=f, fy=f,
                              interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA)
    if steps.contrast:
        lo, hi = np.percentile(grey, (1, 99))
        hi = min(hi, WHITE_POINT * float(np.median(grey)))  # faded seal ink -> paper
        if hi - lo > 10:
            grey = np.clip((grey.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255) \
                .astype(np.uint8)
    if steps.deskew:
        angle = skew_angle(grey)
        if abs(angle) >= 0.25:
            h, w = grey.shape
            m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            grey = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_CUBIC,
                                  borderMode=cv2.BORDER_REPLICATE)
    return grey
