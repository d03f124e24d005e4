"""Invoices (S4.3) over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/invoices", tags=["invoices"], route_class=AppRoute)
