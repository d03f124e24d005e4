"""Mounts every domain router under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.account.router import router as account_router
from clocktower.system.router import router as system_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(system_router)
api_router.include_router(account_router)

# Routes outside /api/v1 (metrics, first-run page).
public_router = APIRouter()
