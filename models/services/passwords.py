"""Password hashing with scrypt, a memory-hard KDF from the standard library (RFC 7914)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1  # 16 MiB per hash: costly to brute-force on GPUs, ~50 ms here
MIN_LENGTH = 8


def _kdf(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _kdf(password, salt, N, R, P)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${N}${R}${P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = _kdf(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(actual, base64.b64decode(digest))


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"至少{MIN_LENGTH}个字符"
    if password.isdigit() or password.isalpha():
        return "须同时包含字母和数字"
    return None
