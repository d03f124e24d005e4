"""The `clocktower` command: serve, worker, migrate, create-admin, token, demo."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clocktower.config import Settings, get_settings

app = typer.Typer(
    help="Clocktower: time tracking, billing and client operations.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    ini = ROOT / "alembic.ini"
    if not ini.exists():
        raise typer.BadParameter(
            f"migrations not found next to the package ({ini}); run from a source checkout"
        )
    config = Config(str(ini))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    return config


def run_migrations(settings: Settings) -> None:
    from alembic import command

    if settings.is_sqlite:
        Path(settings.database_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings.database_url), "head")


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest revision (safe to re-run)."""
    settings = get_settings()
    run_migrations(settings)
    console.print("[green]Database is up to date.[/green]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (needs Redis if > 1)")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Serve the API, web UI and (unless disabled) the job runner."""
    import uvicorn

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        console.print(
            "[red]--workers > 1 needs CLOCKTOWER_REDIS_URL: rate limits and live updates "
            "must be shared between processes.[/red]"
        )
        raise typer.Exit(code=2)
    if workers > 1 and settings.is_sqlite:
        console.print("[red]--workers > 1 needs PostgreSQL (CLOCKTOWER_DATABASE_URL).[/red]")
        raise typer.Exit(code=2)
    if migrate_first:
        run_migrations(settings)
    base = f"http://{host}:{port}"
    console.print(f"Clocktower listening on [bold]{base}[/bold]")
    console.print(
        f"First run: open [bold]{base}/setup[/bold] to create your account; "
        f"API docs at {base}/api/docs"
    )
    uvicorn.run(
        "clocktower.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=30,
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs claimed per round")] = 10,
) -> None:
    """Run background jobs only (no HTTP); any number may run beside `serve`."""
    from clocktower.db import Database
    from clocktower.kit.logging import configure_logging
    from clocktower.main import load_job_handlers
    from clocktower.worker.runner import JobRunner

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    load_job_handlers()

    async def main() -> None:
        database = Database(settings.database_url)
        runner = JobRunner(database, settings, batch_size=concurrency)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runner.stop)
        try:
            await runner.run_forever()
        finally:
            await database.dispose()

    asyncio.run(main())


if __name__ == "__main__":  # pragma: no cover
    app()
