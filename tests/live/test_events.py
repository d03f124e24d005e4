"""GET /api/v1/events: the snapshot, every event type, who receives what, heartbeats,
disconnects and overflow."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.live.events import LiveEvent
from clocktower.live.hub import Hub, InProcessHub
from clocktower.models import Client, Project
from tests.live.stream import EventStream
from tests.support import Api, Factory, Member, api_token
from tests.time_entry.conftest import make_project

START = "/api/v1/timer/start"
STOP = "/api/v1/timer/stop"
ENTRIES = "/api/v1/time-entries"


async def start_timer(api: Api, who: Member, project: Project) -> dict[str, Any]:
    response = await api.as_(who).post(START, json={"project_id": project.id})
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()["timer"]
    return entry


async def add_entry(api: Api, who: Member, project: Project) -> dict[str, Any]:
    response = await api.as_(who).post(
        ENTRIES,
        json={
            "project_id": project.id,
            "start_time": "2024-03-04T09:00:00Z",
            "end_time": "2024-03-04T10:00:00Z",
        },
    )
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()["time_entry"]
    return entry


# --- connecting ---------------------------------------------------------------------


async def test_stream_opens_with_a_snapshot(
    api: Api, app: Any, owner: Member, member: Member, project: Project, factory: Factory
) -> None:
    client = Client(organization_id=owner.organization.id, name="Initech")
    factory.session.add(client)
    await factory.session.commit()
    focus = await api.as_(member).put(f"/api/v1/clients/{client.id}/focus", json={"note": "x"})
    assert focus.status_code == 200, focus.text
    running = await start_timer(api, owner, project)

    async with EventStream(app, owner.token) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-cache"
        snapshot = await stream.next()

    assert snapshot.event == "snapshot"
    assert snapshot.id
    assert snapshot.data["organization_id"] == owner.organization.id
    assert snapshot.data["user_id"] == owner.id
    assert snapshot.data["timer"]["id"] == running["id"]
    assert snapshot.data["timer"]["is_active"] is True
    assert [f["user"]["id"] for f in snapshot.data["customer_focus"]] == [member.id]
    assert snapshot.data["customer_focus"][0]["client"] == {"id": client.id, "name": "Initech"}


async def test_snapshot_without_timer_or_focus(api: Api, app: Any, member: Member) -> None:
    async with EventStream(app, member.token) as stream:
        snapshot = await stream.next()
    assert snapshot.data["timer"] is None
    assert snapshot.data["customer_focus"] == []


async def test_anonymous_is_401(api: Api, app: Any) -> None:
    async with EventStream(app, None) as stream:
        assert stream.status == 401
        body = await stream.body_json()
    assert body["error_code"] in ("unauthorized", "not_authenticated")


async def test_customer_without_permission_is_403(
    api: Api, app: Any, owner: Member, factory: Factory
) -> None:
    client = Client(organization_id=owner.organization.id, name="Portal client")
    factory.session.add(client)
    await factory.session.commit()
    customer = await factory.member(owner.organization, "customer", client_id=client.id)
    async with EventStream(app, customer.token) as stream:
        assert stream.status == 403
        body = await stream.body_json()
    assert body["required_permission"] == "live.subscribe"


async def test_api_token_needs_the_read_time_entries_scope(
    api: Api, app: Any, owner: Member, factory: Factory
) -> None:
    without = await api_token(factory, owner, ["read:projects"])
    async with EventStream(app, without) as stream:
        assert stream.status == 403
        assert (await stream.body_json())["required_scope"] == "read:time_entries"
    with_scope = await api_token(factory, owner, ["read:time_entries"])
    async with EventStream(app, with_scope) as stream:
        assert stream.status == 200
        assert (await stream.next()).event == "snapshot"


async def test_without_accept_event_stream_is_406(api: Api, app: Any, owner: Member) -> None:
    for accept in (None, "application/json", "*/*"):
        async with EventStream(app, owner.token, accept=accept) as stream:
            assert stream.status == 406
            assert (await stream.body_json())["error_code"] == "not_acceptable"
    async with EventStream(app, owner.token, accept="text/html, text/event-stream;q=0.9") as ok:
        assert ok.status == 200


# --- the event types ----------------------------------------------------------------


async def test_timer_start_and_stop(api: Api, app: Any, owner: Member, project: Project) -> None:
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        entry = await start_timer(api, owner, project)
        created, started, changed = await stream.events(3)
        stopped_response = await api.as_(owner).post(STOP)
        assert stopped_response.status_code == 200, stopped_response.text
        updated, stopped, cleared = await stream.events(3)

    assert (created.event, created.data["id"], created.data["is_active"]) == (
        "time_entry.created",
        entry["id"],
        True,
    )
    assert (started.event, started.data["id"]) == ("timer.started", entry["id"])
    assert changed.event == "active_timer.changed"
    assert changed.data["user_id"] == owner.id
    assert changed.data["timer"]["id"] == entry["id"]
    assert (updated.event, updated.data["is_active"]) == ("time_entry.updated", False)
    assert (stopped.event, stopped.data["id"]) == ("timer.stopped", entry["id"])
    assert stopped.data["end_time"] is not None
    assert cleared.event == "active_timer.changed"
    assert cleared.data == {"user_id": owner.id, "timer": None}
    ids = [m.id for m in (created, started, changed, updated, stopped, cleared)]
    assert len(set(ids)) == 6


async def test_entry_created_updated_deleted(
    api: Api, app: Any, owner: Member, project: Project
) -> None:
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        entry = await add_entry(api, owner, project)
        created = await stream.next()
        changed = await api.as_(owner).patch(f"{ENTRIES}/{entry['id']}", json={"notes": "Call"})
        assert changed.status_code == 200, changed.text
        updated = await stream.next()
        deleted_response = await api.as_(owner).delete(f"{ENTRIES}/{entry['id']}")
        assert deleted_response.status_code == 200, deleted_response.text
        deleted = await stream.next()

    assert (created.event, created.data["id"]) == ("time_entry.created", entry["id"])
    assert (updated.event, updated.data["notes"]) == ("time_entry.updated", "Call")
    assert (deleted.event, deleted.data["id"]) == ("time_entry.deleted", entry["id"])


async def test_active_timer_resource_changes(
    api: Api, app: Any, owner: Member, project: Project
) -> None:
    url = f"/api/v1/active-timers/{owner.id}"
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        put = await api.as_(owner).put(url, json={"project_id": project.id})
        assert put.status_code in (200, 201), put.text
        started = await stream.next_event("active_timer.changed")
        changed_response = await api.as_(owner).put(url, json={"notes": "Deep work"})
        assert changed_response.status_code == 200, changed_response.text
        changed = await stream.next_event("active_timer.changed")
        discarded_response = await api.as_(owner).delete(url)
        assert discarded_response.status_code in (200, 204), discarded_response.text
        deleted = await stream.next()
        discarded = await stream.next()

    assert started.data["timer"]["project_id"] == project.id
    assert changed.data["timer"]["notes"] == "Deep work"
    assert (deleted.event, deleted.data["is_active"]) == ("time_entry.deleted", True)
    assert (discarded.event, discarded.data) == (
        "active_timer.changed",
        {"user_id": owner.id, "timer": None},
    )


async def test_customer_focus_changes(
    api: Api, app: Any, owner: Member, member: Member, factory: Factory
) -> None:
    client = Client(organization_id=owner.organization.id, name="Globex")
    factory.session.add(client)
    await factory.session.commit()
    url = f"/api/v1/clients/{client.id}/focus"
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        assert (await api.as_(member).put(url, json={"note": "On site"})).status_code == 200
        focused = await stream.next()
        assert (await api.as_(member).delete(url)).status_code == 200
        cleared = await stream.next()

    assert focused.event == "customer_focus.changed"
    assert focused.data["user_id"] == member.id
    assert focused.data["focus"]["client"] == {"id": client.id, "name": "Globex"}
    assert focused.data["focus"]["note"] == "On site"
    assert cleared.data == {"user_id": member.id, "client_id": client.id, "focus": None}


# --- who receives what --------------------------------------------------------------


async def test_member_sees_only_their_own_time(
    api: Api, app: Any, owner: Member, member: Member, project: Project
) -> None:
    async with EventStream(app, member.token) as stream:
        await stream.next_event("snapshot")
        await start_timer(api, owner, project)  # not the member's business
        own = await start_timer(api, member, project)
        first = await stream.next()
    assert (first.event, first.data["id"], first.data["user_id"]) == (
        "time_entry.created",
        own["id"],
        member.id,
    )


async def test_viewer_and_admin_see_everyones_time(
    api: Api, app: Any, owner: Member, viewer: Member, admin: Member, project: Project
) -> None:
    async with (
        EventStream(app, viewer.token) as seen_by_viewer,
        EventStream(app, admin.token) as seen_by_admin,
    ):
        await seen_by_viewer.next_event("snapshot")
        await seen_by_admin.next_event("snapshot")
        entry = await start_timer(api, owner, project)
        for stream in (seen_by_viewer, seen_by_admin):
            event = await stream.next_event("timer.started")
            assert event.data["id"] == entry["id"]


async def test_customer_with_live_permission_sees_only_their_client(
    api: Api, app: Any, owner: Member, factory: Factory
) -> None:
    mine = Client(organization_id=owner.organization.id, name="Mine")
    theirs = Client(organization_id=owner.organization.id, name="Theirs")
    factory.session.add_all([mine, theirs])
    await factory.session.commit()
    role = await api.as_(owner).post(
        "/api/v1/roles",
        json={
            "title": "Portal live",
            "moniker": "portal_live",
            "permissions": [
                "live.subscribe",
                "time_entry.fetch",
                "time_entry.fetch.many",
                "time_entry.fetch.other",
            ],
        },
    )
    assert role.status_code == 201, role.text
    customer = await factory.member(owner.organization, "portal_live", client_id=mine.id)
    on_mine = await make_project(factory, owner.organization, name="A", client_id=mine.id)
    on_theirs = await make_project(factory, owner.organization, name="B", client_id=theirs.id)
    async with EventStream(app, customer.token) as stream:
        snapshot = await stream.next_event("snapshot")
        assert snapshot.data["customer_focus"] is None
        focus = await api.as_(owner).put(f"/api/v1/clients/{mine.id}/focus")
        assert focus.status_code == 200  # internal only: never reaches the customer
        await add_entry(api, owner, on_theirs)
        visible = await add_entry(api, owner, on_mine)
        first = await stream.next()
    assert (first.event, first.data["id"]) == ("time_entry.created", visible["id"])


async def test_other_organisations_events_never_arrive(
    api: Api, app: Any, owner: Member, other_owner: Member, project: Project, factory: Factory
) -> None:
    theirs = await make_project(factory, other_owner.organization, name="Theirs")
    async with EventStream(app, other_owner.token) as stream:
        await stream.next_event("snapshot")
        await start_timer(api, owner, project)
        own = await start_timer(api, other_owner, theirs)
        first = await stream.next()
    assert (first.event, first.data["id"]) == ("time_entry.created", own["id"])


async def test_organisation_header_selects_the_stream(
    api: Api, app: Any, owner: Member, other_owner: Member, factory: Factory
) -> None:
    """A member of two organisations streams the one X-Organization-Id names."""
    both = await factory.member(other_owner.organization, "member")
    await factory.member(owner.organization, "member", email=None)
    async with EventStream(
        app, both.token, headers={"X-Organization-Id": str(owner.organization.id)}
    ) as stream:
        assert stream.status == 403  # not a member of owner's organisation
    async with EventStream(
        app, both.token, headers={"X-Organization-Id": str(other_owner.organization.id)}
    ) as stream:
        assert (await stream.next()).data["organization_id"] == other_owner.organization.id


# --- the stream itself --------------------------------------------------------------


async def test_heartbeat(api: Api, app: Any, owner: Member, hub: Hub) -> None:
    hub.heartbeat_seconds = 0.02
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        ping = await stream.next(skip_pings=False)
        again = await stream.next(skip_pings=False)
    assert ping.comment == "ping"
    assert again.comment == "ping"


async def test_disconnect_unsubscribes(api: Api, app: Any, owner: Member, hub: Hub) -> None:
    organization_id = owner.organization.id
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        assert hub.subscriber_count(organization_id) == 1
    assert hub.subscriber_count(organization_id) == 0
    assert stream._task is not None
    assert stream._task.done()


async def test_slow_consumer_gets_overflow_and_is_dropped(
    api: Api, app: Any, owner: Member, hub: Hub
) -> None:
    hub.queue_size = 3
    organization_id = owner.organization.id
    async with EventStream(app, owner.token) as stream:
        await stream.next_event("snapshot")
        hub.publish_nowait(
            [
                LiveEvent(organization_id, "time_entry.deleted", {"id": n}, id=f"e{n}")
                for n in range(5)
            ]
        )
        assert hub.subscriber_count(organization_id) == 0
        last = await stream.next()
        assert last.event == "overflow"
        with pytest.raises(EOFError):
            await stream.next()


async def test_hub_shutdown_ends_streams(api: Api, app: Any, owner: Member) -> None:
    own_hub = InProcessHub()
    previous = app.state.live_hub
    app.state.live_hub = own_hub
    try:
        async with EventStream(app, owner.token) as stream:
            await stream.next_event("snapshot")
            await own_hub.close()
            with pytest.raises(EOFError):
                await stream.next()
    finally:
        app.state.live_hub = previous
