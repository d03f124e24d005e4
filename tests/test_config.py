"""Settings: environment, defaults and the production guard."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from clocktower.config import DEFAULT_MASTER_KEY, Settings


class TestSettings:
    def test_embedded_default_is_sqlite_under_data(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CLOCKTOWER_DATABASE_URL", raising=False)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]

        assert settings.database_url == "sqlite+aiosqlite:///data/clocktower.db"
        assert settings.is_sqlite

    def test_reads_prefixed_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CLOCKTOWER_RATE_LIMIT_PER_MINUTE", "7")
        monkeypatch.setenv("CLOCKTOWER_DATABASE_URL", "postgresql+asyncpg://db/clocktower")

        settings = Settings(_env_file=None)  # type: ignore[call-arg]

        assert settings.rate_limit_per_minute == 7
        assert not settings.is_sqlite

    def test_production_refuses_default_secret_key(self) -> None:
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            Settings(environment="production", _env_file=None)  # type: ignore[call-arg]

    def test_production_refuses_default_master_key(self) -> None:
        with pytest.raises(ValidationError, match="MASTER_KEY"):
            Settings(
                environment="production",
                secret_key="x" * 40,
                master_key=DEFAULT_MASTER_KEY,
                _env_file=None,  # type: ignore[call-arg]
            )

    def test_production_accepts_real_secrets(self) -> None:
        settings = Settings(
            environment="production",
            secret_key="s" * 48,
            master_key="c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=",
            _env_file=None,  # type: ignore[call-arg]
        )

        assert settings.environment == "production"
