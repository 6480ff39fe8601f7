"""Hand-made WMS export files for the WMS tests (well-formed and malformed)."""

from __future__ import annotations

import io
import os
from pathlib import Path

MOVEMENT_HEADER = ("movement_id,warehouse_code,sku,bin,movement_type,quantity,uom,reference_type,"
                   "reference_id,moved_at,operator")


def movement_line(i: int, quantity: str = "12.5", operator: str = "张三") -> str:
    return (f"MV-T{i:05d},WH-T,SKU-{i % 7},A-01-01-1,receipt,{quantity},吨,goods_receipt,GR-{i},"
            f"2026-03-0{1 + i % 9}T08:00:00Z,{operator}")


def write(path: Path, data: bytes, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def csv_bytes(header: str, lines: list[str]) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
