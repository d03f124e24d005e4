"""Projects over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/projects", tags=["projects"], route_class=AppRoute)
