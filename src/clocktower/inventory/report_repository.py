"""The SQL of the inventory reports: every figure is a GROUP BY in the database.

A valuation line is one stock level (item * warehouse): its value is quantity * unit cost,
rounded half up to the cent once, on that line. Every subtotal and the total are sums of
line values, so the report always adds up. The multiplication is split into whole units
and thousandths so it stays inside 64-bit integers (see quantity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select

from clocktower.kit.repository import Repository
from clocktower.models import StockItem, StockLevel, StockMovement, Warehouse


@dataclass(frozen=True)
class ValuationFilters:
    warehouse_id: int | None = None
    category: str | None = None
    currency_code: str | None = None


@dataclass(frozen=True)
class ValuedItem:
    stock_item_id: int
    sku: str
    name: str
    category: str | None
    unit: str
    currency_code: str
    unit_cost_cents: int
    quantity_milli: int
    value_cents: int


@dataclass(frozen=True)
class ValuedWarehouse:
    warehouse_id: int
    warehouse_name: str
    warehouse_code: str
    currency_code: str
    item_count: int
    value_cents: int


@dataclass(frozen=True)
class ValuedCategory:
    category: str | None
    currency_code: str
    item_count: int
    value_cents: int


@dataclass(frozen=True)
class CurrencyValue:
    currency_code: str
    value_cents: int


@dataclass(frozen=True)
class TurnoverRow:
    """Signed sums of thousandths: stock before the period, at its end, and its flows."""

    stock_item_id: int
    sku: str
    name: str
    unit: str
    opening_milli: int
    closing_milli: int
    received_milli: int
    issued_milli: int


@dataclass(frozen=True)
class LowStockRow:
    stock_item_id: int
    sku: str
    name: str
    category: str | None
    unit: str
    reorder_point_milli: int
    reorder_quantity_milli: int | None
    on_hand_milli: int


def _line_value() -> Any:
    """Cents of one stock level, half up: whole units * cost + thousandths * cost / 1000."""
    cost = StockItem.unit_cost_cents
    whole = StockLevel.quantity_milli // 1000
    thousandths = StockLevel.quantity_milli % 1000
    return whole * cost + (thousandths * cost + 500) // 1000


def _sum(expression: Any) -> Any:
    return func.coalesce(func.sum(expression), 0)


class InventoryReportRepository(Repository[Any]):
    def _valued_lines(self, organization_id: int, filters: ValuationFilters) -> Any:
        statement = (
            select()
            .select_from(StockLevel)
            .join(StockItem, StockItem.id == StockLevel.stock_item_id)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(StockLevel.organization_id == organization_id, StockLevel.quantity_milli > 0)
        )
        if filters.warehouse_id is not None:
            statement = statement.where(StockLevel.warehouse_id == filters.warehouse_id)
        if filters.category is not None:
            statement = statement.where(func.lower(StockItem.category) == filters.category.lower())
        if filters.currency_code is not None:
            statement = statement.where(StockItem.currency_code == filters.currency_code)
        return statement

    async def valued_items(
        self, organization_id: int, filters: ValuationFilters
    ) -> list[ValuedItem]:
        columns = (
            StockItem.id,
            StockItem.sku,
            StockItem.name,
            StockItem.category,
            StockItem.unit,
            StockItem.currency_code,
            StockItem.unit_cost_cents,
        )
        result = await self.session.execute(
            self._valued_lines(organization_id, filters)
            .add_columns(*columns, _sum(StockLevel.quantity_milli), _sum(_line_value()))
            .group_by(*columns)
            .order_by(func.lower(StockItem.name), StockItem.id)
        )
        return [
            ValuedItem(
                stock_item_id=row[0],
                sku=row[1],
                name=row[2],
                category=row[3],
                unit=row[4],
                currency_code=row[5],
                unit_cost_cents=row[6],
                quantity_milli=int(row[7]),
                value_cents=int(row[8]),
            )
            for row in result.all()
        ]

    async def valued_warehouses(
        self, organization_id: int, filters: ValuationFilters
    ) -> list[ValuedWarehouse]:
        columns = (Warehouse.id, Warehouse.name, Warehouse.code, StockItem.currency_code)
        result = await self.session.execute(
            self._valued_lines(organization_id, filters)
            .add_columns(*columns, func.count(func.distinct(StockItem.id)), _sum(_line_value()))
            .group_by(*columns)
            .order_by(func.lower(Warehouse.name), Warehouse.id, StockItem.currency_code)
        )
        return [
            ValuedWarehouse(
                warehouse_id=row[0],
                warehouse_name=row[1],
                warehouse_code=row[2],
                currency_code=row[3],
                item_count=int(row[4]),
                value_cents=int(row[5]),
            )
            for row in result.all()
        ]

    async def valued_categories(
        self, organization_id: int, filters: ValuationFilters
    ) -> list[ValuedCategory]:
        columns = (StockItem.category, StockItem.currency_code)
        result = await self.session.execute(
            self._valued_lines(organization_id, filters)
            .add_columns(*columns, func.count(func.distinct(StockItem.id)), _sum(_line_value()))
            .group_by(*columns)
            .order_by(func.lower(func.coalesce(StockItem.category, "")), StockItem.currency_code)
        )
        return [
            ValuedCategory(
                category=row[0],
                currency_code=row[1],
                item_count=int(row[2]),
                value_cents=int(row[3]),
            )
            for row in result.all()
        ]

    async def valued_currencies(
        self, organization_id: int, filters: ValuationFilters
    ) -> list[CurrencyValue]:
        result = await self.session.execute(
            self._valued_lines(organization_id, filters)
            .add_columns(StockItem.currency_code, _sum(_line_value()))
            .group_by(StockItem.currency_code)
            .order_by(StockItem.currency_code)
        )
        return [CurrencyValue(code, int(value)) for code, value in result.all()]

    async def turnover(
        self, organization_id: int, start: datetime, end: datetime, item_id: int | None
    ) -> list[TurnoverRow]:
        """Per item, from its movements: the stock before `start` and before `end`, and
        what was received and issued in between. Items without movements count zero."""
        quantity = StockMovement.quantity_milli
        moved_at = StockMovement.moved_at
        in_period = and_(moved_at >= start, moved_at < end)
        kind = StockMovement.movement_type
        columns = (StockItem.id, StockItem.sku, StockItem.name, StockItem.unit)
        statement = (
            select(
                *columns,
                _sum(case((moved_at < start, quantity), else_=0)),
                _sum(case((moved_at < end, quantity), else_=0)),
                _sum(case((and_(kind == "receipt", in_period), quantity), else_=0)),
                _sum(case((and_(kind == "issue", in_period), -quantity), else_=0)),
            )
            .select_from(StockItem)
            .join(
                StockMovement,
                and_(
                    StockMovement.stock_item_id == StockItem.id,
                    StockMovement.organization_id == organization_id,
                ),
                isouter=True,
            )
            .where(StockItem.organization_id == organization_id)
            .group_by(*columns)
            .order_by(func.lower(StockItem.name), StockItem.id)
        )
        if item_id is not None:
            statement = statement.where(StockItem.id == item_id)
        result = await self.session.execute(statement)
        return [TurnoverRow(*row[:4], *(int(value) for value in row[4:])) for row in result.all()]

    async def low_stock(self, organization_id: int, warehouse_id: int | None) -> list[LowStockRow]:
        """Active items whose quantity on hand (in one warehouse, or in all) is below
        their reorder point, by name."""
        levels = select(
            StockLevel.stock_item_id, func.sum(StockLevel.quantity_milli).label("on_hand")
        ).where(StockLevel.organization_id == organization_id)
        if warehouse_id is not None:
            levels = levels.where(StockLevel.warehouse_id == warehouse_id)
        on_hand_by_item = levels.group_by(StockLevel.stock_item_id).subquery("on_hand")
        on_hand = func.coalesce(on_hand_by_item.c.on_hand, 0)
        result = await self.session.execute(
            select(
                StockItem.id,
                StockItem.sku,
                StockItem.name,
                StockItem.category,
                StockItem.unit,
                StockItem.reorder_point_milli,
                StockItem.reorder_quantity_milli,
                on_hand,
            )
            .join(on_hand_by_item, on_hand_by_item.c.stock_item_id == StockItem.id, isouter=True)
            .where(
                StockItem.organization_id == organization_id,
                StockItem.is_active.is_(True),
                StockItem.reorder_point_milli.is_not(None),
                on_hand < StockItem.reorder_point_milli,
            )
            .order_by(func.lower(StockItem.name), StockItem.id)
        )
        return [
            LowStockRow(
                stock_item_id=row[0],
                sku=row[1],
                name=row[2],
                category=row[3],
                unit=row[4],
                reorder_point_milli=row[5],
                reorder_quantity_milli=row[6],
                on_hand_milli=int(row[7]),
            )
            for row in result.all()
        ]
