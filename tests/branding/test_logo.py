"""PUT/GET/DELETE /settings/logo: real PNG and JPEG only, 512 KB at most, per organisation."""

from __future__ import annotations

import io
import os

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from clocktower.models import AuditLog
from tests.support import Api, Factory, Member

LOGO = "/api/v1/settings/logo"


def image(kind: str = "PNG", width: int = 240, height: int = 60) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, kind)
    return buffer.getvalue()


def noise_png(side: int) -> bytes:
    """Incompressible pixels: a PNG of roughly side x side x 3 bytes."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


async def upload_raw(
    api: Api, who: Member, content: bytes, content_type: str = "image/png"
) -> httpx.Response:
    return await api.as_(who).put(LOGO, content=content, headers={"Content-Type": content_type})


class TestUpload:
    async def test_raw_png_is_stored_and_served(self, api: Api, owner: Member) -> None:
        content = image()

        saved = await upload_raw(api, owner, content)
        served = await api.as_(owner).get(LOGO)

        assert saved.status_code == 200, saved.text
        body = saved.json()
        assert body["message"] == "Logo saved"
        assert {k: v for k, v in body["logo"].items() if k != "updated_at"} == {
            "content_type": "image/png",
            "size": len(content),
            "width": 240,
            "height": 60,
        }
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/png"
        assert served.content == content

    async def test_multipart_jpeg_replaces_the_png(self, api: Api, owner: Member) -> None:
        await upload_raw(api, owner, image())
        jpeg = image("JPEG")

        saved = await api.as_(owner).put(LOGO, files={"file": ("logo.jpg", jpeg, "image/jpeg")})
        served = await api.as_(owner).get(LOGO)

        assert saved.json()["logo"]["content_type"] == "image/jpeg"
        assert (served.headers["content-type"], served.content) == ("image/jpeg", jpeg)

    async def test_the_type_comes_from_the_content(self, api: Api, owner: Member) -> None:
        saved = await upload_raw(api, owner, image("JPEG"), "image/png")

        assert saved.json()["logo"]["content_type"] == "image/jpeg"

    async def test_saving_is_audited(self, api: Api, factory: Factory, owner: Member) -> None:
        await upload_raw(api, owner, image())
        await api.as_(owner).delete(LOGO)

        actions = await factory.session.execute(
            select(AuditLog.action)
            .where(
                AuditLog.organization_id == owner.organization.id,
                AuditLog.action.like("organization.logo%"),
            )
            .order_by(AuditLog.id)
        )
        assert list(actions.scalars()) == ["organization.logo_saved", "organization.logo_removed"]


class TestRefusals:
    @pytest.mark.parametrize(
        ("content", "content_type"),
        [
            (b"", "image/png"),
            (b"not an image at all", "image/png"),
            (image("GIF"), "image/png"),
            (image()[:200], "image/png"),
            (image(width=2001, height=10), "image/png"),
        ],
        ids=["empty", "garbage", "gif", "truncated", "too-wide"],
    )
    async def test_what_is_not_a_usable_png_or_jpeg_is_400(
        self, api: Api, owner: Member, content: bytes, content_type: str
    ) -> None:
        response = await upload_raw(api, owner, content, content_type)

        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "invalid_image"
        assert (await api.as_(owner).get(LOGO)).status_code == 404

    async def test_over_512_kb_is_413(self, api: Api, owner: Member) -> None:
        content = noise_png(450)
        assert 512 * 1024 < len(content) < 1024 * 1024

        raw = await upload_raw(api, owner, content)
        multipart = await api.as_(owner).put(
            LOGO, files={"file": ("big.png", content, "image/png")}
        )

        assert raw.status_code == 413
        assert raw.json()["error_code"] == "logo_too_large"
        assert multipart.status_code == 413

    async def test_other_content_types_are_415(self, api: Api, owner: Member) -> None:
        response = await upload_raw(api, owner, image(), "text/plain")

        assert response.status_code == 415
        assert response.json()["error_code"] == "unsupported_media_type"

    async def test_multipart_without_the_file_field_is_400(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).put(
            LOGO, files={"image": ("logo.png", image(), "image/png")}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_image"


class TestDelete:
    async def test_removes_it(self, api: Api, owner: Member) -> None:
        await upload_raw(api, owner, image())

        removed = await api.as_(owner).delete(LOGO)
        again = await api.as_(owner).delete(LOGO)

        assert removed.json() == {"message": "Logo removed"}
        assert (await api.as_(owner).get(LOGO)).status_code == 404
        assert again.status_code == 404


class TestAccess:
    async def test_members_see_it_admins_change_it(
        self, api: Api, owner: Member, admin: Member, member: Member
    ) -> None:
        saved = await upload_raw(api, admin, image())
        seen = await api.as_(member).get(LOGO)
        refused = await upload_raw(api, member, image())
        not_removed = await api.as_(member).delete(LOGO)

        assert (saved.status_code, seen.status_code) == (200, 200)
        assert refused.status_code == 403
        assert refused.json()["required_permission"] == "setting.update"
        assert not_removed.status_code == 403

    async def test_each_organisation_has_its_own(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        await upload_raw(api, owner, image())

        theirs = await api.as_(other_owner).get(LOGO)

        assert theirs.status_code == 404
        assert theirs.json()["error_code"] == "not_found"

    async def test_customers_cannot_read_it(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        client = await factory.client(owner.organization)
        customer = await factory.member(owner.organization, "customer", client_id=client.id)

        response = await api.as_(customer).get(LOGO)

        assert response.status_code == 403
