"""Quotes (S4.4, seed 002) over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/quotes", tags=["quotes"], route_class=AppRoute)
