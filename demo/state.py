"""The simulator's own bookkeeping under ``<demo dir>/state/`` (never a source system).

Between ``init`` and each ``advance`` it keeps: the id counters, the current cutoff, the
rows whose future is not yet visible (pending frames per table), the vendors' bank
account history, and the list of drop files written (so ``--force`` removes exactly
those). Pending frames are pickled pandas frames: internal, written and read only here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class SimState:
    """Mutable state carried from one run to the next."""

    cutoff: float  # epoch seconds: everything before it is visible in the sources
    counters: dict[str, int] = field(default_factory=dict)
    pending: dict[str, pd.DataFrame] = field(default_factory=dict)
    bank_history: pd.DataFrame | None = None
    vendor_inactive_at: list[float] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)


def state_dir(demo_dir: Path) -> Path:
    return demo_dir / "state"


def save_state(demo_dir: Path, state: SimState) -> None:
    """Write ``state`` under ``<demo_dir>/state/`` (replacing what was there)."""
    d = state_dir(demo_dir)
    (d / "pending").mkdir(parents=True, exist_ok=True)
    for old in (d / "pending").glob("*.pkl"):
        old.unlink()
    for name, frame in state.pending.items():
        frame.to_pickle(d / "pending" / f"{name}.pkl")
    if state.bank_history is not None:
        state.bank_history.to_pickle(d / "bank_history.pkl")
    meta = {"cutoff": state.cutoff, "counters": state.counters, "vendor_inactive_at": state.vendor_inactive_at,
            "runs": state.runs}
    (d / "state.json").write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    (d / "files.txt").write_text("\n".join(state.files) + ("\n" if state.files else ""), encoding="utf-8")


def load_state(demo_dir: Path) -> SimState:
    """Read the state written by :func:`save_state`."""
    d = state_dir(demo_dir)
    meta = json.loads((d / "state.json").read_text(encoding="utf-8"))
    pending = {p.name.removesuffix(".pkl"): pd.read_pickle(p) for p in sorted((d / "pending").glob("*.pkl"))}
    bank = pd.read_pickle(d / "bank_history.pkl") if (d / "bank_history.pkl").exists() else None
    files_path = d / "files.txt"
    files = [f for f in files_path.read_text(encoding="utf-8").splitlines() if f] if files_path.exists() else []
    return SimState(cutoff=meta["cutoff"], counters=meta["counters"], pending=pending, bank_history=bank,
                    vendor_inactive_at=meta["vendor_inactive_at"], files=files, runs=meta.get("runs", []))
