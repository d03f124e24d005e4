"""Organisation use cases."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import AuditActor, primary_role, role_grants
from clocktower.auth.permissions import BUILTIN_ROLES, PermissionSet
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.random import short_suffix
from clocktower.kit.slug import slugify
from clocktower.kit.time import utcnow
from clocktower.models import Membership, Organization, Role, User
from clocktower.organization.errors import OrganizationNotFound, OwnerOnly
from clocktower.organization.membership import OWNER
from clocktower.organization.repository import MembershipRepository, OrganizationRepository
from clocktower.organization.schemas import OrganizationCreate, OrganizationUpdate

DEFAULT_CURRENCY = "EUR"


async def unique_slug(session: AsyncSession, name: str) -> str:
    repository = OrganizationRepository(session)
    base = slugify(name)
    slug = base
    while await repository.slug_taken(slug):
        slug = f"{base[:52]}-{short_suffix()}"
    return slug


async def create_organization_for(
    session: AsyncSession,
    user: User,
    *,
    name: str,
    timezone: str = "UTC",
    currency: str = DEFAULT_CURRENCY,
) -> Organization:
    """A new organisation with its built-in roles, owned by `user`, who switches to it."""
    organization = Organization(
        name=name,
        slug=await unique_slug(session, name),
        timezone=timezone,
        currency=currency,
        owner_id=user.id,
        settings={},
    )
    session.add(organization)
    await session.flush()
    roles = {
        moniker: Role(
            organization_id=organization.id,
            title=title,
            moniker=moniker,
            description=description,
            permissions=list(permissions),
            is_builtin=True,
        )
        for moniker, (title, description, permissions) in BUILTIN_ROLES.items()
    }
    session.add_all(roles.values())
    await session.flush()
    await add_member(session, organization, user, roles["owner"])
    user.current_organization_id = organization.id
    await session.flush()
    return organization


async def add_member(
    session: AsyncSession,
    organization: Organization,
    user: User,
    role: Role,
    *,
    client_id: int | None = None,
) -> Membership:
    membership = Membership(
        organization_id=organization.id,
        user_id=user.id,
        client_id=client_id,
        permissions=[],
        joined_at=utcnow(),
    )
    membership.roles = [role]
    session.add(membership)
    await session.flush()
    return membership


# --- the caller's organisations ------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationMembership:
    organization: Organization
    role: str
    is_current: bool


def _grants(membership: Membership) -> PermissionSet:
    grants: list[str] = []
    for role in membership.roles:
        grants.extend(role_grants(role))
    grants.extend(membership.permissions)
    return PermissionSet(grants)


async def context_in(session: AsyncSession, auth: AuthContext, organization_id: int) -> AuthContext:
    """The caller as a member of `organization_id` (their roles there, the token's scopes).

    Routes that name an organisation in the path use this instead of the request's
    organisation, so an owner of B whose current organisation is A can still manage B.
    Not a member, or an API token of another organisation: 404, as if it did not exist.
    """
    if auth.organization_id == organization_id:
        return auth
    if auth.api_token_id is not None:
        raise OrganizationNotFound()
    membership = await MembershipRepository(session).of_user(organization_id, auth.user_id)
    if membership is None:
        raise OrganizationNotFound()
    return replace(
        auth,
        organization_id=organization_id,
        membership_id=membership.id,
        roles=tuple(role.moniker for role in membership.roles),
        grants=_grants(membership),
        client_id=membership.client_id,
    )


async def _organization_as(
    session: AsyncSession, auth: AuthContext, organization_id: int, node: str
) -> tuple[Organization, AuthContext]:
    context = await context_in(session, auth, organization_id)
    context.require(node)
    organization = await OrganizationRepository(session).get(organization_id)
    if organization is None:
        raise OrganizationNotFound()
    return organization, context


async def list_organizations(
    session: AsyncSession, auth: AuthContext, params: PageParams
) -> Page[OrganizationMembership]:
    """The caller's organisations; an API token sees only its own."""
    organizations = OrganizationRepository(session)
    only = auth.organization_id if auth.api_token_id is not None else None
    page = await organizations.paginate(
        organizations.of_user(auth.user_id, only_organization_id=only), params
    )
    memberships = await MembershipRepository(session).of_user_in(
        auth.user_id, [organization.id for organization in page.items]
    )
    monikers = {m.organization_id: [role.moniker for role in m.roles] for m in memberships}
    current = auth.user.current_organization_id
    return Page(
        items=[
            OrganizationMembership(
                organization=organization,
                role=primary_role(monikers.get(organization.id, [])),
                is_current=organization.id == current,
            )
            for organization in page.items
        ],
        total=page.total,
        params=params,
    )


async def create_organization(
    session: AsyncSession, auth: AuthContext, data: OrganizationCreate
) -> Organization:
    """The caller founds an organisation, owns it and switches to it."""
    return await create_organization_for(
        session,
        auth.user,
        name=data.name,
        timezone=data.timezone or auth.user.timezone,
        currency=data.currency or DEFAULT_CURRENCY,
    )


async def get_organization(
    session: AsyncSession, auth: AuthContext, organization_id: int
) -> tuple[Organization, AuthContext]:
    """The organisation and the caller's context in it (its fields are gated by that)."""
    return await _organization_as(session, auth, organization_id, "organization.fetch")


async def update_organization(
    session: AsyncSession, auth: AuthContext, organization_id: int, data: OrganizationUpdate
) -> tuple[Organization, AuthContext]:
    organization, context = await _organization_as(
        session, auth, organization_id, "organization.update"
    )
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(organization, field, value)
    await session.flush()
    return organization, context


async def delete_organization(
    session: AsyncSession, auth: AuthContext, organization_id: int
) -> Organization:
    """Owners only. Every row of the organisation goes with it (foreign-key cascades)."""
    organization, context = await _organization_as(
        session, auth, organization_id, "organization.delete"
    )
    if OWNER not in context.roles:
        raise OwnerOnly("Only an owner can delete the organisation")
    repository = OrganizationRepository(session)
    await repository.move_current_members_away(organization_id)
    await repository.delete(organization_id)
    # Bulk statements bypass the identity map: reload what this request still holds.
    await session.refresh(auth.user, ["current_organization_id"])
    _detach_audit_actor_from(session, organization_id)
    await record_event(
        session,
        "organization.delete",
        organization_id=None,
        object_type="organization",
        object_id=organization_id,
        details={"name": organization.name, "slug": organization.slug},
    )
    return organization


def _detach_audit_actor_from(session: AsyncSession, organization_id: int) -> None:
    """Audit rows written after the delete must not name the deleted organisation.

    The audit log files a row under the request's organisation when the object has none;
    a row naming the deleted one would violate its foreign key at the next flush.
    """
    actor: AuditActor | None = session.info.get("audit_actor")
    if actor is not None and actor.organization_id == organization_id:
        session.info["audit_actor"] = replace(actor, organization_id=None)


async def switch_organization(
    session: AsyncSession, auth: AuthContext, organization_id: int
) -> Organization:
    """Make the organisation the caller's current one (seed 003)."""
    organization, _context = await _organization_as(
        session, auth, organization_id, "organization.switch"
    )
    auth.user.current_organization_id = organization.id
    await session.flush()
    return organization
