"""IsolationForest scores of a few rows without scikit-learn's per-tree overhead.

``IsolationForest.score_samples`` dispatches every tree through joblib: about 5 ms for one
row with 100 trees, most of an online order score. :class:`FlatForest` copies the fitted
trees' arrays once and walks them in plain Python (trees are at most 8 levels deep), giving
the same numbers — a test compares it with ``score_samples`` — in a fraction of the time.
Batch scoring keeps using scikit-learn (vectorised over rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class FlatForest:
    """The trees of a fitted :class:`~sklearn.ensemble.IsolationForest`, as plain lists."""

    trees: list[tuple[list[int], list[int], list[int], list[float], list[float]]]
    features: list[list[int]]
    denominator: float

    @classmethod
    def from_forest(cls, forest: object) -> FlatForest | None:
        """Copy a fitted forest; ``None`` if this scikit-learn version lacks what is needed."""
        try:
            from sklearn.ensemble._iforest import _average_path_length

            trees = []
            for i, estimator in enumerate(forest.estimators_):
                tree = estimator.tree_
                leaf_value = (forest._decision_path_lengths[i] + forest._average_path_length_per_tree[i] - 1.0)
                trees.append((tree.children_left.tolist(), tree.children_right.tolist(), tree.feature.tolist(),
                              tree.threshold.tolist(), np.asarray(leaf_value, dtype=float).tolist()))
            features = [list(map(int, f)) for f in forest.estimators_features_]
            denominator = float(len(forest.estimators_) * _average_path_length([forest.max_samples_])[0])
        except (AttributeError, ImportError, IndexError, TypeError):
            return None
        return cls(trees, features, denominator)

    def score_samples(self, x: np.ndarray) -> np.ndarray:
        """Same as ``IsolationForest.score_samples(x)`` (the opposite of the anomaly score)."""
        rows = np.asarray(x, dtype=np.float32).astype(float)  # trees compare float32 inputs
        out = np.empty(len(rows))
        for r, row in enumerate(rows):
            depth = 0.0
            for (left, right, feature, threshold, leaf_value), columns in zip(self.trees, self.features, strict=True):
                node = 0
                while left[node] != -1:
                    node = left[node] if row[columns[feature[node]]] <= threshold[node] else right[node]
                depth += leaf_value[node]
            out[r] = -(2.0 ** (-depth / self.denominator))
        return out
