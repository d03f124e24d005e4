"""Clients over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.routing import AppRoute

router = APIRouter(prefix="/clients", tags=["clients"], route_class=AppRoute)
