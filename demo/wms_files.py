"""WMS file drops: one movements CSV per warehouse per month (per ``advance`` range) and
one stock snapshot CSV per warehouse per month end, with a few malformed files and rows.

Layout under ``settings.wms.landing_dir``::

    movements/movements_<warehouse_code>_<YYYYMMDD>_<YYYYMMDD>.csv   (UTC dates, inclusive)
    stock/stock_<warehouse_code>_<YYYYMMDD>.csv                       (on hand at the end of that day)

UTF-8, comma-separated, header row, ``\\n`` line ends, timestamps ISO-8601 UTC with ``Z``.
Injected problems (ground truth ``dirty_rows``): a file whose header has a renamed,
missing or extra column (``wrong_columns``); rows with text in the quantity
(``text_in_numeric``), a line encoded in GBK (``non_utf8``), a row cut short
(``truncated_row``).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from demo.timebase import DAY, date_strings, iso_strings
from demo.wms import MOVEMENT_COLUMNS

STOCK_COLUMNS = ["snapshot_date", "warehouse_code", "sku", "bin", "quantity_on_hand", "uom"]


def fmt_qty(values: np.ndarray) -> list[str]:
    return [f"{v:.3f}".rstrip("0").rstrip(".") if not math.isnan(v) else "" for v in np.asarray(values, dtype=float).tolist()]


def _csv_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().splitlines(keepends=True)


def movement_files(movements: pd.DataFrame, ranges: list[tuple[int, int]]) -> dict[str, pd.DataFrame]:
    """Split emitted movements into files: ``ranges`` are inclusive (first_day, last_day) UTC."""
    day = np.floor(movements["moved_at"].to_numpy() / DAY)
    starts = np.array([r[0] for r in ranges])
    which = np.searchsorted(starts, day, side="right") - 1
    out: dict[str, pd.DataFrame] = {}
    mv = movements.assign(_f=which).sort_values(["moved_at", "movement_id"], kind="stable")
    for (fi, code), chunk in mv.groupby(["_f", "warehouse_code"], sort=True):
        first, last = ranges[int(fi)]
        a, b = date_strings(np.array([first, last], dtype=float))
        out[f"movements/movements_{code}_{a.replace('-', '')}_{b.replace('-', '')}.csv"] = chunk.drop(columns=["_f"])
    return out


def _movement_rows(chunk: pd.DataFrame) -> list[list[str]]:
    moved = [t.replace(" ", "T") + "Z" for t in iso_strings(chunk["moved_at"].to_numpy(dtype=float), micros=False)]
    cols = [chunk["movement_id"].tolist(), chunk["warehouse_code"].tolist(), chunk["sku"].tolist(), chunk["bin"].tolist(),
            chunk["movement_type"].tolist(), fmt_qty(chunk["quantity"].to_numpy()), chunk["uom"].tolist(),
            chunk["reference_type"].tolist(), chunk["reference_id"].tolist(), moved, chunk["operator"].tolist()]
    return [list(r) for r in zip(*cols, strict=True)]


def write_wms(landing: Path, files: dict[str, pd.DataFrame], snapshots: dict[str, pd.DataFrame],
              rng: np.random.Generator, n_bad_files: int, n_bad_rows: int) -> tuple[list[str], list[tuple]]:
    """Write movement and stock files; returns (relative paths, dirty-row truth)."""
    truth: list[tuple] = []
    paths = sorted(files)
    bad_files = set(rng.choice(paths, size=min(n_bad_files, len(paths)), replace=False).tolist()) if paths else set()
    candidates = [p for p in paths if p not in bad_files]
    bad_rows: dict[str, list[tuple[int, str]]] = {}
    for _ in range(n_bad_rows if candidates else 0):
        path = candidates[int(rng.integers(0, len(candidates)))]
        line = 2 + int(rng.integers(0, len(files[path])))
        kind = ("text_in_numeric", "non_utf8", "truncated_row")[int(rng.integers(0, 3))]
        if all(line != ln for ln, _ in bad_rows.get(path, [])):
            bad_rows.setdefault(path, []).append((line, kind))
    written = []
    for path in paths:
        header, rows = list(MOVEMENT_COLUMNS), _movement_rows(files[path])
        if path in bad_files:
            variant = int(rng.integers(0, 3))
            if variant == 0:
                header[header.index("quantity")] = "qty"
                detail = "column quantity renamed to qty"
            elif variant == 1:
                i = header.index("bin")
                header.pop(i)
                rows = [r[:i] + r[i + 1:] for r in rows]
                detail = "column bin missing"
            else:
                header.append("remark")
                rows = [[*r, "盘点差异" if k % 7 == 0 else ""] for k, r in enumerate(rows)]
                detail = "extra column remark"
            truth.append(("wms", path, 1, "", "wrong_columns", detail))
        lines = [ln.encode("utf-8") for ln in _csv_lines(header, rows)]
        for line, kind in sorted(bad_rows.get(path, [])):
            row = list(rows[line - 2])
            q = header.index("quantity")
            if kind == "text_in_numeric":
                row[q] = str(rng.choice(["N/A", f"{row[q]}吨", "1,234.5", "十二"]))
                lines[line - 1] = _csv_lines(header, [row])[1].encode("utf-8")
                truth.append(("wms", path, line, "quantity", kind, row[q]))
            elif kind == "non_utf8":
                lines[line - 1] = _csv_lines(header, [row])[1].encode("gbk", errors="replace")
                truth.append(("wms", path, line, "operator", kind, "line encoded in GBK"))
            else:
                lines[line - 1] = (",".join(row[:-3]) + "\n").encode("utf-8")
                truth.append(("wms", path, line, "", kind, "last 3 fields missing"))
        _write(landing / path, b"".join(lines))
        written.append(path)
    for path in sorted(snapshots):
        snap = snapshots[path]
        rows = [list(r) for r in zip(snap["snapshot_date"], snap["warehouse_code"], snap["sku"], snap["bin"],
                                     fmt_qty(snap["quantity_on_hand"].to_numpy()), snap["uom"], strict=True)]
        _write(landing / path, "".join(_csv_lines(STOCK_COLUMNS, rows)).encode("utf-8"))
        written.append(path)
    return written, truth


def snapshot_files(balances: list[pd.DataFrame], days: list[int]) -> dict[str, pd.DataFrame]:
    """Stock snapshot files: ``balances[i]`` is the stock at the end of UTC day ``days[i]``."""
    out = {}
    for snap, day in zip(balances, days, strict=True):
        date = date_strings(np.array([day], dtype=float))[0]
        for code, chunk in snap.groupby("warehouse_code", sort=True):
            chunk = chunk.sort_values(["sku", "bin"], kind="stable").assign(snapshot_date=date)
            out[f"stock/stock_{code}_{date.replace('-', '')}.csv"] = chunk
    return out


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
