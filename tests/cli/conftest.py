"""CLI fixtures: a fresh SQLite file migrated by `clocktower migrate`, and the app on it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from typer.testing import CliRunner, Result

from clocktower.cli import app as cli_app
from clocktower.db import Database
from clocktower.main import create_app
from tests.conftest import test_settings as settings_for

T = TypeVar("T")


class Cli:
    """Runs `clocktower ...` in-process against one database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.env = {
            "CLOCKTOWER_DATABASE_URL": url,
            "CLOCKTOWER_ENVIRONMENT": "test",
            "CLOCKTOWER_REDIS_URL": None,
        }
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, **env: str | None) -> Result:
        return self.runner.invoke(
            cli_app, list(args), input=input, env={**self.env, **env}, catch_exceptions=False
        )

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, result.output
        return result

    def query(self, work: Any) -> Any:
        """Run `await work(session)` in a read transaction on this database."""

        async def run() -> Any:
            database = Database(self.url)
            try:
                async with database.transaction(write=False) as session:
                    return await work(session)
            finally:
                await database.dispose()

        return run_async(run())

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One HTTP request to the real app on this database (started and stopped)."""

        async def send() -> httpx.Response:
            app = create_app(settings_for(self.url), Database(self.url))
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://cli") as client:
                    return await client.request(method, path, **kwargs)

        return run_async(send())


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'clocktower.db'}"


@pytest.fixture
def cli(fresh_url: str) -> Cli:
    """A CLI on a database that `clocktower migrate` has just created."""
    runner = Cli(fresh_url)
    runner.ok("migrate")
    return runner


def stdout_lines(result: Result) -> Sequence[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]
