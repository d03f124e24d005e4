"""Queries of organisations, memberships and roles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import selectinload

from clocktower.kit.repository import Repository, TenantRepository
from clocktower.models import (
    Client,
    FocusSession,
    Invoice,
    Membership,
    Organization,
    Project,
    Quote,
    Role,
    StockMovement,
    Task,
    TimeBill,
    TimeEntry,
    User,
)

_MAX_ID_DIGITS = 18


class OrganizationRepository(Repository[Organization]):
    model = Organization

    async def get(self, organization_id: int) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    async def lock(self, organization_id: int) -> None:
        """Serialise competing writers of one organisation (a row lock on PostgreSQL;
        SQLite's write transactions are serial already)."""
        await self.session.execute(
            select(Organization.id).where(Organization.id == organization_id).with_for_update()
        )

    async def slug_taken(self, slug: str) -> bool:
        found = await self.session.execute(select(Organization.id).where(Organization.slug == slug))
        return found.first() is not None

    def of_user(
        self, user_id: int, *, only_organization_id: int | None = None
    ) -> Select[Organization]:
        statement = (
            select(Organization)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user_id)
            .order_by(Organization.name, Organization.id)
        )
        if only_organization_id is not None:
            statement = statement.where(Organization.id == only_organization_id)
        return statement

    async def move_current_members_away(self, organization_id: int) -> None:
        """Users whose current organisation this is move to another of theirs (or none)."""
        other = (
            select(Membership.organization_id)
            .where(
                Membership.user_id == User.id,
                Membership.organization_id != organization_id,
            )
            .order_by(Membership.joined_at, Membership.id)
            .limit(1)
            .scalar_subquery()
        )
        await self.session.execute(
            update(User)
            .where(User.current_organization_id == organization_id)
            .values(current_organization_id=other)
            .execution_options(synchronize_session=False)
        )

    async def delete(self, organization_id: int) -> None:
        """The rows that others refer to with RESTRICT go first, referrers before what
        they refer to; then the organisation, and the database cascades to the rest.
        (SQLite applies RESTRICT at once inside a cascade, in whatever order it visits
        the children, so one cascading statement could refuse itself.)"""
        for model in _RESTRICTED_ORDER:
            await self.session.execute(
                delete(model)
                .where(model.organization_id == organization_id)
                .execution_options(synchronize_session=False)
            )
        await self.session.execute(
            delete(Organization)
            .where(Organization.id == organization_id)
            .execution_options(synchronize_session=False)
        )


# Every tenant table that is the target or the source of an ON DELETE RESTRICT key, in an
# order where nothing is deleted while something still refers to it.
_RESTRICTED_ORDER: tuple[type[Any], ...] = (
    StockMovement,
    FocusSession,
    TimeEntry,
    TimeBill,
    Invoice,
    Quote,
    Task,
    Project,
    Client,
)


class MembershipRepository(TenantRepository[Membership]):
    model = Membership

    def with_roles(self, organization_id: int) -> Select[Membership]:
        return self.in_organization(organization_id).options(
            selectinload(Membership.roles), selectinload(Membership.user)
        )

    async def of_user(self, organization_id: int, user_id: int) -> Membership | None:
        return await self.one_or_none(
            self.with_roles(organization_id).where(Membership.user_id == user_id)
        )

    def listing(self, organization_id: int) -> Select[Membership]:
        """The team, oldest members first, with users and roles loaded."""
        return self.with_roles(organization_id).order_by(Membership.joined_at, Membership.id)

    async def by_email(self, organization_id: int, email: str) -> Membership | None:
        return await self.one_or_none(
            self.in_organization(organization_id)
            .join(User, User.id == Membership.user_id)
            .where(func.lower(User.email) == email.lower())
        )

    async def of_user_in(
        self, user_id: int, organization_ids: Sequence[int]
    ) -> Sequence[Membership]:
        """The user's memberships (with roles) in the given organisations."""
        if not organization_ids:
            return []
        return await self.all(
            select(Membership)
            .where(
                Membership.user_id == user_id,
                Membership.organization_id.in_(organization_ids),
            )
            .options(selectinload(Membership.roles))
        )

    async def memberships_of_user(self, user_id: int) -> Sequence[Membership]:
        return await self.all(
            select(Membership)
            .where(Membership.user_id == user_id)
            .options(selectinload(Membership.roles))
        )


class RoleRepository(TenantRepository[Role]):
    model = Role

    async def by_moniker(self, organization_id: int, moniker: str) -> Role | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(Role.moniker == moniker)
        )

    async def by_identifier(self, organization_id: int, identifier: str) -> Role | None:
        """Seed 004 names roles by id or by moniker."""
        # More digits than a BIGINT holds would reach PostgreSQL as an overflow error.
        if identifier.isascii() and identifier.isdigit() and len(identifier) <= _MAX_ID_DIGITS:
            found = await self.get(organization_id, int(identifier))
            if found is not None:
                return found
        return await self.by_moniker(organization_id, identifier)
