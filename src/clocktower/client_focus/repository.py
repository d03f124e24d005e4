"""Queries of members' client focus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func

from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.repository import TenantRepository
from clocktower.models import Client, ClientFocus, Membership, User


class FocusRepository(TenantRepository[ClientFocus]):
    model = ClientFocus

    async def of_user(self, organization_id: int, user_id: int) -> ClientFocus | None:
        return await self.one_or_none(
            self.in_organization(organization_id).where(ClientFocus.user_id == user_id)
        )

    def _with_people(self, organization_id: int) -> Select[Any]:
        """Focus rows joined to their users and clients. The membership join leaves out
        people who left the organisation (their row stays until they are deleted)."""
        return (
            self.in_organization(organization_id)
            .join(
                Membership,
                and_(
                    Membership.organization_id == ClientFocus.organization_id,
                    Membership.user_id == ClientFocus.user_id,
                ),
            )
            .join(User, User.id == ClientFocus.user_id)
            .join(
                Client,
                and_(
                    Client.id == ClientFocus.client_id,
                    Client.organization_id == ClientFocus.organization_id,
                ),
            )
            .add_columns(User, Client)
        )

    async def of_user_with_people(
        self, organization_id: int, user_id: int
    ) -> tuple[ClientFocus, User, Client] | None:
        found = await self.session.execute(
            self._with_people(organization_id).where(ClientFocus.user_id == user_id)
        )
        row = found.one_or_none()
        return None if row is None else (row[0], row[1], row[2])

    async def with_people_of(
        self, organization_id: int, ids: Sequence[int]
    ) -> list[tuple[ClientFocus, User, Client]]:
        """These focus rows with their people and clients, one statement (delta sync)."""
        found = await self.session.execute(
            self._with_people(organization_id).where(ClientFocus.id.in_(ids))
        )
        return [(focus, user, client) for focus, user, client in found.all()]

    async def page_with_people(
        self, organization_id: int, client_id: int | None, params: PageParams
    ) -> Page[tuple[ClientFocus, User, Client]]:
        """Two statements whatever the page size: the count, and the joined page."""
        statement = self._with_people(organization_id)
        if client_id is not None:
            statement = statement.where(ClientFocus.client_id == client_id)
        total = await self.count(statement)
        rows = await self.session.execute(
            statement.order_by(func.lower(User.name), ClientFocus.id)
            .limit(params.per_page)
            .offset(params.offset)
        )
        items = [(focus, user, client) for focus, user, client in rows.all()]
        return Page(items=items, total=total, params=params)
