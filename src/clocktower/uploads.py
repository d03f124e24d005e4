"""Reading an uploaded file from a request, bounded: the raw body, or one multipart field.

Routes that take files (the CSV import, the logo) read through these two functions, so a
body is never held past its limit and a broken multipart body is a 4xx, never a 500.
Each route passes the errors that speak its language.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from clocktower.errors import AppError


async def read_body(request: Request, max_bytes: int, too_large: Callable[[], AppError]) -> bytes:
    """The raw body, refused with `too_large()` as soon as it passes `max_bytes`."""
    received: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large()
        received.append(chunk)
    return b"".join(received)


async def read_form_field(
    request: Request,
    field: str,
    max_bytes: int,
    *,
    too_large: Callable[[], AppError],
    unreadable: Callable[[str], AppError],
) -> bytes | str | None:
    """The multipart field: a file's bytes, a plain field's text, or None when absent.
    `unreadable(message)` is raised for a body that is not valid multipart."""
    try:
        form = await request.form(max_files=1, max_fields=20, max_part_size=max_bytes + 1)
    except (HTTPException, MultiPartException, MultipartParseError) as error:
        detail = getattr(error, "detail", None) or str(error)
        raise unreadable(f"The multipart body cannot be read: {detail}") from None
    value = form.get(field)
    if isinstance(value, UploadFile):
        content = await value.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise too_large()
        return content
    return value
