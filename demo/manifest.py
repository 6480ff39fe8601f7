"""The demo manifest: what was generated, from what, and how big it is.

``<demo dir>/manifest.json`` records scale, seed, profile (name, path, sha256), the window,
the current cutoff, row counts per table (ERP ``erp.<table>``, CRM ``crm.<entity>``, WMS
and IoT files and events, ground truth files), the generation time, and one entry per
``advance``. Everything but ``generated_at`` and the timings is deterministic.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_NAME = "manifest.json"


@dataclass
class DemoManifest:
    """What ``generate_demo_group`` / ``advance_demo_group`` produced."""

    scale: float
    seed: int
    profile: str
    profile_sha256: str
    window_start: str
    window_end: str
    cutoff: str  # ISO-8601 UTC: the sources show everything before it
    erp_url: str
    demo_dir: str
    wms_landing_dir: str
    iot_landing_dir: str
    row_counts: dict[str, int] = field(default_factory=dict)
    generation_seconds: float = 0.0
    generated_at: str = ""
    advances: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=True)

    def write(self, demo_dir: Path) -> Path:
        demo_dir.mkdir(parents=True, exist_ok=True)
        path = demo_dir / MANIFEST_NAME
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, demo_dir: Path) -> DemoManifest:
        data = json.loads((demo_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        return cls(**data)
