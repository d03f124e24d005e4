"""Client, project and task names of an import, resolved inside the organisation.

Existing ones match case-insensitively (a project within its client, a task within its
project); a missing one is created once, however many rows name it, when the caller may
create it (client.create, project.create, task.create). A project that is not active
refuses new time, as everywhere in the ledger. The organisation's clients and projects
are read with one statement each, the tasks of the projects named with one more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.client.service import GENERAL_SUPPORT
from clocktower.models import Client, Project, Task
from clocktower.time_entry_io.importing.base import ParsedRow, RowError
from clocktower.time_entry_io.repository import (
    NameRepository,
    ProjectName,
    TaskName,
    insert_returning,
    record_audit,
)

NAME_LIMITS = {"client": 200, "project": 200, "task": 300}

# A client, project or task: an existing id, a new one's key, or none.
ClientToken = int | str | None
ProjectToken = int | tuple[ClientToken, str] | None
TaskToken = int | tuple[ProjectToken, str] | None


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class RowNames:
    client: ClientToken
    project: ProjectToken
    task: TaskToken = None


@dataclass(frozen=True)
class EntryReferences:
    client_id: int | None
    project_id: int | None
    task_id: int | None
    billable: bool


@dataclass(frozen=True)
class CreatedCounts:
    clients: int = 0
    projects: int = 0
    tasks: int = 0


class NamePlan:
    def __init__(
        self, auth: AuthContext, columns: dict[str, str], *, general_support: bool
    ) -> None:
        self.auth = auth
        self.columns = columns
        self.general_support = general_support
        self.clients: dict[str, list[int]] = defaultdict(list)
        self.projects: dict[tuple[int | None, str], list[ProjectName]] = defaultdict(list)
        self.projects_by_name: dict[str, list[ProjectName]] = defaultdict(list)
        self.project_rows: dict[int, ProjectName] = {}
        self.tasks: dict[tuple[int, str], list[TaskName]] = defaultdict(list)
        self.new_clients: dict[str, str] = {}
        self.new_projects: dict[tuple[ClientToken, str], str] = {}
        self.new_tasks: dict[tuple[ProjectToken, str], str] = {}
        self.rows: dict[int, RowNames] = {}
        self._client_ids: dict[str, int] = {}
        self._project_ids: dict[tuple[ClientToken, str], int] = {}
        self._task_ids: dict[tuple[ProjectToken, str], int] = {}
        self._projects_with_tasks: set[int] = set()

    # --- reading what exists ---------------------------------------------------------

    async def load(self, session: AsyncSession, rows: list[ParsedRow]) -> None:
        names = NameRepository(session)
        if any(row.client or row.project for row in rows):
            # A customer member sees (and so matches) only their own client's names.
            own = self.auth.client_id
            # Active clients first: they win a name shared with an archived one.
            for client in sorted(
                await names.clients(self.auth.org_id), key=lambda c: (not c.is_active, c.id)
            ):
                if own is None or client.id == own:
                    self.clients[name_key(client.name)].append(client.id)
            for project in await names.projects(self.auth.org_id):
                if own is not None and project.client_id != own:
                    continue
                self.projects[(project.client_id, name_key(project.name))].append(project)
                self.projects_by_name[name_key(project.name)].append(project)
                self.project_rows[project.id] = project

    async def load_tasks(self, session: AsyncSession) -> None:
        wanted = self._projects_with_tasks
        if wanted:
            for task in await NameRepository(session).tasks(self.auth.org_id, sorted(wanted)):
                bucket = self.tasks[(task.project_id, name_key(task.name))]
                # Open tasks before completed ones of the same name.
                bucket.insert(len(bucket) if task.is_completed else 0, task)

    # --- resolving one row -----------------------------------------------------------

    def resolve(self, row: ParsedRow) -> None:
        """Client and project of a row (tasks come after `load_tasks`); raises RowError."""
        client = self._client(row)
        project, client = self._project(row, client)
        if row.task is not None and project is None:
            raise RowError(self.columns["task"], "A task needs a project")
        self._own_client_only(client)
        self.rows[row.line] = RowNames(client, project, None)
        if row.task is not None and isinstance(project, int):
            self._projects_with_tasks.add(project)

    def resolve_task(self, row: ParsedRow) -> None:
        names = self.rows[row.line]
        if row.task is None or names.project is None:
            return
        name = self._checked("task", row.task)
        key = name_key(name)
        if isinstance(names.project, int):
            found = self.tasks.get((names.project, key))
            if found:
                names.task = found[0].id
                return
        self._may_create("task", name)
        self.new_tasks.setdefault((names.project, key), name)
        names.task = (names.project, key)

    def _client(self, row: ParsedRow) -> ClientToken:
        if row.client is None:
            return None
        name = self._checked("client", row.client)
        found = self.clients.get(name_key(name))
        if found:
            return found[0]
        self._may_create("client", name)
        self.new_clients.setdefault(name_key(name), name)
        return name_key(name)

    def _project(self, row: ParsedRow, client: ClientToken) -> tuple[ProjectToken, ClientToken]:
        if row.project is None:
            return None, client
        name = self._checked("project", row.project)
        key = name_key(name)
        if client is None or isinstance(client, int):
            candidates = self.projects.get((client, key), [])
            if client is None and not candidates:
                # No client column: a live project of that name under any one client.
                live = [p for p in self.projects_by_name.get(key, []) if p.status != "archived"]
                if len(live) > 1:
                    raise RowError(
                        self.columns["project"],
                        f"Several clients have a project named {name!r}: name the client",
                    )
                candidates = live
            if candidates:
                chosen = self._usable(candidates, name)
                return chosen.id, chosen.client_id
        if not (isinstance(client, str) and self.general_support and key == _GENERAL_SUPPORT):
            self._may_create("project", name)
        self.new_projects.setdefault((client, key), name)
        return (client, key), client

    def _usable(self, candidates: list[ProjectName], name: str) -> ProjectName:
        live = [project for project in candidates if project.status != "archived"]
        status = live[0].status if live else "archived"
        if status != "active":
            raise RowError(
                self.columns["project"],
                f"The project {name!r} is {status.replace('_', ' ')}: time cannot be tracked on it",
            )
        return live[0]

    def _own_client_only(self, client: ClientToken) -> None:
        """Customer members only ever write their own client's time (the ledger's rule)."""
        if self.auth.client_id is not None and client != self.auth.client_id:
            raise RowError(self.columns["client"], "Time must be on your own client")

    def _checked(self, field: str, name: str) -> str:
        name = name.strip()
        if len(name) > NAME_LIMITS[field]:
            raise RowError(
                self.columns[field], f"A {field} name is at most {NAME_LIMITS[field]} characters"
            )
        return name

    def _may_create(self, field: str, name: str) -> None:
        node = f"{field}.create"
        if not self.auth.allows(node):
            raise RowError(
                self.columns[field],
                f"There is no {field} named {name!r}, and creating one needs the {node} permission",
            )

    # --- writing ---------------------------------------------------------------------

    async def create(self, session: AsyncSession) -> CreatedCounts:
        """Creates every planned name: one batched INSERT per kind, audited. Created rows
        come back in the database's order; they are matched to their plan by name."""
        org_id = self.auth.org_id
        clients = await insert_returning(
            session,
            Client,
            [{"organization_id": org_id, "name": name} for name in self.new_clients.values()],
        )
        self._client_ids = {name_key(client.name): client.id for client in clients}
        planned: dict[tuple[ClientToken, str], dict[str, Any]] = {}
        if self.general_support:
            # A new client gets its General Support project, as anywhere else (S2.1).
            for key, client_id in self._client_ids.items():
                planned[(key, _GENERAL_SUPPORT)] = {
                    "name": GENERAL_SUPPORT,
                    "client_id": client_id,
                    "is_default_for_client": True,
                }
        for (client_token, key), name in self.new_projects.items():
            planned.setdefault(
                (client_token, key),
                {"name": name, "client_id": self.client_id(client_token)},
            )
        projects = await insert_returning(
            session,
            Project,
            [
                {"is_default_for_client": False, **values, "organization_id": org_id}
                | {"status": "active", "billable": True}
                for values in planned.values()
            ],
        )
        client_tokens: dict[int | None, ClientToken] = {
            client_id: key for key, client_id in self._client_ids.items()
        }
        self._project_ids = {
            (client_tokens.get(p.client_id, p.client_id), name_key(p.name)): p.id for p in projects
        }
        tasks = await insert_returning(
            session,
            Task,
            [
                {"organization_id": org_id, "project_id": self.project_id(token[0]), "name": name}
                for token, name in self.new_tasks.items()
            ],
        )
        project_tokens = {project_id: token for token, project_id in self._project_ids.items()}
        self._task_ids = {
            (project_tokens.get(t.project_id, t.project_id), name_key(t.name)): t.id for t in tasks
        }
        for object_type, rows, fields in (
            ("client", clients, ("name",)),
            ("project", projects, ("name", "client_id", "status")),
            ("task", tasks, ("name", "project_id")),
        ):
            await record_audit(
                session,
                org_id,
                object_type,
                "create",
                {row.id: {field: getattr(row, field) for field in fields} for row in rows},
            )
        return CreatedCounts(len(clients), len(projects), len(tasks))

    def client_id(self, token: ClientToken) -> int | None:
        return self._client_ids[token] if isinstance(token, str) else token

    def project_id(self, token: ProjectToken) -> int | None:
        if token is None or isinstance(token, int):
            return token
        return self._project_ids[token]

    def references(self, row: ParsedRow) -> EntryReferences:
        names = self.rows[row.line]
        project_id = self.project_id(names.project)
        existing = self.project_rows.get(project_id) if project_id is not None else None
        if existing is not None:
            client_id = existing.client_id
            billable = existing.billable
        else:
            client_id = self.client_id(names.client)
            billable = True
        task = names.task
        task_id = task if task is None or isinstance(task, int) else self._task_ids[task]
        return EntryReferences(
            client_id=client_id,
            project_id=project_id,
            task_id=task_id,
            billable=row.billable if row.billable is not None else billable,
        )


_GENERAL_SUPPORT = name_key(GENERAL_SUPPORT)
