"""Email over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.email import service as email_service
from clocktower.email.schemas import EmailList, EmailRead, EmailStatus
from clocktower.kit.pagination import Pagination, PaginationRead
from clocktower.routing import AppRoute

router = APIRouter(prefix="/emails", tags=["email"], route_class=AppRoute)

EmailsRead = Annotated[AuthContext, authorized("email.fetch.many")]


@router.get("")
async def list_emails(
    request: Request,
    auth: EmailsRead,
    session: DbSession,
    pagination: Pagination,
    status: Annotated[
        EmailStatus | None, Query(description="queued, sent, logged or failed")
    ] = None,
    to: Annotated[str | None, Query(max_length=320, description="Recipient address")] = None,
) -> EmailList:
    """The organisation's outgoing email, newest first, with the bodies as sent."""
    page = await email_service.list_emails(
        session, auth, request.app.state.settings, pagination, status=status, to=to
    )
    return EmailList(
        emails=[
            EmailRead.of(entry.email, auth, to=entry.email.to_address, body=entry.body)
            for entry in page.items
        ],
        pagination=PaginationRead.of(page),
    )
