"""Reports (S5.1, S5.4) over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/reports", tags=["reports"], route_class=AppRoute)
