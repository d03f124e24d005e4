"""Time bills (S4.2, seed 000) over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/time-bills", tags=["time bills"], route_class=AppRoute)
