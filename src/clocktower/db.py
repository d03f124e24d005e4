"""Engine, sessions and the DbSession dependency: one transaction per request.

The session dependency commits after the handler and before the response is sent, so a
failed commit is an error, never a lost write. On SQLite, write requests open their
transaction with BEGIN IMMEDIATE so concurrent writers queue on the busy timeout instead
of failing on a lock upgrade; reads use a deferred BEGIN and never block.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

from clocktower.errors import AppError

log = structlog.get_logger("clocktower.db")

_sqlite_begin: contextvars.ContextVar[str] = contextvars.ContextVar("sqlite_begin", default="BEGIN")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the driver so BEGIN and SAVEPOINT work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(_sqlite_begin.get())


@asynccontextmanager
async def write_transaction_mode() -> AsyncIterator[None]:
    """Within this block new SQLite transactions take the write lock at BEGIN."""
    token = _sqlite_begin.set("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        _sqlite_begin.reset(token)


class Database:
    """The engine and the session factory; tests rebind the factory to one connection."""

    def __init__(self, url: str, *, engine: AsyncEngine | None = None) -> None:
        self.url = url
        self.engine = engine or create_engine(url)
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def bound_to(self, connection: AsyncConnection) -> Database:
        """Tests: a Database whose sessions join the test's outer transaction (savepoints)."""
        bound = Database(self.url, engine=self.engine)
        bound.sessionmaker = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        return bound

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A session whose work commits at the end of the block, or rolls back on error."""
        if write:
            async with write_transaction_mode(), self.sessionmaker() as session, session.begin():
                yield session
        else:
            async with self.sessionmaker() as session, session.begin():
                yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def current_transaction(session: Session) -> SessionTransaction | None:
    """The innermost transaction (savepoint or not): what work queued now belongs to."""
    return session.get_nested_transaction() or session.get_transaction()


def began_within(tag: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    """Whether `tag` (a `current_transaction`) is `transaction` or nested inside it:
    work queued there goes when `transaction` rolls back."""
    while tag is not None:
        if tag is transaction:
            return True
        tag = tag.parent
    return False


AfterTransaction = Callable[[], Awaitable[None]]


def after_transaction(session: AsyncSession, callback: AfterTransaction) -> None:
    """Run `callback` once the request's transaction has ended (committed or not).

    For bookkeeping that must not hold the request's locks: on SQLite a write request
    holds the database's write lock until it commits, so a second transaction opened
    from inside it would wait on itself.
    """
    session.info.setdefault("after_transaction", []).append(callback)


async def _run_after_transaction(callbacks: list[AfterTransaction]) -> None:
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            log.exception("after-transaction callback failed")


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    write = request.method in WRITE_METHODS
    token = _sqlite_begin.set("BEGIN IMMEDIATE" if write else "BEGIN")
    callbacks: list[AfterTransaction] = []
    try:
        async with database.sessionmaker() as session:
            request.state.db_session = session
            try:
                yield session
            except AppError as error:
                if error.keeps_changes:
                    await session.commit()
                else:
                    await session.rollback()
                raise
            except BaseException:
                await session.rollback()
                raise
            else:
                await session.commit()
            finally:
                callbacks = session.info.pop("after_transaction", [])
        # The request's session is closed (its connection back in the pool) by now.
        await _run_after_transaction(callbacks)
    finally:
        _sqlite_begin.reset(token)


DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
