"""Queries of warehouses, stock items, stock levels and movements; each starts from the
organisation-scoped statement.

Stock levels change only through two atomic statements: `add` (an upsert that refuses to
pass MAX_STOCK) and `take` (an UPDATE that refuses to go below zero). The database checks
the condition on the row it locks, so parallel issues of the last units cannot both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from clocktower.inventory.quantity import MAX_STOCK_MILLI
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import StockItem, StockLevel, StockMovement, Warehouse

TRANSFER_OUT = "transfer_out"
TRANSFER_IN = "transfer_in"


def _contains(column: Any, needle: str) -> Any:
    return func.lower(func.coalesce(column, "")).contains(needle.lower(), autoescape=True)


class WarehouseRepository(TenantRepository[Warehouse]):
    model = Warehouse

    def listing(
        self, organization_id: int, *, search: str | None = None, active: bool | None = None
    ) -> Select[Any]:
        statement = self.in_organization(organization_id)
        if active is not None:
            statement = statement.where(Warehouse.is_active.is_(active))
        if search:
            statement = statement.where(
                _contains(Warehouse.name, search) | _contains(Warehouse.code, search)
            )
        return statement.order_by(func.lower(Warehouse.name), Warehouse.id)


@dataclass(frozen=True)
class ItemWithQuantity:
    item: StockItem
    on_hand_milli: int


@dataclass(frozen=True)
class LevelView:
    warehouse_id: int
    warehouse_name: str
    warehouse_code: str
    quantity_milli: int


class StockItemRepository(TenantRepository[StockItem]):
    model = StockItem

    def _on_hand(self, organization_id: int) -> Any:
        """Quantity on hand per item over every warehouse: one grouped subquery."""
        return (
            select(
                StockLevel.stock_item_id,
                func.sum(StockLevel.quantity_milli).label("on_hand_milli"),
            )
            .where(StockLevel.organization_id == organization_id)
            .group_by(StockLevel.stock_item_id)
            .subquery("on_hand")
        )

    def with_quantities(self, organization_id: int) -> tuple[Select[Any], Any]:
        """The items with their quantity on hand, and that quantity's expression."""
        on_hand = self._on_hand(organization_id)
        quantity = func.coalesce(on_hand.c.on_hand_milli, 0)
        statement = (
            self.in_organization(organization_id)
            .add_columns(quantity.label("on_hand_milli"))
            .join(on_hand, on_hand.c.stock_item_id == StockItem.id, isouter=True)
        )
        return statement, quantity

    def listing(
        self,
        organization_id: int,
        *,
        search: str | None = None,
        category: str | None = None,
        active: bool | None = None,
        low_stock: bool | None = None,
    ) -> Select[Any]:
        statement, on_hand = self.with_quantities(organization_id)
        if search:
            statement = statement.where(
                _contains(StockItem.name, search)
                | _contains(StockItem.sku, search)
                | _contains(StockItem.description, search)
            )
        if category is not None:
            statement = statement.where(func.lower(StockItem.category) == category.lower())
        if active is not None:
            statement = statement.where(StockItem.is_active.is_(active))
        if low_stock is not None:
            below = and_(
                StockItem.reorder_point_milli.is_not(None),
                on_hand < StockItem.reorder_point_milli,
            )
            statement = statement.where(below if low_stock else ~below)
        return statement.order_by(func.lower(StockItem.name), StockItem.id)

    async def page_with_quantities(
        self, statement: Select[Any], params: PageParams
    ) -> Page[ItemWithQuantity]:
        """Two statements whatever the page size: the count and the page."""
        total = await self.count(statement)
        result = await self.session.execute(statement.limit(params.per_page).offset(params.offset))
        items = [ItemWithQuantity(item, int(milli)) for item, milli in result.all()]
        return Page(items=items, total=total, params=params)

    async def get_with_quantity(
        self, organization_id: int, item_id: int
    ) -> ItemWithQuantity | None:
        statement = self.with_quantities(organization_id)[0]
        result = await self.session.execute(statement.where(StockItem.id == item_id))
        row = result.one_or_none()
        return ItemWithQuantity(row[0], int(row[1])) if row is not None else None

    async def levels(self, organization_id: int, item_id: int) -> list[LevelView]:
        """The item's stock per warehouse it was ever moved in, by warehouse name."""
        result = await self.session.execute(
            select(Warehouse.id, Warehouse.name, Warehouse.code, StockLevel.quantity_milli)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(
                StockLevel.organization_id == organization_id,
                StockLevel.stock_item_id == item_id,
            )
            .order_by(func.lower(Warehouse.name), Warehouse.id)
        )
        return [LevelView(*row) for row in result.all()]


