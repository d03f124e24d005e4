"""Settings over HTTP: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.routing import AppRoute
from clocktower.setting import service as setting_service
from clocktower.setting.errors import UnknownTimezone
from clocktower.setting.schemas import SettingsAnswer, SettingsRead, SettingsUpdate, SettingsUpdated

router = APIRouter(prefix="", tags=["settings"], route_class=AppRoute)

SettingsFetch = Annotated[AuthContext, authorized("setting.fetch")]
SettingsWrite = Annotated[AuthContext, authorized("setting.update")]


@router.get("/settings")
async def get_organization_settings(auth: SettingsFetch, session: DbSession) -> SettingsAnswer:
    """The organisation, its settings (with defaults for those never set) and its team size."""
    view = await setting_service.get_organization_settings(session, auth)
    return SettingsAnswer(settings=SettingsRead.of(view.organization, view.team_count))


@router.put("/settings", responses=error_responses(UnknownTimezone))
async def update_organization_settings(
    data: SettingsUpdate, auth: SettingsWrite, session: DbSession
) -> SettingsUpdated:
    """Change the fields sent; the others keep their values."""
    view = await setting_service.update_organization_settings(session, auth, data)
    return SettingsUpdated(
        message="Settings updated", settings=SettingsRead.of(view.organization, view.team_count)
    )
