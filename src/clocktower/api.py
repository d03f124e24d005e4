"""Mounts every domain router under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from clocktower.account.router import preferences_router
from clocktower.account.router import router as account_router
from clocktower.api_token.router import router as api_token_router
from clocktower.audit.router import router as audit_router
from clocktower.branding.router import router as branding_router
from clocktower.client.router import router as client_router
from clocktower.client_focus.router import router as client_focus_router
from clocktower.client_portal.router import router as client_portal_router
from clocktower.dashboard.router import router as dashboard_router
from clocktower.email.router import router as email_router
from clocktower.focus_session.router import router as focus_session_router
from clocktower.integrations.oidc.router import router as sso_router
from clocktower.inventory.router import router as inventory_router
from clocktower.invoice.router import router as invoice_router
from clocktower.lead.router import router as lead_router
from clocktower.live.router import router as live_router
from clocktower.organization.router import router as organization_router
from clocktower.project.router import router as project_router
from clocktower.quote.router import router as quote_router
from clocktower.rate.router import router as rate_router
from clocktower.report.router import router as report_router
from clocktower.role.router import permission_router
from clocktower.role.router import router as role_router
from clocktower.search.router import router as search_router
from clocktower.setting.router import router as setting_router
from clocktower.suggestion.router import router as suggestion_router
from clocktower.sync.router import router as sync_router
from clocktower.system.router import router as system_router
from clocktower.task.router import router as task_router
from clocktower.team.router import invitation_router
from clocktower.team.router import router as team_router
from clocktower.time_bill.router import router as time_bill_router
from clocktower.time_block.router import router as time_block_router
from clocktower.time_entry.router import router as time_entry_router
from clocktower.time_entry_io.router import router as time_entry_io_router
from clocktower.timer.router import router as timer_router
from clocktower.user.router import router as user_router
from clocktower.web.router import router as web_router
from clocktower.webhook.router import router as webhook_router

api_router = APIRouter(prefix="/api/v1")
for domain_router in (
    system_router,
    account_router,
    sso_router,
    preferences_router,
    organization_router,
    team_router,
    invitation_router,
    user_router,
    role_router,
    permission_router,
    api_token_router,
    setting_router,
    branding_router,
    audit_router,
    email_router,
    client_router,
    client_portal_router,
    client_focus_router,
    lead_router,
    project_router,
    task_router,
    # Before time_entry_router: /time-entries/export must not be read as an entry id.
    time_entry_io_router,
    time_entry_router,
    timer_router,
    focus_session_router,
    time_block_router,
    search_router,
    suggestion_router,
    rate_router,
    time_bill_router,
    invoice_router,
    quote_router,
    inventory_router,
    report_router,
    dashboard_router,
    webhook_router,
    live_router,
    sync_router,
):
    api_router.include_router(domain_router)

# Routes outside /api/v1: the server-rendered pages (first-run setup).
public_router = APIRouter()
public_router.include_router(web_router)
