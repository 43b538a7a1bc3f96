"""Secrets at rest: private keys are stored encrypted with a key that the database file does not hold.

The key lives in the user's key store: a file readable by this account only, in the user's
configuration folder (not the data folder where the database and its backups are), or the folder
named by CREDIT_DESK_KEYSTORE. A copy of the database file or of a backup therefore holds only
ciphertext: it can neither sign a package for the city nor open one sent to the county.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from platformdirs import user_config_dir

from models.files import APP_NAME, private_file

ENV_KEYSTORE = "CREDIT_DESK_KEYSTORE"
MAGIC = b"CDV1"


class SecretUnavailable(Exception):
    """The key store of this account cannot open the secret (a copied database, a lost key store)."""


def keystore_dir() -> Path:
    value = os.environ.get(ENV_KEYSTORE)
    if value:
        return Path(value).expanduser()

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "keystore"


def _master(create: bool) -> bytes | None:
    path = keystore_dir() / "master.key"
    if path.exists():
        data = path.read_bytes()
        if len(data) == 32:
            return data
        raise SecretUnavailable(f"密钥库文件 {path} 已损坏")
    if not create:
        return None
    private_file(path)
    key = AESGCM.generate_key(bit_length=256)
    with open(path, "wb") as f:
        f.write(key)
    return key


def seal(secret: bytes, label: str) -> bytes:
    """``secret`` encrypted for this account; ``label`` binds it to its row (a sealed key cannot be swapped)."""
    nonce = os.urandom(12)
    return MAGIC + nonce + AESGCM(_master(create=True)).encrypt(nonce, secret, label.encode())


def is_sealed(stored: bytes) -> bool:
    return bytes(stored[:4]) == MAGIC


def unseal(stored: bytes, label: str) -> bytes:
    stored = bytes(stored)
    master = _master(create=False)
    if not is_sealed(stored) or master is None:
        raise SecretUnavailable(label)
    try:
        return AESGCM(master).decrypt(stored[4:16], stored[16:], label.encode())
    except InvalidTag:
        raise SecretUnavailable(label) from None


_derived: dict[tuple[str, bytes], bytes] = {}


def derived_key(purpose: bytes, *, create: bool) -> bytes | None:
    """A key for ``purpose`` derived from this account's master key (HKDF-SHA256), or None without a key store.

    The tamper-evidence chain is keyed with one: whoever holds only a copy of the database file cannot
    recompute a valid chain after editing a row.
    """
    master = _master(create=create)
    if master is None:
        return None
    found = _derived.get((purpose.decode(), master))
    if found is None:
        found = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)
        _derived[(purpose.decode(), master)] = found
    return found
