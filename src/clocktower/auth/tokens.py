"""Short-lived access JWTs; refresh and API tokens are opaque (kit.tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import jwt

from clocktower.errors import InvalidToken, TokenExpired
from clocktower.kit.time import utcnow

ISSUER = "clocktower"
API_TOKEN_PREFIX = "tt_"
REFRESH_TOKEN_PREFIX = "rt_"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: int


def issue_access_token(secret: str, *, user_id: int, session_id: int, ttl_seconds: int) -> str:
    now = utcnow()
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "sid": session_id,
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_access_token(secret: str, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "sid", "typ"]},
        )
        if claims["typ"] != "access":
            raise InvalidToken("The provided token is not an access token")
        return AccessClaims(user_id=int(claims["sub"]), session_id=int(claims["sid"]))
    except jwt.ExpiredSignatureError as error:
        raise TokenExpired("The access token has expired") from error
    except (jwt.InvalidTokenError, ValueError, KeyError) as error:
        raise InvalidToken("The provided token is invalid or expired") from error
