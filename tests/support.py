"""Test helpers: an HTTP client that signs in for real, and members of organisations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from clocktower.account import sessions
from clocktower.config import Settings
from clocktower.kit.time import utcnow
from clocktower.kit.tokens import random_token, sha256_hex
from clocktower.models import ApiToken, Client, Membership, Organization, Role, User
from clocktower.organization.repository import RoleRepository
from clocktower.organization.service import add_member, create_organization_for

# Hashing argon2id for every test user would dominate the suite; users made by the
# factories share this precomputed hash of PASSWORD. Sign-in tests use it for real.
PASSWORD = "correct horse battery staple"


@dataclass
class Member:
    user: User
    organization: Organization
    membership: Membership
    token: str
    refresh_token: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.user.id


class Api:
    """`api.as_(member).get(...)`: requests signed in as someone; `api.get(...)`: anonymous."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def as_(self, who: Member | str, **extra_headers: str) -> _SignedIn:
        token = who if isinstance(who, str) else who.token
        return _SignedIn(self.client, {"Authorization": f"Bearer {token}", **extra_headers})

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, url, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.put(url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.patch(url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.delete(url, **kwargs)


class _SignedIn:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)


class Factory:
    """Creates users, organisations and members through the service layer."""

    def __init__(self, session: AsyncSession, settings: Settings, password_hash: str) -> None:
        self.session = session
        self.settings = settings
        self.password_hash = password_hash
        self._counter = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    async def user(
        self, *, name: str | None = None, email: str | None = None, **fields: Any
    ) -> User:
        number = self._next()
        user = User(
            name=name or f"User {number}",
            email=(email or f"user{number}-{id(self) % 10_000}@example.com").lower(),
            password_hash=self.password_hash,
            **fields,
        )
        self.session.add(user)
        await self.session.flush()
        return user

    async def client(self, organization: Organization, *, name: str | None = None) -> Client:
        client = Client(organization_id=organization.id, name=name or f"Client {self._next()}")
        self.session.add(client)
        await self.session.commit()
        return client

    async def organization(self, owner: User | None = None, *, name: str | None = None) -> Member:
        """A new organisation; returns its owner as a signed-in Member."""
        owner = owner or await self.user()
        organization = await create_organization_for(
            self.session, owner, name=name or f"Organisation {self._next()}"
        )
        membership = (
            await self.session.execute(
                Membership.__table__.select().where(
                    Membership.organization_id == organization.id,
                    Membership.user_id == owner.id,
                )
            )
        ).first()
        assert membership is not None
        member_row = await self.session.get(Membership, membership.id)
        assert member_row is not None
        return await self._signed_in(owner, organization, member_row)

    async def member(
        self,
        organization: Organization,
        role: str = "member",
        *,
        client_id: int | None = None,
        **user_fields: Any,
    ) -> Member:
        user = await self.user(**user_fields)
        found: Role | None = await RoleRepository(self.session).by_moniker(organization.id, role)
        assert found is not None, f"no role {role!r}"
        membership = await add_member(self.session, organization, user, found, client_id=client_id)
        user.current_organization_id = organization.id
        await self.session.flush()
        return await self._signed_in(user, organization, membership)

    async def _signed_in(
        self, user: User, organization: Organization, membership: Membership
    ) -> Member:
        pair = await sessions.start_session(self.session, self.settings, user)
        await self.session.commit()
        return Member(
            user=user,
            organization=organization,
            membership=membership,
            token=pair.access_token,
            refresh_token=pair.refresh_token,
        )


async def api_token(factory: Factory, who: Member, scopes: Sequence[str]) -> str:
    """A `tt_` API token of the member with these scopes, stored as the API stores one."""
    raw = "tt_" + random_token(32)
    factory.session.add(
        ApiToken(
            organization_id=who.organization.id,
            user_id=who.user.id,
            created_by_id=who.user.id,
            name="Test token",
            token_prefix=raw[:8],
            token_hash=sha256_hex(raw),
            scopes=list(scopes),
            created_at=utcnow(),
        )
    )
    await factory.session.commit()
    return raw


async def membership_of(factory: Factory, who: Member) -> Membership:
    """The member's membership as stored now, roles loaded."""
    result = await factory.session.execute(
        select(Membership)
        .where(Membership.id == who.membership.id)
        .options(selectinload(Membership.roles))
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()
