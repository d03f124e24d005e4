"""One Settings object, read from the environment (prefix CLOCKTOWER_) and an optional .env file."""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Development defaults: usable out of the box, refused in production.
DEFAULT_SECRET_KEY = "clocktower-development-secret-key-change-me"
DEFAULT_MASTER_KEY = "Y2xvY2t0b3dlci1kZXYtbWFzdGVyLWtleS0zMmJ5dGU="  # 32 bytes, base64


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

    run_jobs_in_process: bool = True
    job_poll_interval_seconds: float = Field(1.0, gt=0)
    job_max_attempts: int = Field(8, ge=1)
    job_lock_timeout_seconds: int = Field(300, ge=10)
    # Plugins (and the test suite) register job kinds from modules named here, imported
    # by every process that runs jobs. Comma-separated or a JSON list in the environment.
    extra_job_modules: Annotated[list[str], NoDecode] = []

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
