"""The organisation's logo over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/settings/logo", tags=["settings"], route_class=AppRoute)
