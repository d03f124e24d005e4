"""Server-Sent Events: message formatting, heartbeats, and the stream of one subscriber.

Every message has an `id:` (the event's uuid, the same on every process it reaches), an
`event:` and one `data:` line of compact JSON. A comment line (`: ping`) goes out after
`heartbeat_seconds` of silence so proxies keep the connection and a vanished client is
noticed at the next write.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from clocktower.live.events import OVERFLOW, SNAPSHOT, LiveEvent
from clocktower.live.hub import OVERFLOWED, Subscription

MEDIA_TYPE = "text/event-stream"
PING = b": ping\n\n"
# EventSource waits this long before reconnecting after the stream ends.
RETRY_MILLISECONDS = 3000


def message(name: str, data: Any, message_id: str | None = None) -> bytes:
    """One SSE message; `data` is JSON on a single line (JSON escapes every newline)."""
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"id: {message_id or uuid.uuid4().hex}\nevent: {name}\ndata: {payload}\n\n".encode()


def event_message(event: LiveEvent) -> bytes:
    return message(event.event, event.data, event.id)


async def stream(
    subscription: Subscription, snapshot: dict[str, Any], heartbeat_seconds: float
) -> AsyncIterator[bytes]:
    """The snapshot, then every event the subscription receives, with heartbeats; ends
    with `overflow` when the client fell behind, or as soon as the server stops."""
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n".encode() + message(SNAPSHOT, snapshot)
        while True:
            item = await subscription.next(heartbeat_seconds)
            if item is None:
                yield PING
            elif isinstance(item, LiveEvent):
                yield event_message(item)
            else:
                if item is OVERFLOWED:
                    yield message(OVERFLOW, {"reason": "The client fell behind; reconnect"})
                return
    finally:
        subscription.close()


class EventStreamResponse(StreamingResponse):
    """A streaming answer that unsubscribes however the stream ends (client gone,
    cancelled, or a write that failed), not only when its generator is closed."""

    media_type = MEDIA_TYPE

    def __init__(self, subscription: Subscription, snapshot: dict[str, Any]) -> None:
        super().__init__(
            stream(subscription, snapshot, subscription.hub.heartbeat_seconds),
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self.subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.subscription.close()
