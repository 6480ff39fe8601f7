"""The plots logged with every training run (MLflow artifacts under ``plots/``).

Each function returns a matplotlib figure (Agg backend, nothing shown): the precision-recall
curve of the model and its baselines on the held-out period, the calibration of its scores,
and a bar chart of a metric for the model against its baselines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def _figure(title: str) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.set_title(title)
    fig.set_layout_engine("tight")
    return fig, ax


def pr_curves(labels: Sequence[int], scores: Mapping[str, Sequence[float]], *, title: str) -> Any:
    """Precision-recall curves of several scorers of the same labelled rows (NaN scores skipped)."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    fig, ax = _figure(title)
    y = np.asarray(labels, dtype=int)
    for name, values in scores.items():
        s = np.asarray(values, dtype=float)
        keep = ~np.isnan(s)
        if keep.sum() == 0 or y[keep].sum() == 0:
            continue
        precision, recall, _ = precision_recall_curve(y[keep], s[keep])
        ax.plot(recall, precision, label=f"{name} (AP {average_precision_score(y[keep], s[keep]):.3f})")
    ax.axhline(y.mean() if len(y) else 0, color="grey", linestyle=":", label="prevalence")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    return fig


def calibration(labels: Sequence[int], scores: Sequence[float], *, title: str, bins: int = 10) -> Any:
    """Observed positive rate against mean score per score decile (a diagonal is calibrated)."""
    fig, ax = _figure(title)
    y, s = np.asarray(labels, dtype=float), np.asarray(scores, dtype=float)
    keep = ~np.isnan(s)
    y, s = y[keep], s[keep]
    if len(s):
        edges = np.unique(np.quantile(s, np.linspace(0, 1, bins + 1)))
        which = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, max(len(edges) - 2, 0))
        mean_score = [s[which == b].mean() for b in np.unique(which)]
        observed = [y[which == b].mean() for b in np.unique(which)]
        ax.plot(mean_score, observed, marker="o", label="model")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    ax.set_xlabel("mean score in bin")
    ax.set_ylabel("observed positive rate")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def metric_bars(values: Mapping[str, float], *, title: str, metric: str) -> Any:
    """One bar per scorer (model first) with its value written on it."""
    fig, ax = _figure(title)
    names = list(values)
    heights = [float(values[n]) for n in names]
    bars = ax.bar(names, heights, color=["#1f77b4"] + ["#bbbbbb"] * (len(names) - 1))
    for bar, h in zip(bars, heights, strict=True):
        ax.annotate(f"{h:.3f}", (bar.get_x() + bar.get_width() / 2, h), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(metric)
    return fig



def metric_by_k(values: Mapping[str, Mapping[str, float]], *, title: str, metric: str) -> Any:
    """One line per scorer (model first, drawn strongest) of ``metric`` against the list length k."""
    fig, ax = _figure(title)
    for position, (name, by_k) in enumerate(values.items()):
        cuts = sorted(by_k, key=int)
        ax.plot([int(c) for c in cuts], [float(by_k[c]) for c in cuts], marker="o", label=name,
                linewidth=2.5 if position == 0 else 1.2, color="#1f77b4" if position == 0 else None)
    ax.set_xlabel("k (list length)")
    ax.set_ylabel(metric)
    ax.legend(loc="lower right", fontsize=8)
    return fig
