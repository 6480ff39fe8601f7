"""Field-level encryption with SM4 (GB/T 32907), a keyed search hash, and masking.

Sensitive values (supplier bank accounts first) are stored as three things:

* the **ciphertext**: SM4 in GCM mode (authenticated: a flipped bit fails to decrypt), a
  fresh 96-bit nonce per value, the column's name as associated data (a value copied into
  another column does not decrypt), serialised ``sm4gcm:<key id>:<base64 nonce‖ct‖tag>`` so
  every value names the key that sealed it (rotation re-encrypts value by value);
* a **search hash**: HMAC-SHA256 of the normalised value under a separate key, so an exact
  match can be found (``WHERE bank_account_hmac = :h``) without decrypting anything;
* the **masked** value (``6222 **** **** 1234``), safe to show and to log.

Both keys are derived (HKDF-SHA256) from one master secret
(``OLTP__FIELD_ENCRYPTION_KEY``; generated per machine for ``env=local|ci``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SCHEME = "sm4gcm"
_NONCE = 12
_TAG = 16


class FieldCryptoError(ValueError):
    """A value cannot be decrypted: unknown key id, malformed, or tampered with."""


def _derive(master: bytes, label: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None,
                info=b"grouplake field encryption/" + label).derive(master)


def normalise(value: str) -> str:
    """The form a value is hashed in: no spaces or dashes, upper case."""
    return re.sub(r"[\s-]", "", value).upper()


def mask_account(value: str | None) -> str | None:
    """``6222 **** **** 1234``: the first and last four characters of an account, whatever
    its length (the mask does not reveal it); shorter than 9: ``****``."""
    if value is None:
        return None
    plain = normalise(value)
    if len(plain) < 9:
        return "****"
    return f"{plain[:4]} **** **** {plain[-4:]}"


@dataclass(frozen=True)
class FieldCipher:
    """Seals and opens field values; holds the current key and any older ones (by id)."""

    key_id: str
    master: bytes = field(repr=False)
    older: dict[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def from_secret(cls, secret: str, key_id: str = "k1") -> FieldCipher:
        """Build from the master secret (at least 32 characters)."""
        if len(secret) < 32:
            raise ValueError("the field encryption secret needs at least 32 characters")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", key_id):
            raise ValueError("a key id is 1-16 letters, digits, _ or -")
        return cls(key_id, secret.encode())

    def _key(self, key_id: str) -> bytes:
        master = self.master if key_id == self.key_id else self.older.get(key_id)
        if master is None:
            raise FieldCryptoError(f"unknown field key {key_id!r}")
        return _derive(master, b"sm4/" + key_id.encode(), 16)

    def encrypt(self, plain: str, column: str) -> str:
        """Seal ``plain`` for ``column`` (e.g. ``"suppliers.bank_account"``)."""
        nonce = os.urandom(_NONCE)
        encryptor = Cipher(algorithms.SM4(self._key(self.key_id)), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(column.encode())
        body = encryptor.update(plain.encode()) + encryptor.finalize()
        blob = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode()
        return f"{SCHEME}:{self.key_id}:{blob}"

    def decrypt(self, sealed: str, column: str) -> str:
        """Open a value sealed for ``column``.

        Raises:
            FieldCryptoError: unknown key, malformed, another column's, or altered.
        """
        try:
            scheme, key_id, blob = sealed.split(":", 2)
            raw = base64.urlsafe_b64decode(blob.encode())
        except (ValueError, AttributeError) as exc:
            raise FieldCryptoError("malformed encrypted value") from exc
        if scheme != SCHEME or len(raw) < _NONCE + _TAG:
            raise FieldCryptoError("malformed encrypted value")
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        decryptor = Cipher(algorithms.SM4(self._key(key_id)), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(column.encode())
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode()
        except InvalidTag as exc:
            raise FieldCryptoError("encrypted value failed authentication") from exc

    def search_hash(self, plain: str, column: str) -> str:
        """HMAC-SHA256 (hex) of the normalised value, for exact-match lookups."""
        key = _derive(self.master, b"hmac/" + column.encode(), 32)
        return hmac.new(key, normalise(plain).encode(), hashlib.sha256).hexdigest()
