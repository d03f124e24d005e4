"""Leads over HTTP: parse, authorise, call one service function.

`POST /leads` is public on purpose: a marketing site's contact form posts to it with its
form's public key. It is rate limited per address and carries a honeypot field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import PublicRateLimit, authorized, client_ip
from clocktower.client.schemas import ClientDetailRead
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.kit.ids import IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.lead import service as lead_service
from clocktower.lead.errors import LeadAlreadyConverted, LeadFormNotFound, LeadNotFound
from clocktower.lead.schemas import (
    LeadAnswer,
    LeadConvert,
    LeadConverted,
    LeadFormCreate,
    LeadFormCreated,
    LeadFormList,
    LeadFormRead,
    LeadList,
    LeadRead,
    LeadStatus,
    LeadSubmission,
    LeadUpdate,
    Message,
)
from clocktower.organization.errors import OrganizationNotFound
from clocktower.routing import AppRoute

router = APIRouter(prefix="/leads", tags=["leads"], route_class=AppRoute)

LeadsList = Annotated[AuthContext, authorized("client.fetch.many")]
LeadsUpdate = Annotated[AuthContext, authorized("client.update")]
LeadsConvert = Annotated[AuthContext, authorized("client.create")]
FormsManage = Annotated[AuthContext, authorized("client.create")]

THANK_YOU = "Thank you, we will be in touch"


@router.post(
    "",
    status_code=202,
    dependencies=[Depends(PublicRateLimit("leads"))],
    responses=error_responses(LeadFormNotFound),
)
async def submit_lead(data: LeadSubmission, request: Request, session: DbSession) -> Message:
    """A marketing site's contact form (seed 000 POST /api/leads); no sign-in."""
    submitter = lead_service.Submitter(
        ip_address=client_ip(request),
        user_agent=(request.headers.get("user-agent") or "")[:500] or None,
    )
    await lead_service.submit_lead(session, data, submitter)
    return Message(message=THANK_YOU)


@router.get("")
async def list_leads(
    auth: LeadsList,
    session: DbSession,
    page: Pagination,
    status: Annotated[LeadStatus | None, Query(description="Only leads in this status")] = None,
) -> LeadList:
    """The organisation's leads, newest first."""
    found = await lead_service.list_leads(session, auth, status, page)
    return LeadList(
        leads=[LeadRead.of(lead, auth) for lead in found.items],
        pagination=PaginationRead.of(found),
    )


@router.get("/forms")
async def list_lead_forms(auth: FormsManage, session: DbSession) -> LeadFormList:
    """The organisation's lead forms and their public keys."""
    forms = await lead_service.list_lead_forms(session, auth)
    return LeadFormList(lead_forms=[LeadFormRead.of(form, auth) for form in forms])


@router.post("/forms", status_code=201)
async def create_lead_form(
    data: LeadFormCreate, auth: FormsManage, session: DbSession
) -> LeadFormCreated:
    """A form with a new public key for a marketing site to post leads with."""
    form = await lead_service.create_lead_form(session, auth, data)
    return LeadFormCreated(message="Lead form created", lead_form=LeadFormRead.of(form, auth))


@router.delete("/forms/{form_id}", responses=error_responses(LeadFormNotFound))
async def delete_lead_form(form_id: IdPath, auth: FormsManage, session: DbSession) -> Message:
    """Remove a form: its key stops accepting leads; its leads stay."""
    await lead_service.delete_lead_form(session, auth, form_id)
    return Message(message="Lead form deleted")


@router.patch("/{lead_id}", responses=error_responses(LeadNotFound, LeadAlreadyConverted))
async def update_lead(
    lead_id: IdPath, data: LeadUpdate, auth: LeadsUpdate, session: DbSession
) -> LeadAnswer:
    """Move a lead to new, contacted or discarded."""
    lead = await lead_service.update_lead(session, auth, lead_id, data)
    return LeadAnswer(message="Lead updated", lead=LeadRead.of(lead, auth))


@router.post(
    "/{lead_id}/convert",
    status_code=201,
    responses=error_responses(LeadNotFound, LeadAlreadyConverted, OrganizationNotFound),
)
async def convert_lead(
    lead_id: IdPath, auth: LeadsConvert, session: DbSession, data: LeadConvert | None = None
) -> LeadConverted:
    """Create a client (and its General Support project) from the lead."""
    conversion = await lead_service.convert_lead(session, auth, lead_id, data or LeadConvert())
    view = conversion.client
    client = ClientDetailRead.build_detail(view.client, view.projects_count, view.contacts, auth)
    return LeadConverted(
        message="Lead converted", lead=LeadRead.of(conversion.lead, auth), client=client
    )
