"""Account requests and answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from clocktower.auth.gating import GatedModel

PASSWORD_MIN = 8
PASSWORD_MAX = 256


class StrictModel(BaseModel):
    """Requests refuse unknown fields: a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterRequest(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)
    password_confirmation: str = Field(max_length=PASSWORD_MAX)
    organization_name: str = Field(min_length=1, max_length=200)
    timezone: str | None = Field(None, max_length=64)

    @model_validator(mode="after")
    def _passwords_match(self) -> RegisterRequest:
        if self.password != self.password_confirmation:
            raise ValueError("password_confirmation does not match password")
        return self


class LoginRequest(StrictModel):
    email: str | None = Field(None, max_length=320)
    username: str | None = Field(None, max_length=320)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)

    @model_validator(mode="after")
    def _one_identifier(self) -> LoginRequest:
        if not (self.email or self.username):
            raise ValueError("email or username is required")
        return self


class RefreshRequest(StrictModel):
    refresh_token: str | None = Field(None, max_length=200)


class UserSummary(GatedModel):
    object_type = "user"

    id: int
    name: str
    email: str


class UserRead(GatedModel):
    object_type = "user"

    id: int
    name: str
    email: str
    username: str | None
    image_url: str | None
    timezone: str
    locale: str
    github_username: str | None
    cw_identifier: str | None
    default_project_id: int | None
    is_active: bool
    current_organization_id: int | None
    roles: list[str] = []
    created_at: datetime
    updated_at: datetime


class OrganizationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str


class TokenAnswer(BaseModel):
    token: str = Field(description="Access token (JWT) for `Authorization: Bearer`")
    refresh_token: str = Field(description="Opaque refresh token; single use, rotates")
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class Registered(TokenAnswer):
    message: str
    user: UserSummary
    organization: OrganizationSummary


class SignedIn(TokenAnswer):
    user: UserSummary


class Message(BaseModel):
    message: str
