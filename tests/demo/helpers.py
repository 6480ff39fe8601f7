"""Helpers of the demo-group tests: content hashes of everything a demo group wrote."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


def sqlite_table_hashes(path: Path) -> dict[str, str]:
    """sha256 of every table's rows ordered by its first column (raw bytes, any encoding)."""
    conn = sqlite3.connect(path)
    conn.text_factory = bytes
    try:
        names = [r[0].decode() for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for name in names:
            h = hashlib.sha256()
            for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                h.update(repr(row).encode())
            out[name] = h.hexdigest()
        return out
    finally:
        conn.close()


def file_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (relative path → hash)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def demo_hashes(settings: object) -> dict[str, str]:
    """Content hashes of the ERP, CRM, WMS and IoT drops and the ground truth of a demo group."""
    demo = Path(settings.demo.dir)
    out = {f"erp/{k}": v for k, v in sqlite_table_hashes(Path(settings.erp.database_url.removeprefix("sqlite:///"))).items()}
    out.update({f"crm/{k}": v for k, v in sqlite_table_hashes(demo / "crm.db").items()})
    out.update({f"wms/{k}": v for k, v in file_hashes(Path(settings.wms.landing_dir)).items()})
    out.update({f"iot/{k}": v for k, v in file_hashes(Path(settings.iot.landing_dir)).items()})
    out.update({f"truth/{k}": v for k, v in file_hashes(demo / "ground_truth").items()})
    return out
