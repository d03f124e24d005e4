"""Prometheus metrics: request counts and latencies by route template, served at /metrics.

Labels use the route template (`/api/v1/roles/{identifier}`), never the raw path, so
the number of series stays bounded whatever ids clients send.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("clocktower_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "clocktower_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def route_template(scope: Scope) -> str:
    """The matched route's template with its routers' prefixes.

    A route knows only its own part (`/roles/{identifier}` without `/api/v1`); the
    prefixes are the leading segments of the request path its template does not cover.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if template is None:
        return "unmatched"
    path_segments = scope.get("path", "").rstrip("/").split("/")
    template_segments = template.rstrip("/").split("/")
    keep = len(path_segments) - len(template_segments) + 1
    if keep < 1:
        return template
    prefix = "/".join(path_segments[:keep]).rstrip("/")
    return prefix + template if template else prefix or "/"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == "/metrics":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = route_template(scope)
            method = scope.get("method", "GET")
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
