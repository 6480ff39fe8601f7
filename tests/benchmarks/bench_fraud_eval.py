"""The honest fraud evaluation (issue #14) on three fresh demo groups: ``results/fraud_eval.json``.

For each seed a demo group is generated at scale 1 and its ERP bronze tables ingested into a
temporary home; then :func:`models.ml.fraud.honest.evaluate_honestly` (the same code as
``grouplake ml evaluate --model fraud --seeds 42,7,123``): the current held-out figures, per
fraud scheme the recall at precision 0.8 leave-one-scheme-out and with every scheme in
training, a later-period split, and the rules-only (``rules_online``: the order path's rules
replayed on ERP orders; ``rules_redflags``: the batch model's label-free fallback) and
anomaly-only (``isolation_forest``) baselines on the same held-out documents. A quality
figure, not a timing: no rounds; the wall time and load are in the envelope.

Run: ``python -m tests.benchmarks fraud_eval`` (``BENCH_QUICK=1``: one seed at scale 0.25).
"""

from __future__ import annotations

import sys
from typing import Any

from tests.benchmarks import harness

SCALE = harness.by_mode(1.0, 0.25)
SEEDS = harness.by_mode((42, 7, 123), (42,))


def run() -> dict[str, Any]:
    """Per-seed honest reports and their summary."""
    from models.ml.fraud.honest_run import evaluate_seeds

    return evaluate_seeds(SEEDS, SCALE, progress=lambda m: print(f"   {m}", file=sys.stderr, flush=True))
