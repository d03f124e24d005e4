"""Lead use cases: the public contact form, staff triage, conversion to a client, and the
forms whose public keys marketing sites post with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.client import service as client_service
from clocktower.client.schemas import ClientCreate
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token
from clocktower.lead.errors import LeadAlreadyConverted, LeadFormNotFound, LeadNotFound
from clocktower.lead.repository import LeadFormRepository, LeadRepository
from clocktower.lead.schemas import LeadConvert, LeadFormCreate, LeadSubmission, LeadUpdate
from clocktower.models import Lead, LeadForm

FORM_KEY_PREFIX = "lf_"


@dataclass(frozen=True)
class Submitter:
    ip_address: str | None
    user_agent: str | None


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    client: client_service.ClientView


async def submit_lead(
    session: AsyncSession, data: LeadSubmission, submitter: Submitter
) -> Lead | None:
    """Stores a lead in the form's organisation; a filled honeypot stores nothing.

    The bot gets the same answer as a person (the caller answers 202 either way), so it
    learns nothing about the trap.
    """
    if data.website:
        return None
    form = await LeadFormRepository(session).active_by_key(data.form_key)
    if form is None:
        raise LeadFormNotFound()
    lead = Lead(
        organization_id=form.organization_id,
        name=data.name,
        email=str(data.email).lower(),
        company=data.company,
        phone=data.phone,
        message=data.message,
        source=data.source or form.name,
        status="new",
        ip_address=submitter.ip_address,
        user_agent=submitter.user_agent,
    )
    session.add(lead)
    await session.flush()
    return lead


async def list_leads(
    session: AsyncSession, auth: AuthContext, status: str | None, params: PageParams
) -> Page[Lead]:
    repository = LeadRepository(session)
    return await repository.paginate(repository.listing(auth.org_id, status), params)


async def update_lead(
    session: AsyncSession, auth: AuthContext, lead_id: int, data: LeadUpdate
) -> Lead:
    lead = await _lead(session, auth, lead_id)
    if lead.status == "converted":
        raise LeadAlreadyConverted()
    lead.status = data.status
    await session.flush()
    return lead


async def convert_lead(
    session: AsyncSession, auth: AuthContext, lead_id: int, data: LeadConvert
) -> Conversion:
    """A client from the lead (with its General Support project), in one transaction."""
    lead = await LeadRepository(session).get_for_update(auth.org_id, lead_id)
    if lead is None:
        raise LeadNotFound()
    if lead.status == "converted":
        raise LeadAlreadyConverted()
    overrides = data.model_dump(exclude_unset=True)
    fields = {
        "name": lead.company or lead.name,
        "email": lead.email,
        "company": lead.company,
        "phone": lead.phone,
        **overrides,
    }
    view = await client_service.create_client(session, auth, ClientCreate.model_validate(fields))
    lead.status = "converted"
    lead.client_id = view.client.id
    lead.converted_at = utcnow()
    await session.flush()
    return Conversion(lead=lead, client=view)


async def list_lead_forms(session: AsyncSession, auth: AuthContext) -> Sequence[LeadForm]:
    return await LeadFormRepository(session).of_organization(auth.org_id)


async def create_lead_form(
    session: AsyncSession, auth: AuthContext, data: LeadFormCreate
) -> LeadForm:
    # Public by nature (it sits in the site's HTML), so kept in clear, unlike tokens.
    form = LeadForm(
        organization_id=auth.org_id,
        name=data.name,
        public_key=FORM_KEY_PREFIX + random_token(32),
        is_active=True,
    )
    session.add(form)
    await session.flush()
    return form


async def delete_lead_form(session: AsyncSession, auth: AuthContext, form_id: int) -> None:
    form = await LeadFormRepository(session).get(auth.org_id, form_id)
    if form is None:
        raise LeadFormNotFound()
    await session.delete(form)
    await session.flush()


async def _lead(session: AsyncSession, auth: AuthContext, lead_id: int) -> Lead:
    lead = await LeadRepository(session).get(auth.org_id, lead_id)
    if lead is None:
        raise LeadNotFound()
    return lead
