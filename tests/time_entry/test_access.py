"""Who may read and write which entries: roles, API-token scopes, organisations, customers.

The rule, route by route: an entry the caller cannot see (another organisation's; another
user's for a member without time_entry.fetch.other; another client's for a customer) is a
404, whatever the route. An entry the caller sees but may not change (another user's
without time_entry.update.other) is a 403 on every write route. A role without the
route's node (a viewer writing, a customer writing) is a 403 before any lookup.
"""

from __future__ import annotations

from typing import Any

from clocktower.organization.repository import RoleRepository
from clocktower.organization.service import add_member
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import (
    ENTRIES,
    add_entry,
    create_entry,
    entry_url,
    make_project,
    make_role,
    make_task,
    stored_entries,
    utc,
)

WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("PUT", "", {"notes": "Changed"}),
    ("PATCH", "", {"notes": "Changed"}),
    ("POST", "/notes", {"notes": "Changed"}),
    ("DELETE", "", {}),
]


async def attempt(
    api: Api, who: Member | str, method: str, entry_id: int, suffix: str = "", **body: Any
) -> Any:
    kwargs: dict[str, Any] = {"json": body} if method != "DELETE" and method != "GET" else {}
    return await api.as_(who).request(method, entry_url(entry_id) + suffix, **kwargs)


async def assert_untouched(factory: Factory, who: Member, notes: str | None = None) -> None:
    stored = await stored_entries(factory, who.organization)
    assert len(stored) == 1
    assert stored[0].notes == notes


