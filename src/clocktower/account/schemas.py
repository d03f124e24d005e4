"""Account requests and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from clocktower.auth.gating import GatedModel
from clocktower.kit.time import is_valid_timezone
from clocktower.kit.validation import non_nullable

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


# --- password reset and change --------------------------------------------------------------


class ForgotPasswordRequest(StrictModel):
    email: EmailStr = Field(max_length=320)


class ResetPasswordRequest(StrictModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)
    password_confirmation: str = Field(max_length=PASSWORD_MAX)

    @model_validator(mode="after")
    def _passwords_match(self) -> ResetPasswordRequest:
        if self.password != self.password_confirmation:
            raise ValueError("password_confirmation does not match password")
        return self


class PasswordChange(StrictModel):
    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    new_password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)
    new_password_confirmation: str = Field(max_length=PASSWORD_MAX)

    @model_validator(mode="after")
    def _passwords_match(self) -> PasswordChange:
        if self.new_password != self.new_password_confirmation:
            raise ValueError("new_password_confirmation does not match new_password")
        return self


# --- the current user's profile -------------------------------------------------------------

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,100}$"
# GitHub logins: alphanumerics and inner hyphens, at most 39 characters.
GITHUB_USERNAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"
# BCP 47-ish: "en", "nl-NL", "pt_BR", "zh-Hant-TW".
LOCALE_PATTERN = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,2}$"


_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def http_url(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError:
        raise ValueError("must be an http or https URL") from None
    return value


def _zone(value: str | None) -> str | None:
    if value is not None and not is_valid_timezone(value):
        raise ValueError("Unknown time zone")
    return value


class UserUpdate(StrictModel):
    """PATCH /users/me: only the fields sent change. default_project_id arrives with projects."""

    name: str | None = Field(None, min_length=1, max_length=200)
    email: EmailStr | None = Field(None, max_length=320)
    # Required (and checked) when `email` changes.
    current_password: str | None = Field(None, max_length=PASSWORD_MAX)
    username: str | None = Field(None, pattern=USERNAME_PATTERN)
    image_url: str | None = Field(None, max_length=2048)
    timezone: str | None = Field(None, max_length=64)
    locale: str | None = Field(None, max_length=16, pattern=LOCALE_PATTERN)
    github_username: str | None = Field(None, pattern=GITHUB_USERNAME_PATTERN)
    cw_identifier: str | None = Field(None, min_length=1, max_length=100)

    _not_null = non_nullable("name", "email", "timezone", "locale")

    @field_validator("image_url")
    @classmethod
    def _image_url(cls, value: str | None) -> str | None:
        return http_url(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return _zone(value)


# --- preferences (seed 003) -----------------------------------------------------------------

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK_TIME_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
Theme = Literal["light", "dark", "system"]
WeekStart = Literal["monday", "sunday"]
DateFormat = Literal["YYYY-MM-DD", "DD-MM-YYYY", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"]
TimeFormat = Literal["12h", "24h"]


class DisplayPreferences(BaseModel):
    """The free-form part of a user's preferences, typed; defaults fill what is unset."""

    theme: Theme = "system"
    notifications: bool = True
    week_start: WeekStart = "monday"
    date_format: DateFormat = "YYYY-MM-DD"
    time_format: TimeFormat = "24h"


class DisplayPreferencesUpdate(StrictModel):
    theme: Theme | None = None
    notifications: bool | None = None
    week_start: WeekStart | None = None
    date_format: DateFormat | None = None
    time_format: TimeFormat | None = None

    _not_null = non_nullable("*")


class PreferencesRead(BaseModel):
    timezone: str
    work_days: list[Weekday]
    work_hours_start: str = Field(description="HH:MM, in the user's time zone")
    work_hours_end: str = Field(description="HH:MM, in the user's time zone")
    preferences: DisplayPreferences


class PreferencesUpdate(StrictModel):
    """PUT /preferences: a partial update; `preferences` merges key by key."""

    timezone: str | None = Field(None, max_length=64)
    work_days: list[Weekday] | None = Field(None, max_length=7)
    work_hours_start: str | None = Field(None, pattern=CLOCK_TIME_PATTERN)
    work_hours_end: str | None = Field(None, pattern=CLOCK_TIME_PATTERN)
    preferences: DisplayPreferencesUpdate | None = None

    _not_null = non_nullable("*")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return _zone(value)

    @field_validator("work_days")
    @classmethod
    def _work_days(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if len(set(value)) != len(value):
            raise ValueError("each day may appear once")
        # Stored in calendar order, whatever order they were sent in.
        return [day for day in WEEKDAYS if day in value]


class PreferencesAnswer(BaseModel):
    preferences: PreferencesRead


class PreferencesUpdated(BaseModel):
    message: str
    preferences: PreferencesRead
