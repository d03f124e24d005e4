"""Customer-focus use cases: set or move the caller's focus, clear it, list colleagues'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.client.errors import ClientNotFound
from clocktower.client.repository import ClientRepository
from clocktower.client_focus.errors import FocusChanged, FocusInternalOnly, FocusNotFound
from clocktower.client_focus.repository import FocusRepository
from clocktower.client_focus.schemas import FocusRead
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.live.publish import queue_focus_changed
from clocktower.live.service import snapshot_part
from clocktower.models import Client, ClientFocus, User


@dataclass(frozen=True)
class FocusView:
    focus: ClientFocus
    user: User
    client: Client


async def set_focus(
    session: AsyncSession, auth: AuthContext, client_id: int, note: str | None
) -> FocusView:
    """Moves the caller's one focus row; the same client again keeps its start time."""
    _require_internal(auth)
    client = await _client(session, auth, client_id)
    focus = await FocusRepository(session).of_user(auth.org_id, auth.user_id)
    if focus is None:
        focus = ClientFocus(organization_id=auth.org_id, user_id=auth.user_id, client_id=client.id)
        session.add(focus)
    elif focus.client_id != client.id:
        focus.client_id = client.id
        focus.started_at = utcnow()
    focus.note = note
    try:
        await session.flush()
    except IntegrityError as error:
        # Only the (organisation, user) unique key can fail here: a concurrent PUT.
        raise FocusChanged() from error
    found = await FocusRepository(session).of_user_with_people(auth.org_id, auth.user_id)
    if found is None:  # the caller's membership went away while the request ran
        raise FocusInternalOnly()
    view = FocusView(*found)
    queue_focus_changed(session, auth.org_id, auth.user_id, client.id, _focus_data(view))
    return view


async def clear_focus(session: AsyncSession, auth: AuthContext, client_id: int) -> None:
    _require_internal(auth)
    client = await _client(session, auth, client_id)
    focus = await FocusRepository(session).of_user(auth.org_id, auth.user_id)
    if focus is None or focus.client_id != client.id:
        raise FocusNotFound()
    await session.delete(focus)
    await session.flush()
    queue_focus_changed(session, auth.org_id, auth.user_id, client.id, None)


async def list_focus(
    session: AsyncSession, auth: AuthContext, client_id: int | None, params: PageParams
) -> Page[FocusView]:
    _require_internal(auth)
    page = await FocusRepository(session).page_with_people(auth.org_id, client_id, params)
    return Page(
        items=[FocusView(focus=f, user=u, client=c) for f, u, c in page.items],
        total=page.total,
        params=page.params,
    )


# The live stream's snapshot carries at most this many colleagues' focus (by name); the
# list endpoint pages through the rest.
SNAPSHOT_FOCUS_LIMIT = 500


@snapshot_part("customer_focus")
async def live_focus(session: AsyncSession, auth: AuthContext) -> list[dict[str, Any]] | None:
    """The live stream's snapshot: every colleague's focus (None for customer members)."""
    if auth.is_customer:
        return None
    page = await FocusRepository(session).page_with_people(
        auth.org_id, None, PageParams(page=1, per_page=SNAPSHOT_FOCUS_LIMIT)
    )
    return [_focus_data(FocusView(*row)) for row in page.items]


def _focus_data(view: FocusView) -> dict[str, Any]:
    return FocusRead.of(view.focus, view.user, view.client).model_dump(mode="json")


def _require_internal(auth: AuthContext) -> None:
    if auth.is_customer:
        raise FocusInternalOnly()


async def _client(session: AsyncSession, auth: AuthContext, client_id: int) -> Client:
    """Another organisation's client is not found (callers here are never customers)."""
    client = await ClientRepository(session).get_visible(auth.org_id, None, client_id)
    if client is None:
        raise ClientNotFound()
    return client
