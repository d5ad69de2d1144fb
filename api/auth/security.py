"""Password hashing (argon2) and access tokens (JWT, HS256)."""

import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"
TOKEN_TYPE = "access"  # noqa: S105 (a claim value, not a secret)

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the email is unknown, so a failed login takes the same time either way.
_DUMMY_HASH = _hasher.hash("skillpath-dummy-password")


def hash_password(password: str) -> str:
    """An argon2 hash of `password`."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches; with no hash, spend the same time and answer False."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def create_access_token(*, learner_id: int, secret: str, lifetime: timedelta) -> str:
    """A signed token naming the learner; it carries no role, which is read from the database."""
    now = datetime.now(UTC)
    claims = {"sub": str(learner_id), "type": TOKEN_TYPE, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def learner_id_from_token(token: str, *, secret: str) -> int | None:
    """The learner a valid, unexpired token names, or None for any other token."""
    verified = _verified_subject(token, secret)
    if verified is None:
        return None
    learner_id, expires_at = verified
    return learner_id if time.time() < expires_at else None


# A client sends the same token with every request: its signature and claims are checked once,
# its expiry on every use. A forged or altered token is another string, so it is checked anew.
@lru_cache(maxsize=8192)
def _verified_subject(token: str, secret: str) -> tuple[int, float] | None:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    if claims.get("type") != TOKEN_TYPE or not isinstance(subject, str) or not subject.isdigit():
        return None
    return int(subject), float(claims["exp"])
