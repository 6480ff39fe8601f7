"""Secrets of the local and CI profiles, generated once per machine, never written in code.

``grouplake setup`` runs :func:`ensure_local_secrets` (a registered setup step,
``grouplake/setup_steps.py``): it writes
random secrets (token signing, payment-callback HMAC, field encryption) to ``<home>/secrets/local.json``
(``GROUPLAKE_HOME``, under ``.grouplake/``, which git ignores), readable by the owner only.
The settings of ``env=local|ci`` take their secrets from that file when the environment sets
none, creating it on first use when setup has not run. Other profiles never read it: they
need real secrets from the environment (:meth:`infra.settings.Settings.require_secrets`).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

#: Where, under the settings' home, the generated secrets live.
RELATIVE_PATH = Path("secrets") / "local.json"
#: The secrets the file holds: name -> bytes of randomness.
NAMES = ("jwt_secret", "payment_provider_secret", "field_encryption_key")


def secrets_path(home: Path) -> Path:
    """The secrets file of a settings home."""
    return Path(home) / RELATIVE_PATH


def ensure_local_secrets(home: Path | str) -> dict[str, str]:
    """Read the local secrets, generating the file (mode 0600) if it is missing.

    Safe when several processes start at once: the file is written aside and linked into
    place atomically; whoever loses the race reads the winner's secrets.

    Args:
        home: the settings home.

    Returns:
        ``{"jwt_secret": …, "payment_provider_secret": …}`` (48 random URL-safe bytes each).
    """
    path = secrets_path(Path(home))
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {name: secrets.token_urlsafe(48) for name in NAMES}
    partial = _write_private(path, values)
    try:
        os.link(partial, path)  # atomic: appears complete, or not at all if another won
    except FileExistsError:
        return _read(path)
    finally:
        partial.unlink()
    return values


def _write_private(path: Path, values: dict[str, str]) -> Path:
    """Write ``values`` to a fresh owner-only file next to ``path``; returns it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return partial


def _read(path: Path) -> dict[str, str]:
    """The file's secrets; one a newer version needs is added (the others are kept)."""
    values = json.loads(path.read_text())
    missing = [name for name in NAMES if not values.get(name)]
    if missing:
        values.update({name: secrets.token_urlsafe(48) for name in missing})
        os.replace(_write_private(path, values), path)
        return _read(path)
    return values
