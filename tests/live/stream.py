"""Reading an SSE stream from the app, message by message.

httpx's ASGITransport answers only once the app has finished, which an event stream never
does, so this drives the ASGI app directly: the request goes in, body chunks come out as
they are sent, and leaving the block sends `http.disconnect` as a client going away does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any

# Generous: the first stream on a fresh connection can take seconds on a busy machine.
READ_TIMEOUT = 15.0


@dataclass
class Message:
    event: str | None
    id: str | None
    data: Any
    comment: str | None = None


class EventStream:
    def __init__(
        self,
        app: Any,
        token: str | None,
        *,
        accept: str | None = "text/event-stream",
        path: str = "/api/v1/events",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        raw = [(b"host", b"testserver")]
        if token is not None:
            raw.append((b"authorization", f"Bearer {token}".encode()))
        if accept is not None:
            raw.append((b"accept", accept.encode()))
        for name, value in (headers or {}).items():
            raw.append((name.lower().encode(), value.encode()))
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": raw,
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 12345),
        }
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.ended = False
        self._chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._started = asyncio.Event()
        self._gone = asyncio.Event()
        self._buffer = b""
        self._task: asyncio.Task[None] | None = None
        self._request_sent = False

    async def _receive(self) -> dict[str, Any]:
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            self._started.set()
        elif message["type"] == "http.response.body":
            if message.get("body"):
                self._chunks.put_nowait(message["body"])
            if not message.get("more_body", False):
                self._chunks.put_nowait(None)

    async def _run(self) -> None:
        try:
            await self.app(self.scope, self._receive, self._send)
        finally:
            self._chunks.put_nowait(None)
            self._started.set()

    async def __aenter__(self) -> EventStream:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._started.wait(), READ_TIMEOUT)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.disconnect()

    async def disconnect(self) -> None:
        self._gone.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, READ_TIMEOUT)

    async def body_json(self) -> Any:
        """The whole body of a non-stream answer (an error) as JSON."""
        parts = [self._buffer]
        while (chunk := await asyncio.wait_for(self._chunks.get(), READ_TIMEOUT)) is not None:
            parts.append(chunk)
        return json.loads(b"".join(parts))

    async def next(self, *, skip_pings: bool = True) -> Message:
        """The next message (waits at most READ_TIMEOUT); `event` None for a comment."""
        while True:
            while b"\n\n" not in self._buffer:
                chunk = await asyncio.wait_for(self._chunks.get(), READ_TIMEOUT)
                if chunk is None:
                    self.ended = True
                    raise EOFError("the stream ended")
                self._buffer += chunk
            block, self._buffer = self._buffer.split(b"\n\n", 1)
            found = _parse(block.decode())
            if found is None or (skip_pings and found.comment is not None):
                continue
            return found

    async def next_event(self, name: str) -> Message:
        """The next message named `name`, skipping others."""
        while True:
            found = await self.next()
            if found.event == name:
                return found

    async def events(self, count: int) -> list[Message]:
        return [await self.next() for _ in range(count)]


def _parse(block: str) -> Message | None:
    event = message_id = data = comment = None
    for line in block.split("\n"):
        if line.startswith(":"):
            comment = line[1:].strip()
        elif line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("id: "):
            message_id = line.removeprefix("id: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
    if event is None and comment is None:
        return None  # `retry:` alone
    return Message(event=event, id=message_id, data=data, comment=comment)
