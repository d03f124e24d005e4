"""Mounts every domain router under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.account.router import router as account_router
from clocktower.api_token.router import router as api_token_router
from clocktower.audit.router import router as audit_router
from clocktower.email.router import router as email_router
from clocktower.organization.router import router as organization_router
from clocktower.role.router import router as role_router
from clocktower.setting.router import router as setting_router
from clocktower.system.router import router as system_router
from clocktower.team.router import router as team_router
from clocktower.user.router import router as user_router

api_router = APIRouter(prefix="/api/v1")
for domain_router in (
    system_router,
    account_router,
    organization_router,
    team_router,
    user_router,
    role_router,
    api_token_router,
    setting_router,
    audit_router,
    email_router,
):
    api_router.include_router(domain_router)

# Routes outside /api/v1 (the first-run page); the web package fills it.
public_router = APIRouter()
