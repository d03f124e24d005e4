"""Inventory requests and answers: warehouses, stock items, movements and transfers.

Quantities and money are JSON numbers on the wire and exact Decimals in code; inputs carry
at most three decimals (quantities) or two (money).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, model_validator

from clocktower.account.schemas import StrictModel
from clocktower.auth.context import AuthContext
from clocktower.auth.gating import GatedModel
from clocktower.errors import ValidationFailed
from clocktower.inventory.quantity import MAX_STOCK, from_milli, optional_quantity
from clocktower.inventory.repository import (
    ItemWithQuantity,
    LevelView,
    MovementView,
    TransferRow,
)
from clocktower.kit.ids import IdField
from clocktower.kit.money import MAX_AMOUNT, JsonNumber, from_cents
from clocktower.kit.pagination import PaginationRead
from clocktower.kit.period import check_supported
from clocktower.kit.validation import non_nullable
from clocktower.models import StockItem, StockMovement

MovementType = Literal["receipt", "issue", "adjustment", "return"]
# What history shows: the four kinds a caller records, and the two halves of a transfer.
HistoryMovementType = Literal[
    "receipt", "issue", "adjustment", "return", "transfer_out", "transfer_in"
]

Quantity = Annotated[
    Decimal,
    Field(gt=0, le=MAX_STOCK, decimal_places=3, description="Positive, at most 3 decimals"),
]
SignedQuantity = Annotated[
    Decimal,
    Field(
        ge=-MAX_STOCK,
        le=MAX_STOCK,
        decimal_places=3,
        description="Positive, at most 3 decimals; an adjustment may be negative",
    ),
]
Threshold = Annotated[Decimal, Field(ge=0, le=MAX_STOCK, decimal_places=3)]
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. EUR")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=10_000)]
Instant = Annotated[
    datetime,
    AfterValidator(check_supported),
    Field(description="ISO 8601; an offset or Z is honoured, a naive time is in your time zone"),
]
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def parse_day(field: str, text: str | None) -> date | None:
    """A YYYY-MM-DD query value as a date (a day in the reader's time zone)."""
    if text is None:
        return None
    try:
        return check_supported(date.fromisoformat(text))
    except ValueError as error:
        raise ValidationFailed.field(field, f"{text!r} is not a valid date: {error}") from None


# --- warehouses ------------------------------------------------------------------------------


class WarehouseCreate(StrictModel):
    name: Name
    code: Annotated[str, Field(min_length=1, max_length=32, description="Unique per organisation")]
    address: Annotated[str, Field(max_length=2000)] | None = None
    notes: Text | None = None
    is_active: bool = True


class WarehouseUpdate(StrictModel):
    """PUT is a partial update: only the fields sent change; null clears address or notes."""

    name: Name | None = None
    code: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    address: Annotated[str, Field(max_length=2000)] | None = None
    notes: Text | None = None
    is_active: bool | None = None

    _not_null = non_nullable("name", "code", "is_active")


class WarehouseRead(GatedModel):
    object_type = "warehouse"

    id: int
    name: str
    code: str
    address: str | None
    notes: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class WarehouseList(BaseModel):
    warehouses: list[WarehouseRead]
    pagination: PaginationRead


class WarehouseAnswer(BaseModel):
    warehouse: WarehouseRead


class WarehouseCreated(BaseModel):
    message: str
    warehouse: WarehouseRead


class InventoryDeleted(BaseModel):
    message: str


# --- stock items -----------------------------------------------------------------------------


class StockItemCreate(StrictModel):
    sku: Annotated[str, Field(min_length=1, max_length=64, description="Unique per organisation")]
    name: Name
    description: Text | None = None
    category: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    unit: Annotated[str, Field(min_length=1, max_length=20)] = "pcs"
    unit_cost: Amount = Decimal(0)
    currency_code: CurrencyCode | None = Field(
        None, description="Defaults to the organisation's currency"
    )
    reorder_point: Threshold | None = None
    reorder_quantity: Threshold | None = None
    is_active: bool = True


class StockItemUpdate(StrictModel):
    """PUT is a partial update: only the fields sent change; null clears a nullable field."""

    sku: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    name: Name | None = None
    description: Text | None = None
    category: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    unit: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    unit_cost: Amount | None = None
    currency_code: CurrencyCode | None = None
    reorder_point: Threshold | None = None
    reorder_quantity: Threshold | None = None
    is_active: bool | None = None

    _not_null = non_nullable("sku", "name", "unit", "unit_cost", "currency_code", "is_active")


class StockItemRead(GatedModel):
    object_type = "stock_item"

    id: int
    sku: str
    name: str
    description: str | None
    category: str | None
    unit: str
    unit_cost: JsonNumber
    currency_code: str
    reorder_point: JsonNumber | None
    reorder_quantity: JsonNumber | None
    is_active: bool
    quantity_on_hand: JsonNumber = Field(description="Over every warehouse")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_item(cls, found: ItemWithQuantity, auth: AuthContext, **extra: object) -> Self:
        return cls.of(found.item, auth, **_item_fields(found.item, found.on_hand_milli), **extra)


def _item_fields(item: StockItem, on_hand_milli: int) -> dict[str, object]:
    return {
        "unit_cost": from_cents(item.unit_cost_cents),
        "reorder_point": optional_quantity(item.reorder_point_milli),
        "reorder_quantity": optional_quantity(item.reorder_quantity_milli),
        "quantity_on_hand": from_milli(on_hand_milli),
    }


class StockLevelRead(BaseModel):
    warehouse_id: int
    warehouse_name: str
    warehouse_code: str
    quantity: JsonNumber

    @classmethod
    def of(cls, level: LevelView) -> StockLevelRead:
        return cls(
            warehouse_id=level.warehouse_id,
            warehouse_name=level.warehouse_name,
            warehouse_code=level.warehouse_code,
            quantity=from_milli(level.quantity_milli),
        )


class StockItemDetailRead(StockItemRead):
    stock_levels: list[StockLevelRead] = Field(
        description="Quantity on hand per warehouse the item was ever moved in"
    )


class StockItemList(BaseModel):
    stock_items: list[StockItemRead]
    pagination: PaginationRead


class StockItemAnswer(BaseModel):
    stock_item: StockItemDetailRead


class StockItemCreated(BaseModel):
    message: str
    stock_item: StockItemDetailRead


# --- movements -------------------------------------------------------------------------------


class StockMovementCreate(StrictModel):
    movement_type: MovementType = Field(
        description="receipt and return add stock, issue takes it, adjustment does either"
    )
    stock_item_id: IdField
    warehouse_id: IdField
    quantity: SignedQuantity
    unit_cost: Amount | None = Field(None, description="Defaults to the item's unit cost")
    reference_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    notes: Text | None = None
    project_id: IdField | None = None
    moved_at: Instant | None = Field(None, description="Defaults to now")

    @model_validator(mode="after")
    def _quantity_sign(self) -> Self:
        if self.quantity == 0:
            raise ValueError("quantity may not be zero")
        if self.quantity < 0 and self.movement_type != "adjustment":
            raise ValueError("only an adjustment may have a negative quantity")
        return self


class StockMovementRead(GatedModel):
    object_type = "stock_movement"

    id: int
    movement_type: str
    stock_item_id: int
    stock_item_sku: str
    stock_item_name: str
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    quantity: JsonNumber = Field(description="Signed: negative for what left the warehouse")
    unit_cost: JsonNumber | None
    reference_id: str | None
    moved_at: datetime
    notes: str | None
    project_id: int | None
    created_by_id: int | None
    created_at: datetime

    @classmethod
    def of_view(cls, view: MovementView, auth: AuthContext) -> Self:
        movement = view.movement
        return cls.of(
            movement,
            auth,
            stock_item_sku=view.stock_item_sku,
            stock_item_name=view.stock_item_name,
            warehouse_code=view.warehouse_code,
            warehouse_name=view.warehouse_name,
            quantity=from_milli(movement.quantity_milli),
            unit_cost=from_cents(movement.unit_cost_cents),
        )


class StockMovementList(BaseModel):
    movements: list[StockMovementRead]
    pagination: PaginationRead


class StockMovementCreated(BaseModel):
    message: str
    movement: StockMovementRead
    quantity_on_hand: JsonNumber = Field(
        description="The item's quantity in this warehouse after the movement"
    )


# --- transfers -------------------------------------------------------------------------------


class StockTransferCreate(StrictModel):
    stock_item_id: IdField
    from_warehouse_id: IdField
    to_warehouse_id: IdField
    quantity: Quantity
    notes: Text | None = None

    @model_validator(mode="after")
    def _two_warehouses(self) -> Self:
        if self.from_warehouse_id == self.to_warehouse_id:
            raise ValueError("from_warehouse_id and to_warehouse_id must differ")
        return self


class StockTransferRead(BaseModel):
    reference_id: str
    moved_at: datetime
    stock_item_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    quantity: JsonNumber
    notes: str | None
    movement_ids: list[int] = Field(description="The out movement, then the in movement")

    @classmethod
    def of_row(cls, row: TransferRow) -> Self:
        return cls(**_transfer_fields(row.out, row.to_warehouse_id, row.in_movement_id))

    @classmethod
    def of_pair(cls, out: StockMovement, incoming: StockMovement, **extra: object) -> Self:
        return cls.model_validate(
            {**_transfer_fields(out, incoming.warehouse_id, incoming.id), **extra}
        )


def _transfer_fields(out: StockMovement, to_warehouse_id: int, in_id: int) -> dict[str, Any]:
    return {
        "reference_id": out.reference_id,
        "moved_at": out.moved_at,
        "stock_item_id": out.stock_item_id,
        "from_warehouse_id": out.warehouse_id,
        "to_warehouse_id": to_warehouse_id,
        "quantity": from_milli(-out.quantity_milli),
        "notes": out.notes,
        "movement_ids": [out.id, in_id],
    }


class StockTransferDetailRead(StockTransferRead):
    movements: list[StockMovementRead] = Field(description="transfer_out, then transfer_in")


class StockTransferList(BaseModel):
    transfers: list[StockTransferRead]
    pagination: PaginationRead


class StockTransferAnswer(BaseModel):
    transfer: StockTransferDetailRead


class StockTransferCreated(BaseModel):
    message: str
    reference_id: str
    transfers: list[StockMovementRead] = Field(description="transfer_out, then transfer_in")
