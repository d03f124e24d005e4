"""Inventory (S4.5, seed 002) over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/inventory", tags=["inventory"], route_class=AppRoute)
