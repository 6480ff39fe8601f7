"""Model bundles: one pickle file holding a fitted model and its manifest.

A bundle is what the registry logs inside the MLflow model (``artifacts/bundle/bundle.pkl``)
and what is shipped next to the transactional service for online scoring. One file, written
atomically (temporary file, then rename), so a reader never sees half a model. Pickles run
code when loaded: load only bundles this platform wrote (the MLflow artifact store or the
shipped path), never one from a user.
"""

from __future__ import annotations

import os
import pickle
import platform
import tempfile
from pathlib import Path
from typing import Any

BUNDLE_FILE = "bundle.pkl"
FORMAT_VERSION = 1


def save_bundle(path: Path, model: Any, manifest: dict[str, Any]) -> Path:
    """Write ``{"manifest", "model"}`` to ``path`` atomically.

    Args:
        path: the bundle file (parents are created).
        model: the fitted model object (must be importable from the ``models`` package).
        manifest: JSON-like facts (model name, version, features, metrics …); the Python and
            scikit-learn versions of this process are added unless given.

    Returns:
        ``path``.
    """
    import sklearn

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format_version": FORMAT_VERSION,
        "python": platform.python_version(),
        "scikit_learn": sklearn.__version__,
        **manifest,
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"manifest": manifest, "model": model}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_bundle(path: Path) -> tuple[Any, dict[str, Any]]:
    """``(model, manifest)`` of a bundle file.

    Raises:
        FileNotFoundError: no bundle at ``path``.
        ValueError: the file is not a bundle of a known format.
    """
    with Path(path).open("rb") as fh:
        payload = pickle.load(fh)
    if not isinstance(payload, dict) or payload.get("manifest", {}).get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path} is not a GroupLake model bundle (format {FORMAT_VERSION})")
    return payload["model"], payload["manifest"]


def update_manifest(path: Path, **changes: Any) -> Path:
    """Rewrite a bundle with manifest fields changed (e.g. the registered ``model_version``)."""
    model, manifest = load_bundle(path)
    manifest.update(changes)
    return save_bundle(path, model, manifest)
