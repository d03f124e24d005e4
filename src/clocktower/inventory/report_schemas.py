"""Answers of the four inventory reports (seed 002): valuation, turnover, low stock; the
movement history answers with the movement list."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from clocktower.kit.money import JsonNumber


class ValuationItem(BaseModel):
    stock_item_id: int
    sku: str
    name: str
    category: str | None
    unit: str
    currency_code: str
    unit_cost: JsonNumber
    quantity_on_hand: JsonNumber
    value: JsonNumber = Field(description="Sum of its stock levels' values (each rounded once)")


class ValuationByWarehouse(BaseModel):
    warehouse_id: int
    warehouse_name: str
    warehouse_code: str
    currency_code: str
    item_count: int
    value: JsonNumber


class ValuationByCategory(BaseModel):
    category: str | None
    currency_code: str
    item_count: int
    value: JsonNumber


class ValuationCurrencyTotal(BaseModel):
    currency_code: str
    value: JsonNumber


class ValuationReport(BaseModel):
    currency_code: str | None = Field(
        description="The one currency of the report; null when items of several are in it"
    )
    total_value: JsonNumber | None = Field(
        description="Sum of every item value; null when the report mixes currencies"
    )
    totals_by_currency: list[ValuationCurrencyTotal]
    by_warehouse: list[ValuationByWarehouse]
    by_category: list[ValuationByCategory]
    item_details: list[ValuationItem]


class TurnoverItem(BaseModel):
    stock_item_id: int
    sku: str
    name: str
    unit: str
    opening_quantity: JsonNumber = Field(description="On hand when the period starts")
    closing_quantity: JsonNumber = Field(description="On hand when the period ends")
    average_stock: JsonNumber = Field(description="(opening + closing) / 2, 3 decimals")
    units_received: JsonNumber
    units_issued: JsonNumber
    turnover_ratio: JsonNumber | None = Field(
        description="units_issued / average_stock, 2 decimals; null when average_stock <= 0"
    )
    days_of_inventory: JsonNumber | None = Field(
        description="period_days * average_stock / units_issued, 2 decimals; null when "
        "average_stock <= 0 or nothing was issued"
    )


class TurnoverReport(BaseModel):
    start_date: date
    end_date: date
    period_days: int
    items: list[TurnoverItem]


class LowStockItem(BaseModel):
    stock_item_id: int
    sku: str
    name: str
    category: str | None
    unit: str
    warehouse_id: int | None = Field(description="The warehouse asked about; null for all")
    warehouse_name: str | None
    quantity_on_hand: JsonNumber
    reorder_point: JsonNumber
    shortfall: JsonNumber = Field(description="reorder_point - quantity_on_hand")
    reorder_quantity: JsonNumber | None


class LowStockReport(BaseModel):
    warehouse_id: int | None
    items: list[LowStockItem]
