"""The organisation's logo over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.branding import service as branding_service
from clocktower.branding.errors import InvalidImage, LogoNotFound, LogoTooLarge
from clocktower.branding.image import MAX_BYTES
from clocktower.branding.schemas import LogoDeleted, LogoRead, LogoSaved
from clocktower.db import DbSession
from clocktower.errors import UnsupportedMediaType, error_responses
from clocktower.routing import AppRoute
from clocktower.uploads import read_body, read_form_field

router = APIRouter(prefix="/settings/logo", tags=["settings"], route_class=AppRoute)

SettingsFetch = Annotated[AuthContext, authorized("setting.fetch")]
SettingsWrite = Annotated[AuthContext, authorized("setting.update")]

IMAGE_TYPES = ("image/png", "image/jpeg")
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        **{media_type: _BINARY for media_type in IMAGE_TYPES},
    },
}


@router.put(
    "",
    responses=error_responses(InvalidImage, LogoTooLarge, UnsupportedMediaType),
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def save_logo(request: Request, auth: SettingsWrite, session: DbSession) -> LogoSaved:
    """Upload the logo printed on invoices and quotes: a PNG or JPEG of at most 512 KB and
    2000 x 2000 pixels, as multipart field `file` or as the raw body (`Content-Type:
    image/png` or `image/jpeg`). The image is decoded to prove it is one; it replaces
    the previous logo."""
    stored = await branding_service.save_logo(session, auth, await _image_bytes(request))
    return LogoSaved(
        message="Logo saved",
        logo=LogoRead(
            content_type=stored.image.content_type,
            size=stored.size,
            width=stored.image.width,
            height=stored.image.height,
            updated_at=stored.updated_at,
        ),
    )


@router.get(
    "",
    response_class=Response,
    responses={
        200: {
            "description": "The logo image",
            "content": {media_type: _BINARY for media_type in IMAGE_TYPES},
        },
        **error_responses(LogoNotFound),
    },
)
async def get_logo(auth: SettingsFetch, session: DbSession) -> Response:
    """The organisation's logo as uploaded (404 when there is none)."""
    logo = await branding_service.fetch_logo(session, auth)
    return Response(
        content=logo.data,
        media_type=logo.content_type,
        headers={"Cache-Control": "private, no-cache"},
    )


@router.delete("", responses=error_responses(LogoNotFound))
async def delete_logo(auth: SettingsWrite, session: DbSession) -> LogoDeleted:
    """Remove the logo: documents print without one."""
    await branding_service.delete_logo(session, auth)
    return LogoDeleted(message="Logo removed")


async def _image_bytes(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _uploaded_file(request)
    if content_type in IMAGE_TYPES:
        return await _body(request)
    raise UnsupportedMediaType(
        "Send the logo as multipart/form-data (field file) or as the raw body with "
        "Content-Type image/png or image/jpeg"
    )


async def _body(request: Request) -> bytes:
    return await read_body(request, MAX_BYTES, lambda: LogoTooLarge(MAX_BYTES))


async def _uploaded_file(request: Request) -> bytes:
    content = await read_form_field(
        request,
        "file",
        MAX_BYTES,
        too_large=lambda: LogoTooLarge(MAX_BYTES),
        unreadable=InvalidImage,
    )
    if not isinstance(content, bytes):
        raise InvalidImage("Send the image in the multipart field 'file'")
    return content
