"""The hub: fans committed events out to the streams connected to this process.

`InProcessHub` (the default) hands an event straight to the local subscribers of its
organisation. `RedisHub` (when CLOCKTOWER_REDIS_URL is set) publishes every event on the
organisation's channel and delivers what its pattern subscription receives, so an event
raised by one app process reaches streams connected to any other.

Each subscriber has a bounded queue: a consumer that falls `queue_size` events behind is
dropped, its stream ending with an `overflow` event (the client reconnects and takes a
fresh snapshot).

A stopping server ends its streams as soon as it is told to stop (SIGTERM, SIGINT), not
at the lifespan shutdown: uvicorn runs that only once every open response has finished,
and a stream never finishes by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any, Final

import structlog
from redis.asyncio import Redis

from clocktower.config import Settings
from clocktower.live.events import LiveEvent, Viewer

log = structlog.get_logger("clocktower.live")

DEFAULT_HEARTBEAT_SECONDS = 15.0
DEFAULT_QUEUE_SIZE = 256
SUBSCRIBE_TIMEOUT_SECONDS = 5.0
RECONNECT_DELAY_SECONDS = 1.0
EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


# What a subscription yields besides events: it fell behind, or the hub shut down.
OVERFLOWED: Final = _Marker("overflowed")
CLOSED: Final = _Marker("closed")


class HubUnavailable(Exception):
    """The hub cannot take subscribers now (Redis does not answer, or the server stops)."""


class Subscription:
    """One connected stream: its organisation, its viewer and its queue."""

    def __init__(self, hub: Hub, organization_id: int, viewer: Viewer, queue_size: int) -> None:
        self.hub = hub
        self.organization_id = organization_id
        self.viewer = viewer
        self.queue_size = queue_size
        self._queue: asyncio.Queue[LiveEvent | _Marker] = asyncio.Queue()
        self.ended = False

    def offer(self, event: LiveEvent) -> None:
        if self.ended or not self.viewer.accepts(event.audience):
            return
        if self._queue.qsize() >= self.queue_size:
            self._end(OVERFLOWED)
            return
        self._queue.put_nowait(event)

    def _end(self, marker: _Marker) -> None:
        """Drops what is queued: the stream's last message is the marker."""
        if self.ended:
            return
        self.ended = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(marker)
        self.hub.discard(self)

    async def next(self, wait_seconds: float) -> LiveEvent | _Marker | None:
        """The next event or marker, or None after `wait_seconds` of silence."""
        try:
            return await asyncio.wait_for(self._queue.get(), wait_seconds)
        except TimeoutError:
            return None

    def close(self) -> None:
        """The stream ended (the client went away): stop receiving."""
        self.ended = True
        self.hub.discard(self)


