"""Client use cases: list, read, create (with its General Support project), change,
archive or delete, and the client's contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.client.errors import ClientNotFound, ContactNotFound
from clocktower.client.repository import ClientRepository, ContactRepository
from clocktower.client.schemas import (
    ClientCreate,
    ClientFilter,
    ClientUpdate,
    ContactCreate,
    ContactUpdate,
)
from clocktower.kit.money import to_cents
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import as_utc
from clocktower.models import Client, ClientContact, Project
from clocktower.organization.errors import OrganizationNotFound
from clocktower.organization.repository import OrganizationRepository
from clocktower.setting.schemas import OrganizationSettings

GENERAL_SUPPORT = "General Support"


@dataclass(frozen=True)
class ClientView:
    """A client with what its answer shows beyond its columns."""

    client: Client
    projects_count: int
    contacts: Sequence[ClientContact]


async def list_clients(
    session: AsyncSession,
    auth: AuthContext,
    filters: ClientFilter,
    params: PageParams,
    *,
    updated_since: datetime | None = None,
) -> Page[tuple[Client, int]]:
    """`updated_since` is seed 000's lastSyncTimestamp: naive means UTC."""
    return await ClientRepository(session).page_with_counts(
        auth.org_id,
        auth.client_id,
        filters,
        params,
        updated_since=as_utc(updated_since) if updated_since is not None else None,
    )


async def get_client(session: AsyncSession, auth: AuthContext, client_id: int) -> ClientView:
    return await _view(session, auth, await _visible_client(session, auth, client_id))


async def create_client(session: AsyncSession, auth: AuthContext, data: ClientCreate) -> ClientView:
    """The client and, unless the organisation switched it off, its General Support
    project (seed 000), in the request's transaction."""
    fields = data.model_dump(exclude={"default_hourly_rate"})
    client = Client(
        organization_id=auth.org_id,
        default_hourly_rate_cents=to_cents(data.default_hourly_rate),
        **fields,
    )
    session.add(client)
    await session.flush()
    if await _creates_general_support(session, auth.org_id):
        session.add(
            Project(
                organization_id=auth.org_id,
                client_id=client.id,
                name=GENERAL_SUPPORT,
                status="active",
                is_default_for_client=True,
                billable=True,
            )
        )
        await session.flush()
    return await _view(session, auth, client)


async def update_client(
    session: AsyncSession, auth: AuthContext, client_id: int, data: ClientUpdate
) -> ClientView:
    client = await _visible_client(session, auth, client_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "default_hourly_rate" in changes:
        changes["default_hourly_rate_cents"] = to_cents(changes.pop("default_hourly_rate"))
    for name, value in changes.items():
        setattr(client, name, value)
    await session.flush()
    return await _view(session, auth, client)


async def delete_client(session: AsyncSession, auth: AuthContext, client_id: int) -> bool:
    """Archives a client anything refers to; deletes one nothing does. True if deleted."""
    client = await _visible_client(session, auth, client_id)
    repository = ClientRepository(session)
    if await repository.is_referenced(auth.org_id, client.id):
        client.is_active = False
        await session.flush()
        return False
    # Only untouched General Support projects are left: they go with their client, and
    # so does anyone's focus on it (deleted here, not by the cascade, so sync sees it).
    for project in await repository.projects_of(auth.org_id, client.id):
        await session.delete(project)
    for focus in await repository.focus_on(auth.org_id, client.id):
        await session.delete(focus)
    await session.flush()
    await session.delete(client)
    await session.flush()
    return True


# --- contacts -------------------------------------------------------------------------------


async def list_contacts(
    session: AsyncSession, auth: AuthContext, client_id: int
) -> Sequence[ClientContact]:
    client = await _visible_client(session, auth, client_id)
    return await ContactRepository(session).of_client(auth.org_id, client.id)


async def create_contact(
    session: AsyncSession, auth: AuthContext, client_id: int, data: ContactCreate
) -> ClientContact:
    client = await _visible_client(session, auth, client_id)
    contact = ClientContact(organization_id=auth.org_id, client_id=client.id, **data.model_dump())
    session.add(contact)
    await session.flush()
    if contact.is_primary:
        await _only_primary(session, auth, contact)
    return contact


async def update_contact(
    session: AsyncSession, auth: AuthContext, client_id: int, contact_id: int, data: ContactUpdate
) -> ClientContact:
    contact = await _contact(session, auth, client_id, contact_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(contact, name, value)
    await session.flush()
    if contact.is_primary:
        await _only_primary(session, auth, contact)
    return contact


async def delete_contact(
    session: AsyncSession, auth: AuthContext, client_id: int, contact_id: int
) -> None:
    contact = await _contact(session, auth, client_id, contact_id)
    await session.delete(contact)
    await session.flush()


# --- helpers --------------------------------------------------------------------------------


async def _visible_client(session: AsyncSession, auth: AuthContext, client_id: int) -> Client:
    """Another organisation's client, or another client for a customer, is not found."""
    client = await ClientRepository(session).get_visible(auth.org_id, auth.client_id, client_id)
    if client is None:
        raise ClientNotFound()
    return client


async def _contact(
    session: AsyncSession, auth: AuthContext, client_id: int, contact_id: int
) -> ClientContact:
    client = await _visible_client(session, auth, client_id)
    contact = await ContactRepository(session).get_of_client(auth.org_id, client.id, contact_id)
    if contact is None:
        raise ContactNotFound()
    return contact


async def _only_primary(session: AsyncSession, auth: AuthContext, primary: ClientContact) -> None:
    # ORM updates (not one bulk UPDATE) so each change reaches the audit log.
    for other in await ContactRepository(session).of_client(auth.org_id, primary.client_id):
        if other.id != primary.id and other.is_primary:
            other.is_primary = False
    await session.flush()


async def _creates_general_support(session: AsyncSession, organization_id: int) -> bool:
    organization = await OrganizationRepository(session).get(organization_id)
    if organization is None:  # deleted while the request was in flight
        raise OrganizationNotFound()
    return OrganizationSettings.of(organization).auto_create_general_support_project


async def _view(session: AsyncSession, auth: AuthContext, client: Client) -> ClientView:
    return ClientView(
        client=client,
        projects_count=await ClientRepository(session).projects_count(auth.org_id, client.id),
        contacts=await ContactRepository(session).of_client(auth.org_id, client.id),
    )
