"""Issue API tokens through the API, as an administrator would."""

from __future__ import annotations

from typing import Any

from tests.support import Api, Member


async def issue_token(
    api: Api,
    creator: Member,
    *,
    scopes: list[str],
    user: Member | None = None,
    name: str = "CI token",
    **fields: Any,
) -> tuple[str, dict[str, Any]]:
    """The plaintext token and its ApiTokenRead."""
    body: dict[str, Any] = {"name": name, "scopes": scopes, **fields}
    if user is not None:
        body["user_id"] = user.id
    response = await api.as_(creator).post("/api/v1/api-tokens", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    return answer["token"], answer["api_token"]
