"""Client portal requests and answers; projects reuse the project schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, EmailStr, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from clocktower.account.schemas import StrictModel
from clocktower.auth.gating import GatedModel
from clocktower.kit.pagination import PaginationRead
from clocktower.project.schemas import ProjectCreate
from clocktower.team.schemas import PendingInvitationRead


class ClientProjectCreate(ProjectCreate):
    """POST /projects' body; the client comes from the path, never from the body."""

    client_id: SkipJsonSchema[int | None] = None

    @model_validator(mode="before")
    @classmethod
    def _no_client_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "client_id" in data:
            raise ValueError("client_id comes from the path; leave it out of the body")
        return data


class CustomerUserRead(GatedModel):
    object_type = "member"

    id: int = Field(description="The customer's user id")
    name: str
    email: str
    joined_at: datetime


class CustomerUserList(BaseModel):
    users: list[CustomerUserRead]
    pending_invitations: list[PendingInvitationRead] = Field(
        description="Live invitations to this client's portal"
    )
    pagination: PaginationRead = Field(description="Pages of users")


class CustomerInvite(StrictModel):
    email: EmailStr = Field(max_length=320)