class StockLevelRepository(TenantRepository[StockLevel]):
    model = StockLevel

    async def add(
        self, organization_id: int, item_id: int, warehouse_id: int, milli: int, now: datetime
    ) -> int | None:
        """Add `milli` (> 0) to the level, creating it; the new quantity, or None when it
        would pass MAX_STOCK (nothing changed)."""
        is_postgresql = self.session.get_bind().dialect.name == "postgresql"
        dialect: Any = postgresql if is_postgresql else sqlite
        statement = dialect.insert(StockLevel).values(
            organization_id=organization_id,
            stock_item_id=item_id,
            warehouse_id=warehouse_id,
            quantity_milli=milli,
            updated_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[StockLevel.stock_item_id, StockLevel.warehouse_id],
            set_={
                "quantity_milli": StockLevel.quantity_milli + statement.excluded.quantity_milli,
                "updated_at": statement.excluded.updated_at,
            },
            where=StockLevel.quantity_milli + statement.excluded.quantity_milli <= MAX_STOCK_MILLI,
        ).returning(StockLevel.quantity_milli)
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()

    async def take(
        self, organization_id: int, item_id: int, warehouse_id: int, milli: int, now: datetime
    ) -> int | None:
        """Take `milli` (> 0) from the level; the new quantity, or None when fewer are on
        hand (nothing changed). The condition is checked on the locked row."""
        result = await self.session.execute(
            update(StockLevel)
            .where(
                StockLevel.organization_id == organization_id,
                StockLevel.stock_item_id == item_id,
                StockLevel.warehouse_id == warehouse_id,
                StockLevel.quantity_milli >= milli,
            )
            .values(quantity_milli=StockLevel.quantity_milli - milli, updated_at=now)
            .returning(StockLevel.quantity_milli)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()

    async def quantity(self, organization_id: int, item_id: int, warehouse_id: int) -> int:
        result = await self.session.execute(
            select(StockLevel.quantity_milli).where(
                StockLevel.organization_id == organization_id,
                StockLevel.stock_item_id == item_id,
                StockLevel.warehouse_id == warehouse_id,
            )
        )
        return int(result.scalar_one_or_none() or 0)


@dataclass(frozen=True)
class MovementFilters:
    """All optional; instants are UTC, `moved_from` inclusive, `moved_before` exclusive."""

    moved_from: datetime | None = None
    moved_before: datetime | None = None
    stock_item_id: int | None = None
    warehouse_id: int | None = None
    movement_type: str | None = None


@dataclass(frozen=True)
class MovementView:
    """A movement and the names of its item and warehouse."""

    movement: StockMovement
    stock_item_sku: str
    stock_item_name: str
    warehouse_code: str
    warehouse_name: str


@dataclass(frozen=True)
class TransferRow:
    out: StockMovement
    to_warehouse_id: int
    in_movement_id: int


class StockMovementRepository(TenantRepository[StockMovement]):
    model = StockMovement

    def _with_names(self, statement: Select[Any]) -> Select[Any]:
        # Names ride along in the same statement: no query per movement.
        return (
            statement.add_columns(StockItem.sku, StockItem.name, Warehouse.code, Warehouse.name)
            .join(StockItem, StockItem.id == StockMovement.stock_item_id)
            .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        )

    def history(self, organization_id: int, filters: MovementFilters) -> Select[Any]:
        statement = self.in_organization(organization_id)
        if filters.moved_from is not None:
            statement = statement.where(StockMovement.moved_at >= filters.moved_from)
        if filters.moved_before is not None:
            statement = statement.where(StockMovement.moved_at < filters.moved_before)
        if filters.stock_item_id is not None:
            statement = statement.where(StockMovement.stock_item_id == filters.stock_item_id)
        if filters.warehouse_id is not None:
            statement = statement.where(StockMovement.warehouse_id == filters.warehouse_id)
        if filters.movement_type is not None:
            statement = statement.where(StockMovement.movement_type == filters.movement_type)
        return statement.order_by(StockMovement.moved_at.desc(), StockMovement.id.desc())

    async def page_views(self, statement: Select[Any], params: PageParams) -> Page[MovementView]:
        total = await self.count(statement)
        result = await self.session.execute(
            self._with_names(statement).limit(params.per_page).offset(params.offset)
        )
        return Page(items=[MovementView(*row) for row in result.all()], total=total, params=params)

    async def views_of_reference(
        self, organization_id: int, reference_id: str
    ) -> Sequence[MovementView]:
        """The two movements of one transfer, out first (none for an unknown reference)."""
        result = await self.session.execute(
            self._with_names(
                self.in_organization(organization_id).where(
                    StockMovement.reference_id == reference_id,
                    StockMovement.movement_type.in_((TRANSFER_OUT, TRANSFER_IN)),
                )
            ).order_by(StockMovement.quantity_milli, StockMovement.id)
        )
        return [MovementView(*row) for row in result.all()]

    def transfers(
        self,
        organization_id: int,
        *,
        moved_from: datetime | None = None,
        moved_before: datetime | None = None,
    ) -> Select[Any]:
        """One row per transfer: its out movement, joined to its in movement."""
        incoming = aliased(StockMovement, name="incoming")
        statement = (
            self.in_organization(organization_id)
            .add_columns(incoming.warehouse_id, incoming.id)
            .join(
                incoming,
                and_(
                    incoming.organization_id == StockMovement.organization_id,
                    incoming.reference_id == StockMovement.reference_id,
                    incoming.movement_type == TRANSFER_IN,
                ),
            )
            .where(StockMovement.movement_type == TRANSFER_OUT)
        )
        if moved_from is not None:
            statement = statement.where(StockMovement.moved_at >= moved_from)
        if moved_before is not None:
            statement = statement.where(StockMovement.moved_at < moved_before)
        return statement.order_by(StockMovement.moved_at.desc(), StockMovement.id.desc())

    async def page_transfers(self, statement: Select[Any], params: PageParams) -> Page[TransferRow]:
        total = await self.count(statement)
        result = await self.session.execute(statement.limit(params.per_page).offset(params.offset))
        return Page(items=[TransferRow(*row) for row in result.all()], total=total, params=params)

    async def count_for(
        self, organization_id: int, *, warehouse_id: int | None = None, item_id: int | None = None
    ) -> int:
        statement = self.in_organization(organization_id)
        if warehouse_id is not None:
            statement = statement.where(StockMovement.warehouse_id == warehouse_id)
        if item_id is not None:
            statement = statement.where(StockMovement.stock_item_id == item_id)
        return await self.count(statement)