class Hub:
    """Local subscribers per organisation; subclasses decide how events arrive."""

    def __init__(
        self,
        *,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        self.heartbeat_seconds = heartbeat_seconds
        self.queue_size = queue_size
        self._subscribers: dict[int, set[Subscription]] = {}
        self.stopping = False

    async def subscribe(self, organization_id: int, viewer: Viewer) -> Subscription:
        """A subscription receiving every event committed from now on."""
        if self.stopping:
            raise HubUnavailable("the server is stopping")
        await self._ready()
        subscription = Subscription(self, organization_id, viewer, self.queue_size)
        self._subscribers.setdefault(organization_id, set()).add(subscription)
        return subscription

    def discard(self, subscription: Subscription) -> None:
        found = self._subscribers.get(subscription.organization_id)
        if found is not None:
            found.discard(subscription)
            if not found:
                del self._subscribers[subscription.organization_id]

    def subscriber_count(self, organization_id: int | None = None) -> int:
        if organization_id is not None:
            return len(self._subscribers.get(organization_id, ()))
        return sum(len(found) for found in self._subscribers.values())

    def deliver(self, event: LiveEvent) -> None:
        """Hands an event to this process's subscribers of its organisation."""
        for subscription in list(self._subscribers.get(event.organization_id, ())):
            subscription.offer(event)

    def publish_nowait(self, events: Sequence[LiveEvent]) -> None:
        """Publishes committed events; never blocks the committing request."""
        raise NotImplementedError

    async def _ready(self) -> None:
        """Waits until the hub can receive events (the Redis subscription is live)."""

    def end_streams(self) -> None:
        """The server stops: every stream ends now and no new one starts. Publishing goes
        on, so requests still in flight reach the streams of other processes."""
        self.stopping = True
        for found in list(self._subscribers.values()):
            for subscription in list(found):
                subscription._end(CLOSED)
        self._subscribers.clear()

    @contextlib.contextmanager
    def streams_end_on_exit_signal(self) -> Iterator[None]:
        """While inside, SIGINT and SIGTERM end the streams, then reach the handler that
        was there before (the server's, which stops it gracefully).

        Signal handlers belong to the main thread; elsewhere (an app run in a helper
        thread) this does nothing."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        previous = {sig: signal.getsignal(sig) for sig in EXIT_SIGNALS}

        def on_exit_signal(sig: int, frame: FrameType | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed since
                loop.call_soon_threadsafe(self.end_streams)
            _chain(previous[signal.Signals(sig)], sig, frame)

        for sig in EXIT_SIGNALS:
            signal.signal(sig, on_exit_signal)
        try:
            yield
        finally:
            for sig, handler in previous.items():
                # Put back only our own: whoever replaced it since keeps theirs.
                if signal.getsignal(sig) is on_exit_signal:
                    signal.signal(sig, signal.SIG_DFL if handler is None else handler)

    async def close(self) -> None:
        """Ends every stream (their last message says so) and releases resources."""
        self.end_streams()


class InProcessHub(Hub):
    """One process: publishing is delivering."""

    def publish_nowait(self, events: Sequence[LiveEvent]) -> None:
        for event in events:
            self.deliver(event)


class RedisHub(Hub):
    """Redis pub/sub: a channel per organisation, one pattern subscription per process.

    Events go out in commit order through one publisher task; one reader task receives
    every organisation's events (cheap to drop when no local stream wants them) and
    reconnects after a failure. Channels are namespaced by the Redis database number so
    deployments (and test runs) sharing a server on other databases never mix.
    """

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(**options)
        self.redis: Redis = Redis.from_url(url)
        database = self.redis.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"clocktower:{database}:live:"
        self._outbox: asyncio.Queue[LiveEvent] | None = None
        self._publisher: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    def channel(self, organization_id: int) -> str:
        return f"{self.prefix}{organization_id}"

    def publish_nowait(self, events: Sequence[LiveEvent]) -> None:
        if self._outbox is None or self._publisher is None or self._publisher.done():
            self._outbox = asyncio.Queue()
            self._publisher = asyncio.get_running_loop().create_task(self._publish_loop())
        for event in events:
            self._outbox.put_nowait(event)

    async def _publish_loop(self) -> None:
        assert self._outbox is not None
        outbox = self._outbox
        while True:
            event = await outbox.get()
            try:
                await self.redis.publish(self.channel(event.organization_id), event.to_json())
            except Exception:
                # Live updates are best effort: a client missing one resyncs (/sync).
                log.warning("live event not published", event=event.event, exc_info=True)
            finally:
                outbox.task_done()

    async def _ready(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read_loop())
        try:
            await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_TIMEOUT_SECONDS)
        except TimeoutError as error:
            raise HubUnavailable("Redis does not answer") from error

    async def _read_loop(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.psubscribe(f"{self.prefix}*")
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        self._subscribed.set()
                    elif message["type"] == "pmessage":
                        self._receive(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                self._subscribed.clear()
                log.warning("live subscription lost; reconnecting", exc_info=True)
                await asyncio.sleep(RECONNECT_DELAY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _receive(self, raw: bytes) -> None:
        try:
            event = LiveEvent.from_json(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("malformed live event ignored")
            return
        self.deliver(event)

    async def close(self) -> None:
        await super().close()
        if self._outbox is not None and self._publisher is not None:
            # Hand over what committed before shutdown, briefly.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.join(), 2.0)
        for task in (self._publisher, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._publisher = self._reader = None
        await self.redis.aclose()


def _chain(handler: Any, sig: int, frame: FrameType | None) -> None:
    """What `sig` did before our handler took it: call it, ignore it, or (the default)
    end the process as if we had never been there."""
    if callable(handler):
        handler(sig, frame)
    elif handler in (signal.SIG_DFL, None):
        signal.signal(sig, signal.SIG_DFL)
        signal.raise_signal(sig)


def create_hub(settings: Settings) -> Hub:
    """The hub the settings ask for: Redis when a URL is set, in-process otherwise.

    `live_heartbeat_seconds` and `live_queue_size` are read when Settings defines them.
    """
    options: dict[str, Any] = {
        "heartbeat_seconds": float(
            getattr(settings, "live_heartbeat_seconds", DEFAULT_HEARTBEAT_SECONDS)
        ),
        "queue_size": int(getattr(settings, "live_queue_size", DEFAULT_QUEUE_SIZE)),
    }
    if settings.redis_url:
        return RedisHub(settings.redis_url, **options)
    return InProcessHub(**options)
