"""System answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class InfoRead(BaseModel):
    api_version: str
    app_version: str
    setup_required: bool
    documentation_url: str
    endpoints: dict[str, str]


class HealthRead(BaseModel):
    status: str
    version: str
    timestamp: datetime


class ReadinessRead(BaseModel):
    status: str
    checks: dict[str, str]
