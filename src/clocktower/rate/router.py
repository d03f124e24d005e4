"""Hourly rates (S4.1) over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/rates", tags=["rates"], route_class=AppRoute)