class TestMembers:
    async def test_anothers_entry_is_invisible(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        theirs = await create_entry(api, owner)

        for method, suffix, body in [("GET", "", {}), *WRITES]:
            response = await attempt(api, member, method, theirs["id"], suffix, **body)
            assert response.status_code == 404, (method, suffix)
            assert response.json()["error_code"] == "not_found"
        assert theirs["id"] not in [
            e["id"] for e in (await api.as_(member).get(ENTRIES)).json()["time_entries"]
        ]
        await assert_untouched(factory, owner)

    async def test_own_entry_through_every_route(self, api: Api, member: Member) -> None:
        mine = await create_entry(api, member)

        for method, suffix, body in [("GET", "", {}), *WRITES]:
            response = await attempt(api, member, method, mine["id"], suffix, **body)
            assert response.status_code == 200, (method, suffix, response.text)

    async def test_admin_and_owner_change_anyones(
        self, api: Api, factory: Factory, owner: Member, admin: Member, member: Member
    ) -> None:
        mine = await create_entry(api, member)

        by_admin = await attempt(api, admin, "PUT", mine["id"], notes="By admin")
        by_owner = await attempt(api, owner, "POST", mine["id"], "/notes", notes="By owner")

        assert by_admin.status_code == by_owner.status_code == 200
        assert by_owner.json()["time_entry"]["user_id"] == member.id
        assert (await attempt(api, admin, "DELETE", mine["id"])).status_code == 200

    async def test_seeing_others_time_is_not_changing_it(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        moniker = await make_role(
            api,
            owner,
            "lead",
            [
                "time_entry.fetch",
                "time_entry.fetch.many",
                "time_entry.fetch.other",
                "time_entry.create",
                "time_entry.update",
                "time_entry.delete",
            ],
        )
        lead = await factory.member(owner.organization, moniker)
        theirs = await create_entry(api, owner)

        assert (await attempt(api, lead, "GET", theirs["id"])).status_code == 200
        for method, suffix, body in WRITES:
            response = await attempt(api, lead, method, theirs["id"], suffix, **body)
            assert response.status_code == 403, (method, suffix)
            assert response.json()["error_code"] == "forbidden"
        refused = await api.as_(lead).post(
            ENTRIES, json={"user_id": owner.id, "start_time": "2024-01-15T09:00:00Z"}
        )
        assert refused.status_code == 403
        await assert_untouched(factory, owner)


class TestViewers:
    async def test_read_everything_write_nothing(
        self, api: Api, factory: Factory, owner: Member, viewer: Member, member: Member
    ) -> None:
        theirs = await create_entry(api, member)

        listing = await api.as_(viewer).get(ENTRIES, params={"user_id": member.id})
        assert [e["id"] for e in listing.json()["time_entries"]] == [theirs["id"]]
        assert (await attempt(api, viewer, "GET", theirs["id"])).status_code == 200
        for method, suffix, body in WRITES:
            response = await attempt(api, viewer, method, theirs["id"], suffix, **body)
            assert response.status_code == 403, (method, suffix)
        created = await api.as_(viewer).post(ENTRIES, json={})
        assert created.status_code == 403
        assert created.json()["error_code"] == "forbidden"
        await assert_untouched(factory, member)


class TestTokens:
    async def test_read_scope_reads_only(self, api: Api, factory: Factory, member: Member) -> None:
        mine = await create_entry(api, member)
        token = await api_token(factory, member, ["read:time_entries"])

        assert (await api.as_(token).get(ENTRIES)).status_code == 200
        assert (await attempt(api, token, "GET", mine["id"])).status_code == 200
        denied = await api.as_(token).post(ENTRIES, json={})
        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "write:time_entries"
        assert denied.json()["available_scopes"] == ["read:time_entries"]
        for method, suffix, body in WRITES:
            response = await attempt(api, token, method, mine["id"], suffix, **body)
            assert response.status_code == 403, (method, suffix)
            assert response.json()["required_scope"] == "write:time_entries"

    async def test_write_scope_writes_but_does_not_read(
        self, api: Api, factory: Factory, member: Member
    ) -> None:
        token = await api_token(factory, member, ["write:time_entries"])

        created = await api.as_(token).post(
            ENTRIES, json={"start_time": "2024-01-15T09:00:00Z", "duration_seconds": 60}
        )
        assert created.status_code == 201
        entry_id = created.json()["time_entry"]["id"]
        assert (await attempt(api, token, "PUT", entry_id, notes="x")).status_code == 200
        listing = await api.as_(token).get(ENTRIES)
        assert listing.status_code == 403
        assert listing.json()["required_scope"] == "read:time_entries"
        assert (await attempt(api, token, "DELETE", entry_id)).status_code == 200

    async def test_other_scopes_reach_nothing(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        mine = await create_entry(api, owner)
        token = await api_token(factory, owner, ["read:projects", "write:projects"])

        assert (await api.as_(token).get(ENTRIES)).status_code == 403
        assert (await attempt(api, token, "GET", mine["id"])).status_code == 403
        assert (await api.as_(token).post(ENTRIES, json={})).status_code == 403

    async def test_a_token_never_exceeds_its_users_role(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        theirs = await create_entry(api, owner)
        token = await api_token(factory, member, ["read:time_entries", "write:time_entries"])

        assert (await attempt(api, token, "GET", theirs["id"])).status_code == 404
        other_user = await api.as_(token).get(ENTRIES, params={"user_id": owner.id})
        assert other_user.status_code == 403


class TestOrganisations:
    async def test_another_organisations_entry_is_404_everywhere(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        theirs = await create_entry(api, owner)

        for method, suffix, body in [("GET", "", {}), *WRITES]:
            response = await attempt(api, other_owner, method, theirs["id"], suffix, **body)
            assert response.status_code == 404, (method, suffix)
        for params in ({}, {"user_id": owner.id}, {"include_active": "true"}):
            listing = await api.as_(other_owner).get(ENTRIES, params=params)
            assert listing.json()["time_entries"] == [], params
        await assert_untouched(factory, owner)

    async def test_organisation_header_selects_the_tenant(
        self, api: Api, factory: Factory, owner: Member, other_owner: Member
    ) -> None:
        """A user in two organisations reads each one's entries, never both at once."""
        theirs = await create_entry(api, other_owner)
        mine = await create_entry(api, owner)
        both = await factory.member(owner.organization, "admin")
        # `both` is an admin of the other organisation too.
        role = await RoleRepository(factory.session).by_moniker(
            other_owner.organization.id, "admin"
        )
        assert role is not None
        await add_member(factory.session, other_owner.organization, both.user, role)
        await factory.session.commit()

        here = await api.as_(both).get(ENTRIES)
        there = await api.as_(both).get(
            ENTRIES, headers={"X-Organization-Id": str(other_owner.organization.id)}
        )

        assert [e["id"] for e in here.json()["time_entries"]] == [mine["id"]]
        assert [e["id"] for e in there.json()["time_entries"]] == [theirs["id"]]
        cross = await api.as_(both).get(
            entry_url(mine["id"]),
            headers={"X-Organization-Id": str(other_owner.organization.id)},
        )
        assert cross.status_code == 404


class TestCustomers:
    async def test_customer_sees_only_their_clients_projects_tasks_and_entries(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        organization = owner.organization
        acme = await factory.client(organization, name="Acme Corp")
        globex = await factory.client(organization, name="Globex")
        website = await make_project(factory, organization, name="Website", client_id=acme.id)
        portal = await make_project(factory, organization, name="Portal", client_id=globex.id)
        internal = await make_project(factory, organization, name="Internal")
        homepage = await make_task(factory, website, name="Homepage")
        login = await make_task(factory, portal, name="Login")
        await make_task(factory, internal, name="Payroll")
        ours = [
            await add_entry(factory, member, utc("2024-01-15T09:00"), project=website),
            await add_entry(
                factory, owner, utc("2024-01-16T09:00"), task=homepage, project=website
            ),
        ]
        theirs = await add_entry(factory, member, utc("2024-01-17T09:00"), project=portal)
        unbilled = await add_entry(factory, member, utc("2024-01-18T09:00"), project=internal)
        customer = await factory.member(organization, "customer", client_id=acme.id)

        projects = await api.as_(customer).get("/api/v1/projects")
        tasks = await api.as_(customer).get("/api/v1/tasks")
        entries = await api.as_(customer).get(ENTRIES, params={"enrich": "true"})

        assert [p["id"] for p in projects.json()["projects"]] == [website.id]
        assert [t["id"] for t in tasks.json()["tasks"]] == [homepage.id]
        assert [e["id"] for e in entries.json()["time_entries"]] == [e.id for e in reversed(ours)]
        assert entries.json()["pagination"]["total"] == 2
        assert {e["client"]["name"] for e in entries.json()["time_entries"]} == {"Acme Corp"}
        # Asking for another client's things finds nothing.
        assert (await api.as_(customer).get(f"/api/v1/projects/{portal.id}")).status_code == 404
        assert (await api.as_(customer).get(f"/api/v1/tasks/{login.id}")).status_code == 404
        for entry in (theirs, unbilled):
            assert (await attempt(api, customer, "GET", entry.id)).status_code == 404
        for params in ({"client_id": globex.id}, {"project_id": internal.id}):
            filtered = await api.as_(customer).get(ENTRIES, params=params)
            assert filtered.json()["time_entries"] == [], params
        # Their own client's entries of any colleague are readable, not writable.
        assert (await attempt(api, customer, "GET", ours[1].id)).status_code == 200
        assert (await attempt(api, customer, "PUT", ours[1].id, notes="x")).status_code == 403
        assert (await api.as_(customer).post(ENTRIES, json={})).status_code == 403


async def test_anonymous_and_forged_tokens_are_unauthorized(api: Api, owner: Member) -> None:
    mine = await create_entry(api, owner)

    for method in ("GET", "PUT", "PATCH", "DELETE"):
        anonymous = await api.request(method, entry_url(mine["id"]))
        assert anonymous.status_code == 401
        forged = await api.as_(owner.token + "x").request(method, entry_url(mine["id"]))
        assert forged.status_code == 401
        assert forged.json()["error_code"] == "unauthorized"
