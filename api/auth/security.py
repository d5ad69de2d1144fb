"""Password hashing (argon2) and access tokens (JWT, HS256)."""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from models.learners import JTI_LENGTH

ALGORITHM = "HS256"
TOKEN_TYPE = "access"  # noqa: S105 (a claim value, not a secret)

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the email is unknown, so a failed login takes the same time either way.
# Written here, not made at import: an argon2 hash costs what a login costs (0.25 s of every
# process's start-up). Made by `_hasher` (of "skillpath-dummy-password"), with its costs, which
# verifying takes from the hash: a test checks they are still `_hasher`'s.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$K5PcfQB8VcbK1xr2XWKXLg$"
    "nG54u5lYCPOpeDVptHx3lGaxSzfbo+MN2M+SbU6jZYc"
)


def hash_password(password: str) -> str:
    """An argon2 hash of `password`."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches; with no hash, spend the same time and answer False."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a token with a valid signature says: whose it is, the account's token generation
    when it was issued, its own id and when it expires. Revocation is checked against the
    database (api/auth/revocation.py)."""

    learner_id: int
    generation: int
    jti: str
    expires_at: float


def create_access_token(
    *, learner_id: int, secret: str, lifetime: timedelta, generation: int = 0
) -> str:
    """A signed token naming the learner, the account's token generation (0 is that of the
    accounts made before generations existed) and a unique id (`jti`); it carries no role,
    which is read from the database."""
    now = datetime.now(UTC)
    claims = {
        "sub": str(learner_id),
        "type": TOKEN_TYPE,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "gen": generation,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


# What a request with a bad, expired or revoked token is told (401).
INVALID_TOKEN = "Invalid or expired bearer token."  # noqa: S105 (a message, not a secret)


def token_claims(token: str, *, secret: str) -> TokenClaims | None:
    """The claims of a well-signed, unexpired token, or None for any other token."""
    claims = _verified_claims(token, secret)
    if claims is None:
        return None
    return claims if time.time() < claims.expires_at else None


# A client sends the same token with every request: its signature and claims are checked once,
# its expiry on every use. A forged or altered token is another string, so it is checked anew.
@lru_cache(maxsize=8192)
def _verified_claims(token: str, secret: str) -> TokenClaims | None:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub", "jti", "gen"]},
        )
    except jwt.PyJWTError:
        return None
    subject, generation, jti = claims.get("sub"), claims.get("gen"), claims.get("jti")
    if (
        claims.get("type") != TOKEN_TYPE
        or not isinstance(subject, str)
        or not subject.isdigit()
        or not isinstance(generation, int)
        or isinstance(generation, bool)
        or not isinstance(jti, str)
        or not 0 < len(jti) <= JTI_LENGTH
    ):
        return None
    return TokenClaims(int(subject), generation, jti, float(claims["exp"]))
