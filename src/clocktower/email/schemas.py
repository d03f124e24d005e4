"""Outbox answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from clocktower.auth.gating import GatedModel
from clocktower.kit.pagination import PaginationRead

EmailStatus = Literal["queued", "sent", "logged", "failed"]


class EmailRead(GatedModel):
    object_type = "email"

    id: int
    to: str
    subject: str
    template: str
    status: str
    error: str | None
    body: str | None
    created_at: datetime
    sent_at: datetime | None


class EmailList(BaseModel):
    emails: list[EmailRead]
    pagination: PaginationRead
