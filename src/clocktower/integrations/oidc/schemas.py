"""Single sign-on answers (the signed-in answer is account's `SignedIn`, as for login)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SsoProviderRead(BaseModel):
    key: str = Field(description="Use in /auth/sso/{provider}/...")
    name: str = Field(description="What a sign-in button shows")


class SsoProviderList(BaseModel):
    providers: list[SsoProviderRead]


class SsoAuthorization(BaseModel):
    authorization_url: str = Field(description="Send the browser here")
    state: str = Field(
        description="Comes back with the code; single use, valid for 10 minutes by default"
    )
