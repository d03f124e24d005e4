"""Two devices of one user (and a colleague's third) edit offline in random order: they
queue creates, updates and deletes of time entries and tasks (naming tasks created
offline by `refs`, editing from the versions they hold), push (sometimes losing the
answer and pushing again), and pull, in any order. Once every device has pushed
everything and pulled to the end, the user's two devices hold exactly the same objects,
and both equal what the list endpoints show; the colleague agrees on the shared tasks.

A hypothesis state machine drives the real API. Its rules are synchronous, so it runs in
a worker thread and hands each request to the test's event loop (where the app, the
database connection and the HTTP client live) and waits for the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from tests.support import Api, Factory, Member
from tests.sync.support import (
    LISTS,
    Key,
    create,
    delete,
    new_ref,
    objects_of,
    pull_page,
    push,
    update,
)
from tests.time_entry.conftest import add_entry, make_project, make_task

T = TypeVar("T")
Runner = Callable[[Coroutine[Any, Any, T]], T]

MACHINE = settings(
    max_examples=15,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
BASE = datetime(2024, 3, 1, tzinfo=UTC)
NAMES = st.sampled_from(["Design", "Build", "Test", "Ship", "design"])
NOTES = st.sampled_from(["", "call", "review", "fix", "meeting notes"])
# What a push in this world may refuse: a ref to a task whose create was refused, or a
# task that was deleted; deleting a task that still has time on it.
EXPECTED_REFUSALS = {"invalid_reference", "task_in_use"}
SHARED = ("client", "project", "task")


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Device:
    """An app's local copy (server-confirmed objects by (type, id)), its sync token and
    its queue of offline changes not yet answered."""

    name: str
    who: Member
    store: dict[Key, dict[str, Any]] = field(default_factory=dict)
    # The highest version seen of every object, deletions included: an older answer (a
    # replayed push) never brings back what a newer change removed or changed.
    seen: dict[Key, int] = field(default_factory=dict)
    token: str = "*"
    queue: list[dict[str, Any]] = field(default_factory=list)
    task_refs: list[str] = field(default_factory=list)
    lost: dict[str, dict[str, Any]] = field(default_factory=dict)

    def keys(self, kind: str) -> list[Key]:
        return sorted(key for key in self.store if key[0] == kind)

    def adopt(self, key: Key, item: dict[str, Any]) -> None:
        if item["version"] >= self.seen.get(key, -1):
            self.store[key] = item
            self.seen[key] = item["version"]

    def forget(self, key: Key, version: int) -> None:
        if version >= self.seen.get(key, -1):
            self.store.pop(key, None)
            self.seen[key] = version

    def apply_page(self, page: dict[str, Any]) -> None:
        if page["snapshot"] and self.token == "*":
            self.store.clear()
        for key, item in objects_of(page).items():
            self.adopt(key, item)
        for gone in page["deleted"]:
            self.forget((gone["type"], gone["id"]), gone["version"])
        self.token = page["sync_token"]

    def apply_result(self, result: dict[str, Any]) -> None:
        if result["status"] == "rejected" or result["id"] is None:
            return
        key = (result["type"], result["id"])
        if result["deleted"]:
            self.forget(key, result["version"])
        else:
            self.adopt(key, result["object"])


def machine(run: Runner[Any], api: Api, factory: Factory) -> type[RuleBasedStateMachine]:
    class TwoDevices(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.user, self.colleague, self.project_id = run(self._world())
            self.devices = [
                Device("laptop", self.user),
                Device("phone", self.user),
                Device("colleague", self.colleague),
            ]
            for device in self.devices:
                run(self._pull(device, 500))
            # Every write of this world is a push the harness sees (lost answers too): the
            # server's version of each object, and whether it is gone, is known exactly.
            self.truth: dict[Key, tuple[int, bool]] = {
                key: (version, False)
                for device in self.devices
                for key, version in device.seen.items()
            }
            self.answered: dict[str, dict[str, Any]] = {}

        @staticmethod
        async def _world() -> tuple[Member, Member, int]:
            owner = await factory.organization()
            user = await factory.member(owner.organization, "member")
            colleague = await factory.member(owner.organization, "member")
            project = await make_project(factory, owner.organization, name="Product")
            # Something to edit from the first step on.
            tasks = [await make_task(factory, project, name=name) for name in ("Plan", "Ship")]
            for number, who in enumerate((user, user, user, colleague, colleague)):
                start = BASE + timedelta(hours=3 * number)
                await add_entry(factory, who, start, task=tasks[number % 2] if number < 2 else None)
            return user, colleague, project.id

        # --- offline edits ----------------------------------------------------------------

        @rule(d=st.integers(0, 2), data=st.data())
        def create_entry(self, d: int, data: st.DataObject) -> None:
            device = self.devices[d]
            start = BASE + timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 20)))
            end = start + timedelta(minutes=data.draw(st.integers(1, 240)))
            body: dict[str, Any] = {
                "start_time": iso(start),
                "end_time": iso(end),
                "notes": data.draw(NOTES),
            }
            refs = None
            link = data.draw(st.sampled_from(["none", "task", "ref"]))
            if link == "task" and device.keys("task"):
                body["task_id"] = data.draw(st.sampled_from(device.keys("task")))[1]
            elif link == "ref" and device.task_refs:
                refs = {"task_id": data.draw(st.sampled_from(device.task_refs))}
            device.queue.append(create("time_entry", body, refs=refs))

        @rule(d=st.integers(0, 2), data=st.data())
        def update_entry(self, d: int, data: st.DataObject) -> None:
            device = self.devices[d]
            if not device.keys("time_entry"):
                return
            key = data.draw(st.sampled_from(device.keys("time_entry")))
            what = data.draw(st.sampled_from(["notes", "duration", "task", "untask"]))
            body: dict[str, Any] = {}
            refs = None
            if what == "notes":
                body["notes"] = data.draw(NOTES)
            elif what == "duration":
                body["duration_seconds"] = 60 * data.draw(st.integers(1, 240))
            elif what == "task" and device.task_refs and data.draw(st.booleans()):
                refs = {"task_id": data.draw(st.sampled_from(device.task_refs))}
            elif what == "task" and device.keys("task"):
                body["task_id"] = data.draw(st.sampled_from(device.keys("task")))[1]
            else:
                body["task_id"] = None
            version = device.store[key]["version"]
            device.queue.append(update("time_entry", key[1], version, body, refs=refs))

        @rule(d=st.integers(0, 2), data=st.data())
        def delete_entry(self, d: int, data: st.DataObject) -> None:
            device = self.devices[d]
            if not device.keys("time_entry"):
                return
            key = data.draw(st.sampled_from(device.keys("time_entry")))
            device.queue.append(delete("time_entry", key[1], device.store[key]["version"]))

        @rule(d=st.integers(0, 2), name=NAMES)
        def create_task(self, d: int, name: str) -> None:
            device = self.devices[d]
            ref = new_ref()
            device.task_refs.append(ref)
            body = {"name": name, "project_id": self.project_id}
            device.queue.append(create("task", body, client_ref=ref))

        @rule(d=st.integers(0, 2), data=st.data())
        def update_task(self, d: int, data: st.DataObject) -> None:
            device = self.devices[d]
            if not device.keys("task"):
                return
            key = data.draw(st.sampled_from(device.keys("task")))
            body = data.draw(
                st.one_of(
                    NAMES.map(lambda name: {"name": name}),
                    st.sampled_from(["todo", "in_progress", "done"]).map(
                        lambda status: {"status": status}
                    ),
                )
            )
            device.queue.append(update("task", key[1], device.store[key]["version"], body))

        @rule(d=st.integers(0, 2), data=st.data())
        def delete_task(self, d: int, data: st.DataObject) -> None:
            device = self.devices[d]
            if not device.keys("task"):
                return
            key = data.draw(st.sampled_from(device.keys("task")))
            device.queue.append(delete("task", key[1], device.store[key]["version"]))

        # --- going online -----------------------------------------------------------------

        @rule(d=st.integers(0, 2))
        def push_queue(self, d: int) -> None:
            self._push(self.devices[d])

        @rule(d=st.integers(0, 2))
        def push_and_lose_the_answer(self, d: int) -> None:
            """The push is applied but its answer never arrives: the queue stays, and the
            next push replays it."""
            device = self.devices[d]
            if not device.queue:
                return
            results = self._send(device)
            device.lost.update({result["client_ref"]: result for result in results})

        @rule(d=st.integers(0, 2), limit=st.sampled_from([3, 500]))
        def pull(self, d: int, limit: int) -> None:
            run(self._pull(self.devices[d], limit))

        def teardown(self) -> None:
            for device in self.devices:
                self._push(device)
            for device in self.devices:
                run(self._pull(device, 500))
            laptop, phone, colleague = self.devices
            assert laptop.store == phone.store
            assert shared(laptop.store) == shared(colleague.store)
            for device in (laptop, colleague):
                server = run(server_state(api, device.who))
                assert as_listed(device.store, server) == server

        # --- helpers ----------------------------------------------------------------------

        def _push(self, device: Device) -> None:
            if not device.queue:
                return
            results = self._send(device)
            for result in results:
                device.lost.pop(result["client_ref"], None)
                device.apply_result(result)
            device.queue.clear()

        def _send(self, device: Device) -> list[dict[str, Any]]:
            """Pushes the device's queue and checks every answer against the truth."""
            results: list[dict[str, Any]] = run(push(api, device.who, device.queue))
            before = dict(self.truth)
            for change, result in zip(device.queue, results, strict=True):
                ref = result["client_ref"]
                assert ref == change["client_ref"]
                if ref in self.answered:
                    # A replay answers what the first answer said, word for word.
                    assert result == self.answered[ref]
                    continue
                self.answered[ref] = result
                event(f"{change['type']} {change['op']} {result['status']}")
                self._check(change, result, before)
                if change["op"] == "delete" and result["status"] == "applied":
                    # Later changes of this push find the object gone.
                    before[(change["type"], change["id"])] = (0, True)
                if result["status"] != "rejected":
                    self.truth[(result["type"], result["id"])] = (
                        result["version"],
                        result["deleted"],
                    )
            return results

        @staticmethod
        def _check(
            change: dict[str, Any], result: dict[str, Any], before: dict[Key, tuple[int, bool]]
        ) -> None:
            """The conflict rule, against the state before the push (and the deletions of
            its earlier changes): an edit applies if the object did not change on the server
            after its base version, and conflicts (changing nothing) if it did."""
            status = result["status"]
            if status == "rejected":
                assert result["error"]["error_code"] in EXPECTED_REFUSALS, result
                return
            if change["op"] == "create":
                assert status == "applied", result
                return
            version, gone = before[(change["type"], change["id"])]
            if gone:
                expected = "applied" if change["op"] == "delete" else "conflict"
                assert (status, result["deleted"]) == (expected, True), result
            elif version > change["base_version"]:
                assert status == "conflict", (change, result, version)
            else:
                assert status == "applied", (change, result, version)
                # A result shows the object after the whole push: deleted only if a delete
                # of this push (this one, or a later one) removed it.
                if change["op"] == "delete":
                    assert result["deleted"], result

        @staticmethod
        async def _pull(device: Device, limit: int) -> None:
            for _ in range(1000):
                page = await pull_page(api, device.who, device.token, limit=limit)
                device.apply_page(page)
                if not page["has_more"]:
                    return
            raise AssertionError("still has_more after 1000 pages")

    return TwoDevices


