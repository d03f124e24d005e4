"""Users over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/users", tags=["users"], route_class=AppRoute)
