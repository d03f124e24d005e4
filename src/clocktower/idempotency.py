"""Idempotency-Key (seed 002): the first response is stored 24 h per token and replayed.

A create route opts in by declaring the `Idempotent` dependency. The key is claimed with
an insert in the request's own transaction (a concurrent duplicate waits on the unique
index, then replays), and the route class stores the response before the commit, so the
created object and its stored response commit or vanish together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.dependencies import authenticate
from clocktower.config import Settings
from clocktower.db import DbSession
from clocktower.errors import AppError, BadRequest
from clocktower.kit.crypto import decode_master_key, decrypt, derive_key, encrypt
from clocktower.kit.time import utcnow
from clocktower.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128


class InvalidIdempotencyKey(BadRequest):
    error_code = "invalid_idempotency_key"
    title = "Invalid Idempotency-Key"


class IdempotencyKeyReused(AppError):
    status_code = 422
    error_code = "idempotency_key_reused"
    title = "Idempotency-Key reused"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int | None
    content_type: str | None
    response_body: bytes | None


_PURPOSE = "idempotency-response"


def _associated(scope: str, key: str) -> bytes:
    return f"idempotency_keys:{scope}:{key}".encode()


def seal_response(settings: Settings, claim: IdempotencyKey, body: bytes) -> bytes:
    """Stored answers can hold secrets (a new API token's plaintext): encrypted at rest."""
    key = derive_key(decode_master_key(settings.master_key.get_secret_value()), _PURPOSE)
    return encrypt(key, body, _associated(claim.scope, claim.key))


def _open_response(settings: Settings, stored: IdempotencyKey) -> bytes:
    key = derive_key(decode_master_key(settings.master_key.get_secret_value()), _PURPOSE)
    return decrypt(key, stored.response_body or b"", _associated(stored.scope, stored.key))


class IdempotentReplay(Exception):
    """Raised to answer with the stored first response instead of running the route."""

    def __init__(self, stored: IdempotencyKey, body: bytes) -> None:
        # A copy, not the row: the request's session rolls back and closes before the
        # exception handler answers, and an expired, detached row cannot be read then.
        self.stored = StoredResponse(stored.status_code, stored.content_type, body)


def _request_hash(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.url.path.encode())
    digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


async def _existing(session: AsyncSession, scope: str, key: str) -> IdempotencyKey | None:
    result = await session.execute(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )
    return result.scalar_one_or_none()


def _replay_or_reject(settings: Settings, stored: IdempotencyKey, request_hash: str) -> None:
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused("This Idempotency-Key was already used with a different request")
    raise IdempotentReplay(stored, _open_response(settings, stored))


async def idempotency_claim(request: Request, session: DbSession) -> IdempotencyKey | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidIdempotencyKey(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters"
        )
    auth = await authenticate(request, session)
    scope = auth.principal_key
    request_hash = _request_hash(request, await request.body())
    now = utcnow()
    stored = await _existing(session, scope, key)
    if stored is not None:
        if stored.expires_at > now:
            _replay_or_reject(request.app.state.settings, stored, request_hash)
        await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == stored.id))
    claim = IdempotencyKey(
        scope=scope,
        key=key,
        method=request.method,
        path=request.url.path[:500],
        request_hash=request_hash,
        created_at=now,
        expires_at=now + timedelta(hours=request.app.state.settings.idempotency_ttl_hours),
    )
    try:
        async with session.begin_nested():
            session.add(claim)
            await session.flush()
    except IntegrityError:
        # A concurrent request with this key committed first: answer as it did.
        stored = await _existing(session, scope, key)
        if stored is None or stored.status_code is None:
            raise
        _replay_or_reject(request.app.state.settings, stored, request_hash)
    request.state.idempotency_claim = claim
    return claim


Idempotent = Annotated[IdempotencyKey | None, Depends(idempotency_claim)]
