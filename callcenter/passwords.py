"""Password hashing (argon2id, argon2-cffi's defaults): a leaf module like secrets.py.

Contract: :func:`hash_password` never returns the password; :func:`verify_password`
is False for a wrong password or an unreadable hash, never raises; hashing costs tens of
milliseconds on purpose, so callers run it off the event loop.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()  # stateless parameters, not a client: safe to share
# Verifying against this when a user does not exist costs the same as a real check, so
# response times do not tell which usernames exist.
_DUMMY = _HASHER.hash("no such user: timing equaliser")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
