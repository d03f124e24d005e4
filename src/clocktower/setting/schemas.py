"""Organisation settings: the typed JSON settings, the update request and the answer.

The organisation's own columns (name, timezone, currency, billing email, address) live on
Organization; everything else lives in `Organization.settings`, typed by
`OrganizationSettings` with defaults, so new settings need no migration and every reader
gets a validated value: `OrganizationSettings.of(organization)`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from clocktower.account.schemas import StrictModel
from clocktower.kit.money import JsonNumber, from_cents
from clocktower.kit.validation import non_nullable
from clocktower.models import Organization

RoundingMode = Literal["none", "per_entry", "per_bill"]
RoundingMinutes = Literal[0, 1, 6, 15, 30]

INVOICE_PATTERN_DEFAULT = "INV-{YYYY}-{SEQ:4}"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KNOWN_PLACEHOLDER = re.compile(r"YYYY|YY|MM|SEQ(:[1-9])?")


class RoundingSettings(StrictModel):
    mode: RoundingMode = "none"
    minutes: RoundingMinutes = 0

    @model_validator(mode="after")
    def _mode_matches_minutes(self) -> Self:
        if (self.mode == "none") != (self.minutes == 0):
            raise ValueError(
                "mode 'none' goes with 0 minutes, and 'per_entry'/'per_bill' with 1, 6, 15 or 30"
            )
        return self


class ModuleSettings(StrictModel):
    inventory: bool = False


def check_invoice_number_pattern(pattern: str) -> str:
    """`{YYYY}`, `{YY}`, `{MM}` and exactly one `{SEQ}` or `{SEQ:n}` (n digits, zero-padded)."""
    placeholders = _PLACEHOLDER.findall(pattern)
    unknown = [p for p in placeholders if not _KNOWN_PLACEHOLDER.fullmatch(p)]
    if unknown:
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use YYYY, YY, MM, SEQ or SEQ:n")
    if sum(1 for p in placeholders if p.startswith("SEQ")) != 1:
        raise ValueError("the pattern needs exactly one {SEQ} or {SEQ:n} placeholder")
    if "{" in _PLACEHOLDER.sub("", pattern) or "}" in _PLACEHOLDER.sub("", pattern):
        raise ValueError("unbalanced braces")
    return pattern


class OrganizationSettings(BaseModel):
    """The typed view of `Organization.settings`; defaults for everything never set."""

    # Stored keys this version does not know are kept on write (see setting.service).
    model_config = ConfigDict(extra="ignore")

    single_active_timer: bool = True
    rounding: RoundingSettings = Field(default_factory=RoundingSettings)
    allow_entries_over_24h: bool = False
    auto_create_general_support_project: bool = True
    modules: ModuleSettings = Field(default_factory=ModuleSettings)
    invoice_number_pattern: str = Field(INVOICE_PATTERN_DEFAULT, min_length=1, max_length=64)
    default_hourly_rate_cents: int | None = Field(None, ge=0)
    # Outgoing webhooks may target loopback, private and link-local addresses (S6.5):
    # off by default, so a subscription cannot be pointed at the server's own network.
    webhooks_allow_private_targets: bool = False

    @field_validator("invoice_number_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return check_invoice_number_pattern(value)

    @classmethod
    def of(cls, organization: Organization) -> OrganizationSettings:
        return cls.model_validate(organization.settings or {})

    @property
    def default_hourly_rate(self) -> Decimal | None:
        return from_cents(self.default_hourly_rate_cents)


class SettingsUpdate(StrictModel):
    """PUT /settings is a partial update: only the fields sent change.

    Fields typed `X | None` without being nullable refuse an explicit null (`_not_null`);
    only billing_email, address and default_hourly_rate can be cleared.
    """

    name: str | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = Field(None, min_length=1, max_length=64)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")
    billing_email: EmailStr | None = Field(None, max_length=320)
    address: str | None = Field(None, max_length=2000)
    single_active_timer: bool | None = None
    rounding: RoundingSettings | None = None
    allow_entries_over_24h: bool | None = None
    auto_create_general_support_project: bool | None = None
    modules: ModuleSettings | None = None
    invoice_number_pattern: str | None = Field(None, min_length=1, max_length=64)
    default_hourly_rate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    webhooks_allow_private_targets: bool | None = None

    _not_null = non_nullable(
        "name",
        "timezone",
        "currency",
        "single_active_timer",
        "rounding",
        "allow_entries_over_24h",
        "auto_create_general_support_project",
        "modules",
        "invoice_number_pattern",
        "webhooks_allow_private_targets",
    )

    @field_validator("invoice_number_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return check_invoice_number_pattern(value) if value is not None else None


class SettingsOrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str
    timezone: str
    billing_email: str | None
    currency: str
    address: str | None
    subscription_status: str


class SettingsRead(BaseModel):
    organization: SettingsOrganizationRead
    single_active_timer: bool
    rounding: RoundingSettings
    allow_entries_over_24h: bool
    auto_create_general_support_project: bool
    modules: ModuleSettings
    invoice_number_pattern: str
    default_hourly_rate: JsonNumber | None
    team_count: int

    @classmethod
    def of(cls, organization: Organization, team_count: int) -> SettingsRead:
        settings = OrganizationSettings.of(organization)
        return cls(
            organization=SettingsOrganizationRead.model_validate(organization),
            single_active_timer=settings.single_active_timer,
            rounding=settings.rounding,
            allow_entries_over_24h=settings.allow_entries_over_24h,
            auto_create_general_support_project=settings.auto_create_general_support_project,
            modules=settings.modules,
            invoice_number_pattern=settings.invoice_number_pattern,
            default_hourly_rate=settings.default_hourly_rate,
            team_count=team_count,
        )


class SettingsAnswer(BaseModel):
    settings: SettingsRead


class SettingsUpdated(BaseModel):
    message: str
    settings: SettingsRead
