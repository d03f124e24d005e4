"""Dashboards (S5.2, seed 002) over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="", tags=["dashboards"], route_class=AppRoute)
