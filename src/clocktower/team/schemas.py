"""Team and invitation requests and answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field, model_validator

from clocktower.account.schemas import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    OrganizationSummary,
    StrictModel,
    UserSummary,
)
from clocktower.auth.gating import GatedModel
from clocktower.kit.ids import MAX_ID
from clocktower.kit.pagination import PaginationRead

RoleIdentifier = str | int


class TeamMemberRead(GatedModel):
    object_type = "member"

    id: int = Field(description="The member's user id")
    name: str
    email: str
    role: str = Field(description="Primary role: owner, admin, member, viewer, customer or custom")
    roles: list[str]
    joined_at: datetime


class PendingInvitationRead(GatedModel):
    object_type = "invitation"

    id: int
    email: str
    role: str
    invited_at: datetime
    expires_at: datetime


class TeamList(BaseModel):
    members: list[TeamMemberRead]
    pending_invitations: list[PendingInvitationRead]
    pagination: PaginationRead = Field(description="Pages of members")


class InvitationCreate(StrictModel):
    email: EmailStr = Field(max_length=320)
    role: RoleIdentifier = Field("member", description="Role moniker or id")
    client_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Customer role only: the client whose data they see. Stored as given "
        "until the clients domain validates it.",
    )


class InvitationRead(GatedModel):
    object_type = "invitation"

    id: int
    email: str
    role: str
    expires_at: datetime


class InvitationSent(BaseModel):
    message: str
    invitation: InvitationRead


class MemberRoleUpdate(StrictModel):
    role: RoleIdentifier = Field(description="Role moniker or id; replaces the built-in role")


class MemberRoleRead(GatedModel):
    object_type = "member"

    id: int
    name: str
    role: str


class MemberRoleUpdated(BaseModel):
    message: str
    user: MemberRoleRead


class InvitationDetails(BaseModel):
    organization: OrganizationSummary
    email: str
    role: str
    expires_at: datetime
    invited_by: str | None = Field(description="Name of who invited you")


class InvitationDetailsAnswer(BaseModel):
    invitation: InvitationDetails


class InvitationAcceptance(StrictModel):
    """Only without a sign-in: the account to create for the invited email."""

    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)
    password_confirmation: str = Field(max_length=PASSWORD_MAX)

    @model_validator(mode="after")
    def check_passwords_match(self) -> InvitationAcceptance:
        if self.password != self.password_confirmation:
            raise ValueError("password_confirmation does not match password")
        return self


class InvitationAcceptedAnswer(BaseModel):
    message: str
    organization: OrganizationSummary
    user: UserSummary
    token: str | None = Field(None, description="Only when the account was just created")
    refresh_token: str | None = Field(None, description="Only when the account was just created")
    token_type: str | None = None
    expires_in: int | None = None
