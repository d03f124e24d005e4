"""The outgoing HTTP client factory."""

from __future__ import annotations

import httpx

from clocktower import __version__
from clocktower.kit.http import http_client


async def test_defaults_are_a_ten_second_timeout_and_our_user_agent() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    async with http_client(transport=httpx.MockTransport(answer)) as client:
        await client.get("https://provider.example/ping")

    assert client.timeout == httpx.Timeout(10.0)
    assert seen[0].headers["user-agent"] == f"Clocktower/{__version__}"


async def test_callers_add_headers_and_override_the_timeout() -> None:
    async with http_client(headers={"Accept": "application/json"}, timeout=2.0) as client:
        assert client.headers["accept"] == "application/json"
        assert client.headers["user-agent"].startswith("Clocktower/")
        assert client.timeout == httpx.Timeout(2.0)
