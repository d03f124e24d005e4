"""Inventory (seed 002, S4.5): warehouses, stock items, movements and stock levels.

Quantities are thousandths (`*_milli`), money integer cents. Every change of stock is a
movement; `stock_levels` holds the running quantity per item and warehouse, updated in
the movement's transaction so reports need no replay. A transfer is two movements
(transfer_out, transfer_in) sharing one `reference_id`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.models.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin


class Warehouse(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "warehouses"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)


class StockItem(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "stock_items"
    __table_args__ = (
        UniqueConstraint("organization_id", "sku"),
        Index("ix_stock_items_org_category", "organization_id", "category"),
    )

    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    unit_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency_code: Mapped[str] = mapped_column(String(3))
    reorder_point_milli: Mapped[int | None] = mapped_column(BigInteger)
    reorder_quantity_milli: Mapped[int | None] = mapped_column(BigInteger)
    is_active: Mapped[bool] = mapped_column(default=True)


class StockLevel(IdMixin, TenantMixin, Base):
    __tablename__ = "stock_levels"
    __audited__ = False
    __table_args__ = (UniqueConstraint("stock_item_id", "warehouse_id"),)

    stock_item_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("stock_items.id", ondelete="CASCADE"), index=True
    )
    warehouse_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("warehouses.id", ondelete="CASCADE"), index=True
    )
    quantity_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column()


class StockMovement(IdMixin, TenantMixin, Base):
    __tablename__ = "stock_movements"
    __table_args__ = (
        Index("ix_stock_movements_org_moved", "organization_id", "moved_at"),
        Index("ix_stock_movements_item_moved", "stock_item_id", "moved_at"),
    )

    stock_item_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("stock_items.id", ondelete="RESTRICT")
    )
    warehouse_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True
    )
    # receipt | issue | adjustment | return | transfer_out | transfer_in
    movement_type: Mapped[str] = mapped_column(String(20))
    # Signed: receipts and transfer_in add, issues and transfer_out take away.
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit_cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    # The pair of a transfer (a UUID), or the caller's own reference.
    reference_id: Mapped[str | None] = mapped_column(String(64), index=True)
    moved_at: Mapped[datetime] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column()
