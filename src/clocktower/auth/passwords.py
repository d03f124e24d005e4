"""Password hashing with argon2id, off the event loop."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from starlette.concurrency import run_in_threadpool


@lru_cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


async def hash_password(password: str) -> str:
    return await run_in_threadpool(_hasher().hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Timing-safe: a missing user still pays for one verification."""
    candidate = password_hash or _dummy_hash()
    valid = await run_in_threadpool(_hasher().verify, password, candidate)
    return bool(valid and password_hash)


@lru_cache
def _dummy_hash() -> str:
    return _hasher().hash("clocktower-timing-equaliser")
