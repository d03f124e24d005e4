"""Live updates over HTTP (S6.3): the SSE stream."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.live import service as live_service
from clocktower.live.errors import EventStreamOnly, LiveUnavailable
from clocktower.live.sse import MEDIA_TYPE, EventStreamResponse
from clocktower.routing import AppRoute

router = APIRouter(tags=["live updates"], route_class=AppRoute)

Subscriber = Annotated[AuthContext, authorized("live.subscribe")]

_STREAM_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An endless `text/event-stream`: `snapshot` first, then events and "
        "`: ping` heartbeats (see docs/guides/live-updates.md)",
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}


def accepts_event_stream(accept: str | None) -> bool:
    """Only a client that asks for an event stream gets one (EventSource always does):
    a plain HTTP client would otherwise wait forever for the answer to end."""
    if not accept:
        return False
    return any(part.split(";")[0].strip().lower() == MEDIA_TYPE for part in accept.split(","))


@router.get(
    "/events",
    # The stream's media type is documented in _STREAM_ANSWER; errors stay JSON.
    response_class=Response,
    status_code=200,
    responses={**_STREAM_ANSWER, **error_responses(EventStreamOnly, LiveUnavailable)},
)
async def events(request: Request, auth: Subscriber, session: DbSession) -> EventStreamResponse:
    """Server-Sent Events of the caller's organisation: `snapshot` on connect (the
    caller's running timer and the customer focus list), then `timer.started`,
    `timer.stopped`, `active_timer.changed`, `customer_focus.changed`,
    `time_entry.created`, `time_entry.updated` and `time_entry.deleted` as they commit.
    Without `time_entry.fetch.other` only the caller's own timer and entry events arrive;
    customer members never receive focus events. Send `Accept: text/event-stream`."""
    if not accepts_event_stream(request.headers.get("accept")):
        raise EventStreamOnly()
    subscription, snapshot = await live_service.connect(session, auth, request.app.state.live_hub)
    return EventStreamResponse(subscription, snapshot)
