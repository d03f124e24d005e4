"""Organizations over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from clocktower.account.schemas import Message, OrganizationSummary
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import Authorize, authorized
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.idempotency import Idempotent
from clocktower.kit.ids import IdPath
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.organization import service as organization_service
from clocktower.organization.errors import OrganizationNotFound, OwnerOnly
from clocktower.organization.schemas import (
    OrganizationAnswer,
    OrganizationCreate,
    OrganizationCreated,
    OrganizationList,
    OrganizationMembershipRead,
    OrganizationRead,
    OrganizationSwitched,
    OrganizationUpdate,
    OrganizationUpdated,
)
from clocktower.routing import AppRoute

router = APIRouter(prefix="/organizations", tags=["organizations"], route_class=AppRoute)


class AuthorizeInPathOrganization(Authorize):
    """Authenticates and names the node (OpenAPI `x-permissions`); checks nothing else.

    The node is checked by the service against the caller's roles in the organisation of
    the path, which need not be the request's organisation: checking it here, against the
    current organisation, would refuse an owner of B whose current organisation is A.
    """

    def __init__(self, permission: str) -> None:
        super().__init__(permission, tenant=False)

    async def __call__(
        self, request: Request, response: Response, session: DbSession
    ) -> AuthContext:
        return await Authorize(tenant=False)(request, response, session)


# Ids past BIGINT would reach the database as an overflow error; refuse them as input.
OrganizationId = IdPath

OrganizationsList = Annotated[AuthContext, authorized("organization.list", tenant=False)]
OrganizationsCreate = Annotated[AuthContext, authorized("organization.create", tenant=False)]
OrganizationFetch = Annotated[
    AuthContext, Depends(AuthorizeInPathOrganization("organization.fetch"))
]
OrganizationUpdateAuth = Annotated[
    AuthContext, Depends(AuthorizeInPathOrganization("organization.update"))
]
OrganizationDelete = Annotated[
    AuthContext, Depends(AuthorizeInPathOrganization("organization.delete"))
]
OrganizationSwitch = Annotated[AuthContext, authorized("organization.switch", tenant=False)]


@router.get("")
async def list_organizations(
    auth: OrganizationsList, session: DbSession, pagination: Pagination
) -> OrganizationList:
    """The organisations you belong to, with your role in each (seed 003)."""
    page = await organization_service.list_organizations(session, auth, pagination)
    return OrganizationList(
        organizations=[
            OrganizationMembershipRead(
                id=item.organization.id,
                name=item.organization.name,
                slug=item.organization.slug,
                role=item.role,
                is_current=item.is_current,
            )
            for item in page.items
        ],
        pagination=PaginationRead.of(page),
    )


@router.post("", status_code=201)
async def create_organization(
    data: OrganizationCreate, auth: OrganizationsCreate, session: DbSession, _key: Idempotent
) -> OrganizationCreated:
    """Found an organisation: you become its owner and switch to it."""
    organization = await organization_service.create_organization(session, auth, data)
    # The creator owns it and sees every field, whatever their current organisation gates.
    return OrganizationCreated(
        message="Organization created", organization=OrganizationRead.of(organization, None)
    )


@router.get("/{organization_id}", responses=error_responses(OrganizationNotFound))
async def get_organization(
    organization_id: OrganizationId, auth: OrganizationFetch, session: DbSession
) -> OrganizationAnswer:
    organization, context = await organization_service.get_organization(
        session, auth, organization_id
    )
    return OrganizationAnswer(organization=OrganizationRead.of(organization, context))


@router.put("/{organization_id}", responses=error_responses(OrganizationNotFound))
@router.patch("/{organization_id}", responses=error_responses(OrganizationNotFound))
async def update_organization(
    organization_id: OrganizationId,
    data: OrganizationUpdate,
    auth: OrganizationUpdateAuth,
    session: DbSession,
) -> OrganizationUpdated:
    """Change the fields sent; PUT and PATCH are both partial."""
    organization, context = await organization_service.update_organization(
        session, auth, organization_id, data
    )
    return OrganizationUpdated(
        message="Organization updated", organization=OrganizationRead.of(organization, context)
    )


@router.delete("/{organization_id}", responses=error_responses(OrganizationNotFound, OwnerOnly))
async def delete_organization(
    organization_id: OrganizationId, auth: OrganizationDelete, session: DbSession
) -> Message:
    """Owners only: the organisation and all of its data are deleted."""
    organization = await organization_service.delete_organization(session, auth, organization_id)
    return Message(message=f"Organization {organization.name} deleted")


@router.post("/{organization_id}/switch", responses=error_responses(OrganizationNotFound))
async def switch_organization(
    organization_id: OrganizationId, auth: OrganizationSwitch, session: DbSession
) -> OrganizationSwitched:
    """Make this your current organisation (seed 003)."""
    organization = await organization_service.switch_organization(session, auth, organization_id)
    return OrganizationSwitched(
        message=f"Switched to {organization.name}",
        organization=OrganizationSummary.model_validate(organization),
    )