def shared(store: dict[Key, dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    return {key: item for key, item in store.items() if key[0] in SHARED}


def as_listed(
    store: dict[Key, dict[str, Any]], server: dict[Key, dict[str, Any]]
) -> dict[Key, dict[str, Any]]:
    """The device's entries and tasks, each cut to the fields its list endpoint shows."""
    return {
        key: {name: item.get(name) for name in server.get(key, item) if name != "version"}
        for key, item in store.items()
        if key[0] in ("task", "time_entry")
    }


async def server_state(api: Api, who: Member) -> dict[Key, dict[str, Any]]:
    """The caller's time entries and the organisation's tasks, from the list endpoints."""
    state: dict[Key, dict[str, Any]] = {}
    for kind, url in (("time_entry", "/api/v1/time-entries"), ("task", "/api/v1/tasks")):
        page = 1
        while True:
            response = await api.as_(who).get(url, params={"page": page, "per_page": 100})
            assert response.status_code == 200, response.text
            body = response.json()
            state.update({(kind, item["id"]): item for item in body[LISTS[kind]]})
            if not body["pagination"]["has_next"]:
                break
            page += 1
    return state


async def test_devices_and_server_agree_after_random_offline_edits(
    api: Api, factory: Factory
) -> None:
    loop = asyncio.get_running_loop()

    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

    two_devices = machine(run, api, factory)
    await asyncio.to_thread(run_state_machine_as_test, two_devices, settings=MACHINE)
