"""The server-rendered pages (HTML, outside /api/v1, not in the OpenAPI document).

Each page lives in its own module with its own router: the first-run page (`setup`), the
invitation link (`invitations`) and the password-reset link (`passwords`). Shared
rendering, CSRF and form helpers are in `pages`.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from clocktower.errors import NotFound
from clocktower.web import invitations, passwords, setup
from clocktower.web.pages import HERE

STATIC_FILES = {path.name: path for path in (HERE / "static").iterdir() if path.is_file()}

router = APIRouter(include_in_schema=False)
for page_router in (setup.router, invitations.router, passwords.router):
    router.include_router(page_router)


@router.get("/static/{name}")
async def static_file(name: str) -> FileResponse:
    path = STATIC_FILES.get(name)
    if path is None:
        raise NotFound("File")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
