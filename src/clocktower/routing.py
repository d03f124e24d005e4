"""The route class every router uses.

- Derives each route's declared permissions (`x-permissions`, or `x-public`) and its
  common error answers from its dependencies, so /api/docs is complete by construction.
- Stores idempotent responses before the commit (see idempotency.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute

from clocktower.auth.dependencies import Authorize, PublicRateLimit
from clocktower.auth.errors import NoOrganization, NotAMember
from clocktower.errors import (
    AppError,
    ErrorBody,
    Forbidden,
    MalformedJson,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    ValidationFailed,
    error_responses,
)
from clocktower.idempotency import IdempotencyKeyReused, idempotency_claim, seal_response


def _walk_calls(dependant: Any) -> list[Any]:
    calls = [dependant.call]
    for sub in dependant.dependencies:
        calls.extend(_walk_calls(sub))
    return calls


def _route_metadata(
    path: str, endpoint: Callable[..., Any], kwargs: dict[str, Any]
) -> tuple[dict[int | str, dict[str, Any]], dict[str, Any]]:
    calls = _walk_calls(get_dependant(path=path, call=endpoint))
    for extra_dependency in kwargs.get("dependencies") or ():
        if extra_dependency.dependency is not None:
            calls.extend(_walk_calls(get_dependant(path=path, call=extra_dependency.dependency)))
    authorizers = [call for call in calls if isinstance(call, Authorize)]
    openapi_extra = dict(kwargs.get("openapi_extra") or {})
    common: list[type[AppError]] = [ValidationFailed, MalformedJson, PayloadTooLarge]
    if authorizers:
        openapi_extra["x-permissions"] = sorted({n for a in authorizers for n in a.permissions})
        common += [Unauthorized, Forbidden, NotAMember, RateLimited]
        if any(a.tenant for a in authorizers):
            common.append(NoOrganization)
    else:
        openapi_extra["x-public"] = True
        if any(isinstance(call, PublicRateLimit) for call in calls):
            common.append(RateLimited)
    if idempotency_claim in calls:
        common.append(IdempotencyKeyReused)
    responses: dict[int | str, dict[str, Any]] = dict(kwargs.get("responses") or {})
    for status, spec in error_responses(*common).items():
        if status in responses:
            # Merge the descriptions of every error that shares this status.
            responses[status] = {
                **responses[status],
                "description": f"{responses[status].get('description', '')}; "
                f"{spec['description']}".strip("; "),
            }
        else:
            responses[status] = spec
    responses.setdefault(500, {"model": ErrorBody, "description": "Unexpected error"})
    return responses, openapi_extra


class AppRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        responses, openapi_extra = _route_metadata(path, endpoint, kwargs)
        kwargs["responses"] = responses
        kwargs["openapi_extra"] = openapi_extra
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            response = await original(request)
            # The DbSession dependency is still open here (function scope): the stored
            # response commits in the same transaction as what the route created.
            claim = getattr(request.state, "idempotency_claim", None)
            if claim is not None and 200 <= response.status_code < 300:
                claim.status_code = response.status_code
                claim.content_type = response.headers.get("content-type")
                claim.response_body = seal_response(
                    request.app.state.settings, claim, bytes(response.body)
                )
                await request.state.db_session.flush()
            return response

        return handler
