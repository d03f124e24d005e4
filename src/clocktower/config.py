"""One Settings object, read from the environment (prefix CLOCKTOWER_) and an optional .env file."""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Development defaults: usable out of the box, refused in production.
DEFAULT_SECRET_KEY = "clocktower-development-secret-key-change-me"
DEFAULT_MASTER_KEY = "Y2xvY2t0b3dlci1kZXYtbWFzdGVyLWtleS0zMmJ5dGU="  # 32 bytes, base64

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class OidcProvider(BaseModel):
    """One OpenID Connect provider for single sign-on (docs/sso.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="URL slug")
    name: str = Field(min_length=1, max_length=100)
    issuer: str = Field(max_length=500)
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: SecretStr
    scopes: str = "openid email profile"
    # Empty: any domain. Applies whenever a sign-in is matched or created by email.
    allowed_email_domains: list[str] = []
    auto_create_users: bool = False
    # Treat the email claim as verified without `email_verified: true`. Microsoft Entra ID
    # sends no such claim; only enable it for a single-tenant issuer whose directory you run.
    trust_email_claim: bool = False
    # Default: {base_url}/api/v1/auth/sso/{key}/callback.
    redirect_uri: str | None = Field(None, max_length=2048)

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        if not parts.netloc or parts.query or parts.fragment:
            raise ValueError("issuer must be an absolute URL without query or fragment")
        # Plain HTTP only for a provider on this machine (development, tests).
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
        ):
            raise ValueError("issuer must use https")
        return value

    @field_validator("redirect_uri")
    @classmethod
    def _redirect_uri(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
                raise ValueError("redirect_uri must be an absolute http(s) URL without fragment")
        return value

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("scopes must include openid")
        return " ".join(value.split())

    @field_validator("allowed_email_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        return [domain.strip().lower().lstrip("@") for domain in value if domain.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLOCKTOWER_", env_file=".env", extra="ignore", case_sensitive=False
    )

    environment: Literal["development", "production", "test"] = "development"
    app_name: str = "Clocktower"
    base_url: str = "http://127.0.0.1:8000"
    data_dir: Path = Path("./data")
    database_url: str = ""
    redis_url: str | None = None

    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    master_key: SecretStr = SecretStr(DEFAULT_MASTER_KEY)

    access_token_ttl_seconds: int = Field(900, ge=60, le=86_400)
    refresh_token_ttl_days: int = Field(30, ge=1, le=365)
    password_reset_ttl_minutes: int = Field(60, ge=5, le=1440)
    invitation_ttl_days: int = Field(7, ge=1, le=90)
    allow_registration: bool = True

    rate_limit_per_minute: int = Field(100, ge=1)
    rate_limit_per_hour: int = Field(1000, ge=1)
    public_rate_limit_per_minute: int = Field(20, ge=1)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    idempotency_ttl_hours: int = Field(24, ge=1)

    cors_origins: list[str] = ["*"]

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "Clocktower <no-reply@clocktower.local>"

    # Live updates (S6.3): seconds of silence before an SSE heartbeat, and the events a
    # slow connection may buffer before it is dropped.
    live_heartbeat_seconds: float = Field(15.0, gt=0)
    live_queue_size: int = Field(256, ge=1)

    run_jobs_in_process: bool = True
    job_poll_interval_seconds: float = Field(1.0, gt=0)
    job_lock_timeout_seconds: int = Field(300, ge=10)
    # Plugins (and the test suite) register job kinds from modules named here, imported
    # by every process that runs jobs. Comma-separated or a JSON list in the environment.
    extra_job_modules: Annotated[list[str], NoDecode] = []

    # Single sign-on: a JSON list in CLOCKTOWER_OIDC_PROVIDERS (docs/sso.md).
    oidc_providers: list[OidcProvider] = []
    oidc_metadata_ttl_seconds: int = Field(3600, ge=60, le=86_400)
    sso_state_ttl_minutes: int = Field(10, ge=1, le=60)

    log_level: str = "INFO"
    log_json: bool = False

    @field_validator("extra_job_modules", mode="before")
    @classmethod
    def _module_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [name.strip() for name in text.split(",") if name.strip()]
        return value

    @field_validator("oidc_providers")
    @classmethod
    def _unique_provider_keys(cls, value: list[OidcProvider]) -> list[OidcProvider]:
        keys = [provider.key for provider in value]
        if len(set(keys)) != len(keys):
            raise ValueError("every OIDC provider needs its own key")
        return value

    @model_validator(mode="after")
    def _defaults_and_production_guard(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'clocktower.db'}"
        try:
            decoded = base64.b64decode(self.master_key.get_secret_value(), validate=True)
        except ValueError as error:
            raise ValueError("CLOCKTOWER_MASTER_KEY must be base64") from error
        if len(decoded) != 32:
            raise ValueError("CLOCKTOWER_MASTER_KEY must decode to 32 bytes")
        if self.environment == "production":
            if self.secret_key.get_secret_value() == DEFAULT_SECRET_KEY:
                raise ValueError("CLOCKTOWER_SECRET_KEY must be set in production")
            if self.master_key.get_secret_value() == DEFAULT_MASTER_KEY:
                raise ValueError("CLOCKTOWER_MASTER_KEY must be set in production")
            if len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("CLOCKTOWER_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def oidc_provider(self, key: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.key == key), None)


@lru_cache
def get_settings() -> Settings:
    return Settings()
