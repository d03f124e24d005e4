"""Prometheus metrics."""

from __future__ import annotations

import re

from tests.support import Api


def _count(text: str, route: str, status: str) -> float:
    pattern = (
        r'clocktower_http_requests_total\{method="GET",route="'
        + re.escape(route)
        + r'",status="'
        + status
        + r'"\} ([0-9.]+)'
    )
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


class TestMetrics:
    async def test_requests_are_counted_by_route_template(self, api: Api) -> None:
        before = (await api.get("/metrics")).text
        await api.get("/api/v1/teapot")
        await api.get("/api/v1/nothing/42")
        after = await api.get("/metrics")

        assert after.status_code == 200
        assert after.headers["content-type"].startswith("text/plain")
        assert (
            _count(after.text, "/api/v1/teapot", "418")
            == _count(before, "/api/v1/teapot", "418") + 1
        )
        # Unknown paths never become labels of their own.
        assert "/api/v1/nothing/42" not in after.text
        assert "clocktower_http_request_duration_seconds_bucket" in after.text
