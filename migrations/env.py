"""Alembic environment: runs migrations over the async engine, batch mode on SQLite.

The URL comes from `-x url=...`, else the `sqlalchemy.url` option set by the CLI, else
CLOCKTOWER_DATABASE_URL. Revisions never import clocktower: they describe the schema as
it was on their date. `target_metadata` (for autogenerate only) is loaded if importable.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

config = context.config


def _target_metadata():  # type: ignore[no-untyped-def]
    try:
        from clocktower.models import Base
    except ImportError:
        return None
    return Base.metadata


def _url() -> str:
    x_args = context.get_x_argument(as_dictionary=True)
    url = x_args.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        url = os.environ.get("CLOCKTOWER_DATABASE_URL", "sqlite+aiosqlite:///./data/clocktower.db")
    return url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=_target_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    asyncio.run(_run_async())


run_migrations_online()
