"""API token requests and answers. The hash never leaves; the plaintext only once, on create."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.kit.ids import MAX_ID
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.time import utcnow
from clocktower.kit.validation import non_nullable
from clocktower.models import ApiToken


class ApiTokenCreate(StrictModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)
    user_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="A member of this organisation; defaults to the caller"
    )
    scopes: list[str] = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class ApiTokenUpdate(StrictModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)

    _not_null = non_nullable("name")


class TokenUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


class ApiTokenRead(GatedModel):
    object_type = "api_token"

    id: int
    name: str
    description: str | None
    user: TokenUserRead
    token_prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None
    revoked_at: datetime | None
    is_active: bool

    @classmethod
    def of_token(cls, token: ApiToken, auth: AuthContext, now: datetime | None = None) -> Self:
        return cls.of(token, auth, is_active=is_active(token, now or utcnow()))


def is_active(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


class ApiTokenList(BaseModel):
    api_tokens: list[ApiTokenRead]
    pagination: PaginationRead


class ApiTokenAnswer(BaseModel):
    api_token: ApiTokenRead


class ApiTokenCreated(BaseModel):
    message: str
    api_token: ApiTokenRead
    token: str = Field(description="The token itself (`tt_` + 32 characters); shown only here")


class ApiTokenRevoked(BaseModel):
    message: str
    api_token: ApiTokenRead


class ScopeRead(BaseModel):
    scope: str
    description: str


class ScopeList(BaseModel):
    scopes: list[ScopeRead]
