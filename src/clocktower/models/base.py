"""Declarative base, naming convention and the mixins every table family uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from clocktower.kit.time import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Table option of the objects delta sync follows: SQLite otherwise hands the highest
# deleted id out again, and a new object would take over the old one's tombstone.
# PostgreSQL sequences never go back anyway.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}

    # Tables whose writes the audit log skips (its own rows, queues, token bookkeeping).
    __audited__: bool = True
    # Columns whose values never reach the audit log or any log.
    __secret_columns__: frozenset[str] = frozenset()


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TenantMixin:
    """Every row of tenant data belongs to exactly one organisation."""

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        return mapped_column(
            BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
        )
