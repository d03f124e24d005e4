"""create_app(): lifespan, middleware, error handlers, routers."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clocktower import __version__
from clocktower.api import api_router, public_router
from clocktower.audit import recorder
from clocktower.auth.ratelimit import RateLimiter
from clocktower.changelog import recorder as changelog
from clocktower.config import Settings, get_settings
from clocktower.db import Database
from clocktower.errors import (
    AppError,
    MalformedJson,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from clocktower.idempotency import IdempotentReplay
from clocktower.kit.logging import configure_logging
from clocktower.live import publish as live
from clocktower.observability.metrics import MetricsMiddleware, metrics_endpoint
from clocktower.time_entry_io.router import IMPORT_MAX_BYTES, IMPORT_PATH
from clocktower.worker.runner import JobRunner

log = structlog.get_logger("clocktower")

# Every domain's jobs module registers its handlers on import.
JOB_MODULES = (
    "clocktower.email.jobs",
    "clocktower.system.jobs",
    "clocktower.webhook.jobs",
    "clocktower.project.jobs",
    "clocktower.time_block.jobs",
    "clocktower.accounting.jobs",
)


def load_job_handlers(settings: Settings | None = None) -> None:
    """Import every job module, plus the plugins named in CLOCKTOWER_EXTRA_JOB_MODULES."""
    extra = (settings or get_settings()).extra_job_modules
    for module in (*JOB_MODULES, *extra):
        importlib.import_module(module)


def install_recorders() -> None:
    """What every process that writes needs on its sessions: the audit log and the sync
    change log, both recorded at flush time in the writing transaction."""
    recorder.install()
    changelog.install()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    runner_task: asyncio.Task[None] | None = None
    if settings.run_jobs_in_process:
        runner = JobRunner(app.state.database, settings)
        app.state.job_runner = runner
        runner_task = asyncio.create_task(runner.run_forever())
    try:
        # Streams end when the server is told to stop: it waits for open answers first.
        with app.state.live_hub.streams_end_on_exit_signal():
            yield
    finally:
        if runner_task is not None:
            app.state.job_runner.stop()
            await runner_task  # finishes the job in flight
        await app.state.live_hub.close()  # ends the event streams
        await app.state.database.dispose()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    install_recorders()
    load_job_handlers(settings)
    app = FastAPI(
        title="Clocktower API",
        version=__version__,
        description="Time tracking, billing and client operations. See /api/docs.",
        openapi_url="/api/openapi.json",
        # Served below from the swagger-ui-bundle package: no CDN at run time.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database or Database(settings.database_url)
    app.state.live_hub = live.install(settings, app.state.database.engine)
    app.state.rate_limiter = RateLimiter(
        settings.rate_limit_per_minute,
        settings.rate_limit_per_hour,
        settings.public_rate_limit_per_minute,
        settings.redis_url,
    )
    _install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(public_router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # Order matters: the last added is the outermost. CORS wraps everything, including
    # the 500 answers of the catch-all, so browsers can read every error.
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    _mount_api_docs(app)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        path_limits={IMPORT_PATH: max(IMPORT_MAX_BYTES, settings.max_body_bytes)},
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Content-Type",
            "Authorization",
            "X-API-Key",
            "X-Organization-Id",
            "Idempotency-Key",
            "X-Request-Id",
        ],
        expose_headers=[
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Retry-After",
            "X-Request-Id",
        ],
    )
    return app


def _mount_api_docs(app: FastAPI) -> None:
    """Interactive API docs at /api/docs with Swagger UI's files served by us."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from starlette.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/api/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    async def swagger_ui(_request: Request) -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Clocktower API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
        )

    app.add_route("/api/docs", swagger_ui, include_in_schema=False)


# --- errors -------------------------------------------------------------------------------


def _error_response(error: AppError, request: Request | None = None) -> JSONResponse:
    """The standard body; the request's rate-limit headers ride along when it was counted."""
    headers = dict(getattr(request.state, "rate_limit_headers", {}) if request else {})
    headers.update(error.headers)
    return JSONResponse(error.body(), status_code=error.status_code, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, error: AppError) -> JSONResponse:
        return _error_response(error, request)

    @app.exception_handler(StaleDataError)
    async def _gone(request: Request, _error: StaleDataError) -> JSONResponse:
        # An UPDATE or DELETE found no row: another request deleted it first.
        gone = NotFound("Resource", "It was deleted by another request while this one ran")
        return _error_response(gone, request)

    @app.exception_handler(IdempotentReplay)
    async def _replay(_request: Request, replay: IdempotentReplay) -> Response:
        stored = replay.stored
        return Response(
            content=stored.response_body or b"",
            status_code=stored.status_code or 200,
            media_type=stored.content_type or "application/json",
            headers={"Idempotent-Replayed": "true"},
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return _error_response(MalformedJson("The request body is not valid JSON"), request)
        errors: dict[str, list[str]] = {}
        for problem in problems:
            message = str(problem.get("msg", "Invalid value"))
            if problem.get("type") == "extra_forbidden":
                message = "Unknown field"
            errors.setdefault(_field_name(tuple(problem.get("loc", ()))), []).append(message)
        return _error_response(ValidationFailed(errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 404:
            return _error_response(NotFound("Resource", "The requested URL was not found"))
        if error.status_code == 405:
            return _error_response(MethodNotAllowed("This method is not allowed here"))
        generic = AppError(str(error.detail))
        body = {
            "error": str(error.detail),
            "message": str(error.detail),
            "error_code": f"http_{error.status_code}",
        }
        return JSONResponse(
            body,
            status_code=error.status_code,
            headers=dict(error.headers or {}) or generic.headers,
        )


class CatchAllMiddleware:
    """Unexpected exceptions become a 500 in the standard body (and are logged once)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error", path=scope.get("path"))
            if started:
                raise
            response = _error_response(AppError("An unexpected error occurred"))
            await response(scope, receive, send)


class BodySizeLimitMiddleware:
    """Bodies over the limit are refused with 413 before any handler reads them.

    `path_limits` raises the limit for the few routes that take files (the CSV import);
    those routes enforce their own limit with their own message as they read."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.path_limits.get(scope.get("path", ""), self.default_max_bytes)
        too_large = PayloadTooLarge(f"Request bodies are limited to {max_bytes} bytes")
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > max_bytes:
                    await _error_response(too_large)(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _error_response(too_large)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class RequestIdMiddleware:
    """Every request gets an id (or keeps the caller's), echoed back and put in every log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = (
            incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else (uuid.uuid4().hex)
        )
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")


# --- OpenAPI ------------------------------------------------------------------------------


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(
        {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "JWT access token or `tt_` API token",
            },
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    )
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            default_422 = responses.get("422", {})
            ref = str(default_422.get("content", {}).get("application/json", {}).get("schema"))
            if "HTTPValidationError" in ref:
                del responses["422"]
            if not operation.get("x-public"):
                operation["security"] = [{"bearer": []}, {"apiKey": []}]
    for name in ("HTTPValidationError", "ValidationError"):
        components.get("schemas", {}).pop(name, None)
    app.openapi_schema = schema
    return schema
