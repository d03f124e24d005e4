"""Customer-focus requests and answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from clocktower.account.schemas import StrictModel
from clocktower.kit.pagination import PaginationRead
from clocktower.models import Client, ClientFocus, User


class FocusSet(StrictModel):
    note: str | None = Field(None, max_length=500)


class FocusUser(BaseModel):
    id: int
    name: str


class FocusClient(BaseModel):
    id: int
    name: str


class FocusRead(BaseModel):
    user: FocusUser
    client: FocusClient
    started_at: datetime
    note: str | None

    @classmethod
    def of(cls, focus: ClientFocus, user: User, client: Client) -> FocusRead:
        return cls(
            user=FocusUser(id=user.id, name=user.name),
            client=FocusClient(id=client.id, name=client.name),
            started_at=focus.started_at,
            note=focus.note,
        )


class FocusAnswer(BaseModel):
    focus: FocusRead


class FocusList(BaseModel):
    focus: list[FocusRead]
    pagination: PaginationRead


class FocusCleared(BaseModel):
    message: str
