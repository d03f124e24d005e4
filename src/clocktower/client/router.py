"""Clients over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.client import service as client_service
from clocktower.client.errors import ClientNotFound, ContactNotFound
from clocktower.client.schemas import (
    ClientAnswer,
    ClientCreate,
    ClientCreated,
    ClientDetailRead,
    ClientFilter,
    ClientList,
    ClientRead,
    ClientUpdate,
    ClientUpdated,
    ContactAnswer,
    ContactCreate,
    ContactList,
    ContactRead,
    ContactUpdate,
    Message,
)
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.organization.errors import OrganizationNotFound
from clocktower.routing import AppRoute

router = APIRouter(prefix="/clients", tags=["clients"], route_class=AppRoute)

ClientsList = Annotated[AuthContext, authorized("client.fetch.many")]
ClientsRead = Annotated[AuthContext, authorized("client.fetch")]
ClientsCreate = Annotated[AuthContext, authorized("client.create")]
ClientsUpdate = Annotated[AuthContext, authorized("client.update")]
ClientsDelete = Annotated[AuthContext, authorized("client.delete")]


def _detail(view: client_service.ClientView, auth: AuthContext) -> ClientDetailRead:
    return ClientDetailRead.build_detail(view.client, view.projects_count, view.contacts, auth)


@router.get("")
async def list_clients(
    auth: ClientsList,
    session: DbSession,
    page: Pagination,
    active: Annotated[bool | None, Query(description="Only active (true) or archived")] = None,
    search: Annotated[
        str | None, Query(max_length=200, description="Name, email or company contains")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Alias of `search`")] = None,
    updated_since: Annotated[
        datetime | None,
        Query(description="Clients changed after this instant (ISO 8601; naive means UTC)"),
    ] = None,
) -> ClientList:
    """The organisation's clients by name (a customer sees only their own)."""
    found = await client_service.list_clients(
        session,
        auth,
        ClientFilter(active=active, search=search or q),
        page,
        updated_since=updated_since,
    )
    return ClientList(
        clients=[ClientRead.build(client, count, auth) for client, count in found.items],
        pagination=PaginationRead.of(found),
    )


@router.post("", status_code=201, responses=error_responses(OrganizationNotFound))
async def create_client(
    data: ClientCreate, auth: ClientsCreate, session: DbSession, _idempotency: Idempotent
) -> ClientCreated:
    """Create a client and its "General Support" project (unless switched off)."""
    view = await client_service.create_client(session, auth, data)
    return ClientCreated(message="Client created", client=_detail(view, auth))


@router.get("/{client_id}", responses=error_responses(ClientNotFound))
async def get_client(client_id: IdPath, auth: ClientsRead, session: DbSession) -> ClientAnswer:
    """A client with its contacts."""
    view = await client_service.get_client(session, auth, client_id)
    return ClientAnswer(client=_detail(view, auth))


@router.put("/{client_id}", responses=error_responses(ClientNotFound))
async def update_client(
    client_id: IdPath, data: ClientUpdate, auth: ClientsUpdate, session: DbSession
) -> ClientUpdated:
    """Change a client: only the fields sent change."""
    view = await client_service.update_client(session, auth, client_id, data)
    return ClientUpdated(message="Client updated", client=_detail(view, auth))


@router.patch("/{client_id}", responses=error_responses(ClientNotFound))
async def patch_client(
    client_id: IdPath, data: ClientUpdate, auth: ClientsUpdate, session: DbSession
) -> ClientUpdated:
    """Same as PUT: only the fields sent change."""
    view = await client_service.update_client(session, auth, client_id, data)
    return ClientUpdated(message="Client updated", client=_detail(view, auth))


@router.delete("/{client_id}", responses=error_responses(ClientNotFound))
async def delete_client(client_id: IdPath, auth: ClientsDelete, session: DbSession) -> Message:
    """Delete a client nothing refers to; archive one that has work recorded."""
    deleted = await client_service.delete_client(session, auth, client_id)
    return Message(message="Client deleted" if deleted else "Client archived")


@router.get("/{client_id}/contacts", responses=error_responses(ClientNotFound))
async def list_contacts(client_id: IdPath, auth: ClientsRead, session: DbSession) -> ContactList:
    """The client's contacts, primary first."""
    contacts = await client_service.list_contacts(session, auth, client_id)
    return ContactList(contacts=[ContactRead.of(contact, auth) for contact in contacts])


@router.post("/{client_id}/contacts", status_code=201, responses=error_responses(ClientNotFound))
async def create_contact(
    client_id: IdPath, data: ContactCreate, auth: ClientsUpdate, session: DbSession
) -> ContactAnswer:
    """Add a contact; a primary one makes the others non-primary."""
    contact = await client_service.create_contact(session, auth, client_id, data)
    return ContactAnswer(message="Contact created", contact=ContactRead.of(contact, auth))


@router.put(
    "/{client_id}/contacts/{contact_id}",
    responses=error_responses(ClientNotFound, ContactNotFound),
)
async def update_contact(
    client_id: IdPath,
    contact_id: IdPath,
    data: ContactUpdate,
    auth: ClientsUpdate,
    session: DbSession,
) -> ContactAnswer:
    """Change a contact: only the fields sent change."""
    contact = await client_service.update_contact(session, auth, client_id, contact_id, data)
    return ContactAnswer(message="Contact updated", contact=ContactRead.of(contact, auth))


@router.patch(
    "/{client_id}/contacts/{contact_id}",
    responses=error_responses(ClientNotFound, ContactNotFound),
)
async def patch_contact(
    client_id: IdPath,
    contact_id: IdPath,
    data: ContactUpdate,
    auth: ClientsUpdate,
    session: DbSession,
) -> ContactAnswer:
    """Same as PUT: only the fields sent change."""
    contact = await client_service.update_contact(session, auth, client_id, contact_id, data)
    return ContactAnswer(message="Contact updated", contact=ContactRead.of(contact, auth))


@router.delete(
    "/{client_id}/contacts/{contact_id}",
    responses=error_responses(ClientNotFound, ContactNotFound),
)
async def delete_contact(
    client_id: IdPath, contact_id: IdPath, auth: ClientsUpdate, session: DbSession
) -> Message:
    """Remove a contact."""
    await client_service.delete_contact(session, auth, client_id, contact_id)
    return Message(message="Contact deleted")
