"""The `clocktower` command: serve, worker, migrate, create-admin, token, demo, jobs,
import and export.

Commands that read or write data never migrate: they check that the schema is there and
otherwise ask for `clocktower migrate` (exit code 2). Domain writes go through the
service layer, in one transaction per command, audited like any request.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from clocktower.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from clocktower.auth.context import AuthContext
    from clocktower.db import Database
    from clocktower.models import Organization, User

app = typer.Typer(
    help="Clocktower: time tracking, billing and client operations.",
    no_args_is_help=True,
    add_completion=False,
)
token_app = typer.Typer(help="API tokens: create (shown once) and revoke.", no_args_is_help=True)
jobs_app = typer.Typer(help="The background job queue: counts per status, retry dead jobs.")
app.add_typer(token_app, name="token")
app.add_typer(jobs_app, name="jobs")

# Messages go to stderr; stdout carries only what scripts capture (a new token).
console = Console(stderr=True, soft_wrap=True)

ROOT = Path(__file__).resolve().parents[2]
# Tables every data command needs; their absence means the database was never migrated.
REQUIRED_TABLES = ("alembic_version", "users", "organizations", "jobs")
CLI_USER_AGENT = "clocktower-cli"

T = TypeVar("T")


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    ini = ROOT / "alembic.ini"
    if not ini.exists():
        raise typer.BadParameter(
            f"migrations not found next to the package ({ini}); run from a source checkout"
        )
    config = Config(str(ini))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    return config


def run_migrations(settings: Settings) -> None:
    """Migrations to the newest revision, then fresh planner statistics (`migrate` and
    `serve` both end here)."""
    from alembic import command

    if settings.is_sqlite:
        Path(settings.database_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings.database_url), "head")
    update_statistics(settings.database_url)


def update_statistics(url: str) -> None:
    """ANALYZE: the query planner's statistics. SQLite keeps none unless asked, and
    without them picks the index with the most equality columns (often the tenant's
    alone, walking a whole organisation); PostgreSQL's autovacuum gets there, only later.
    A full pass (about 1.5 s per million time entries on SQLite; a sampled one is cheaper
    but misjudges the organisation-first indexes); the hourly `system.cleanup` keeps
    SQLite's statistics current between deployments. Safe to re-run."""
    asyncio.run(_analyze(url))


async def _analyze(url: str) -> None:
    from clocktower.db import create_engine

    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


def _settings() -> Settings:
    # Read afresh: one process may run several commands (tests), each with its own env.
    get_settings.cache_clear()
    return get_settings()


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def _fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[red]{message}[/red]", highlight=False)
    raise typer.Exit(code=code)


def _schema_missing(settings: Settings) -> NoReturn:
    _fail(
        "The database has no Clocktower schema yet "
        f"({_safe_url(settings.database_url)}). Run `clocktower migrate` first.",
        code=2,
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Database]:
    """The configured database, once its schema is known to be there."""
    from sqlalchemy import inspect

    from clocktower.db import Database
    from clocktower.main import install_recorders

    if settings.is_sqlite and not _sqlite_file_exists(settings.database_url):
        _schema_missing(settings)  # and do not leave an empty database file behind
    install_recorders()
    database = Database(settings.database_url)
    try:
        async with database.engine.connect() as connection:
            present = await connection.run_sync(
                lambda sync: set(inspect(sync).get_table_names()) >= set(REQUIRED_TABLES)
            )
        if not present:
            _schema_missing(settings)
        yield database
    finally:
        await database.dispose()


def _sqlite_file_exists(url: str) -> bool:
    path = url.split("///", 1)[1]
    return path == ":memory:" or Path(path).exists()


def _as_operator(
    session: AsyncSession, *, user_id: int | None = None, organization_id: int | None = None
) -> None:
    """Audit rows written by a command say they came from the CLI (and for whom)."""
    from clocktower.auth.dependencies import AuditActor

    session.info["audit_actor"] = AuditActor(
        user_id=user_id,
        organization_id=organization_id,
        api_token_id=None,
        ip_address=None,
        user_agent=CLI_USER_AGENT,
        request_id=None,
    )


def _with_owner_authority(context: AuthContext) -> AuthContext:
    """Whoever runs the CLI holds the database's credentials: they act as an owner would."""
    from clocktower.auth.permissions import PermissionSet
    from clocktower.organization.membership import OWNER

    roles = context.roles if OWNER in context.roles else (*context.roles, OWNER)
    return replace(context, roles=roles, grants=PermissionSet(["*"]))


async def _user_by_email(session: AsyncSession, email: str) -> User | None:
    from sqlalchemy import select

    from clocktower.account.service import normalize_email
    from clocktower.models import User

    found = await session.execute(select(User).where(User.email == normalize_email(email)))
    return found.scalar_one_or_none()


def _check_email(email: str) -> str:
    local, at, domain = email.strip().partition("@")
    if not at or not local or not domain or "@" in domain or len(email) > 320:
        _fail(f"{email!r} is not an email address", code=2)
    return email.strip()


# --- serve, worker, migrate ----------------------------------------------------------------


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest revision (safe to re-run)."""
    settings = _settings()
    run_migrations(settings)
    console.print("[green]Database is up to date.[/green]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (needs Redis if > 1)")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Serve the API, web UI and (unless disabled) the job runner."""
    import uvicorn

    settings = _settings()
    if workers > 1 and not settings.redis_url:
        _fail(
            "--workers > 1 needs CLOCKTOWER_REDIS_URL: rate limits and live updates "
            "must be shared between processes.",
            code=2,
        )
    if workers > 1 and settings.is_sqlite:
        _fail("--workers > 1 needs PostgreSQL (CLOCKTOWER_DATABASE_URL).", code=2)
    if migrate_first:
        run_migrations(settings)
    base = f"http://{host}:{port}"
    console.print(f"Clocktower listening on [bold]{base}[/bold]")
    console.print(
        f"First run: open [bold]{base}/setup[/bold] to create your account; "
        f"API docs at {base}/api/docs"
    )
    # uvicorn re-raises SIGTERM at itself once it has shut down gracefully; exit 0 then,
    # as `worker` does, so supervisors see a clean stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        "clocktower.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=30,
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs claimed per round")] = 10,
) -> None:
    """Run background jobs only (no HTTP); any number may run beside `serve`."""
    from clocktower.db import Database
    from clocktower.kit.logging import configure_logging
    from clocktower.main import install_recorders, load_job_handlers
    from clocktower.worker.runner import JobRunner

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    # Handlers' writes are audited and logged for sync, exactly as they are inside `serve`.
    install_recorders()
    load_job_handlers(settings)

    async def main() -> None:
        database = Database(settings.database_url)
        runner = JobRunner(database, settings, batch_size=concurrency)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runner.stop)
        try:
            await runner.run_forever()
        finally:
            await database.dispose()

    asyncio.run(main())


# --- create-admin --------------------------------------------------------------------------


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's email (created if new)")],
    name: Annotated[
        str | None, typer.Option(help="Full name of a new user (default: from the email)")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Prompted (hidden, confirmed) for a new user when absent"),
    ] = None,
    organization: Annotated[
        str | None,
        typer.Option(help="Organisation name to own; created if the user has none by that name"),
    ] = None,
) -> None:
    """Create a user, or promote one, to instance operator and owner of an organisation."""
    from clocktower.account.schemas import PASSWORD_MAX, PASSWORD_MIN

    settings = _settings()
    email = _check_email(email)
    known = _run(_admin_state(settings, email))
    if password is None and not known.exists:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if password is not None and not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        _fail(f"The password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long", code=2)
    if organization is None and not known.has_organization:
        organization = typer.prompt("Organisation name")
    if organization is not None and not 1 <= len(organization.strip()) <= 200:
        _fail("The organisation name must be 1 to 200 characters long", code=2)
    user, org, created = _run(_create_admin(settings, email, name, password, organization))
    verb = "Created" if created else "Promoted"
    console.print(
        f"[green]{verb} administrator {user.email} (user id {user.id}), owner of "
        f"{org.name!r} (organisation id {org.id}).[/green]",
        highlight=False,
    )


class _AdminState:
    def __init__(self, exists: bool, has_organization: bool) -> None:
        self.exists = exists
        self.has_organization = has_organization


async def _admin_state(settings: Settings, email: str) -> _AdminState:
    """What must be asked before writing: a password for a new user, a name for a new org."""
    async with _database(settings) as database, database.transaction(write=False) as session:
        user = await _user_by_email(session, email)
        if user is None:
            return _AdminState(exists=False, has_organization=False)
        return _AdminState(
            exists=True, has_organization=bool(await _organizations_of(session, user))
        )


async def _organizations_of(session: AsyncSession, user: User) -> list[Organization]:
    from clocktower.organization.repository import OrganizationRepository

    repository = OrganizationRepository(session)
    return list(await repository.all(repository.of_user(user.id)))


async def _create_admin(
    settings: Settings,
    email: str,
    name: str | None,
    password: str | None,
    organization_name: str | None,
) -> tuple[User, Organization, bool]:
    from clocktower.account import sessions
    from clocktower.account.service import normalize_email
    from clocktower.auth.passwords import hash_password
    from clocktower.kit.time import utcnow
    from clocktower.models import User
    from clocktower.organization.service import create_organization_for

    async with _database(settings) as database, database.transaction() as session:
        _as_operator(session)
        user = await _user_by_email(session, email)
        created = user is None
        if user is None:
            user = User(
                name=name or email.split("@", 1)[0].replace(".", " ").title(),
                email=normalize_email(email),
            )
            session.add(user)
        user.is_superuser = True
        user.is_active = True
        if password is not None:
            user.password_hash = await hash_password(password)
            user.password_changed_at = utcnow()
        await session.flush()
        if password is not None and not created:
            # A password set by the operator ends the sign-ins made with the old one.
            await sessions.revoke_all_sessions(session, user.id, reason="password_reset")

        owned = await _organizations_of(session, user)
        wanted = organization_name.strip() if organization_name else None
        match = [o for o in owned if wanted is None or o.name == wanted]
        if match:
            current = [o for o in match if o.id == user.current_organization_id]
            org = (current or match)[0]
            await _make_owner(session, user, org)
        else:
            assert wanted is not None  # create_admin prompts for it when the user has none
            org = await create_organization_for(session, user, name=wanted)
        if user.current_organization_id is None:
            user.current_organization_id = org.id
        await session.flush()
        return user, org, created


async def _make_owner(session: AsyncSession, user: User, organization: Organization) -> None:
    from clocktower.demo import member_context
    from clocktower.organization.membership import OWNER, holds_owner, set_roles
    from clocktower.organization.repository import MembershipRepository, RoleRepository

    membership = await MembershipRepository(session).of_user(organization.id, user.id)
    assert membership is not None
    if holds_owner(membership):
        return
    owner_role = await RoleRepository(session).by_moniker(organization.id, OWNER)
    assert owner_role is not None
    operator = _with_owner_authority(await member_context(session, user, organization.id))
    await set_roles(session, operator, membership, [*membership.roles, owner_role])


# --- token ---------------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user the token acts as")],
    name: Annotated[str, typer.Option(help="A name to tell the token apart")],
    scope: Annotated[
        list[str], typer.Option(help="A scope, e.g. read:projects (repeat for several)")
    ],
    organization_id: Annotated[
        int | None, typer.Option(help="Organisation (default: the user's current one)")
    ] = None,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Expiry (default: never)")
    ] = None,
) -> None:
    """Create an API token and print it once (stdout); it is stored only as a hash."""
    settings = _settings()
    plaintext, description = _run(
        _create_token(settings, email, organization_id, name, scope, expires_in_days)
    )
    console.print(f"[green]{description}[/green]", highlight=False)
    console.print("Copy the token now: it is not shown again.")
    typer.echo(plaintext)


async def _create_token(
    settings: Settings,
    email: str,
    organization_id: int | None,
    name: str,
    scopes: list[str],
    expires_in_days: int | None,
) -> tuple[str, str]:
    from pydantic import ValidationError

    from clocktower.api_token import service as api_token_service
    from clocktower.api_token.schemas import ApiTokenCreate
    from clocktower.demo import NotAMember, member_context
    from clocktower.errors import AppError

    try:
        data = ApiTokenCreate(name=name, scopes=scopes, expires_in_days=expires_in_days)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        _fail(problems, code=2)
    async with _database(settings) as database, database.transaction() as session:
        _as_operator(session)
        user = await _user_by_email(session, email)
        if user is None:
            _fail(f"No user with the email {email}")
        target = organization_id or user.current_organization_id
        if target is None:
            _fail(f"{user.email} belongs to no organisation; pass --organization-id")
        try:
            auth = await member_context(session, user, target)
            created = await api_token_service.create_api_token(session, auth, data)
        except NotAMember as error:
            _fail(str(error))
        except AppError as error:
            _fail(error.message, code=2)
        token = created.token
        description = (
            f"Created API token {token.name!r} (id {token.id}) for {user.email} in organisation "
            f"{target}, scopes {', '.join(token.scopes)}"
            + (f", expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "")
        )
        return created.plaintext, description


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Option("--id", min=1, help="The token's id")],
) -> None:
    """Revoke an API token at once (revoking it again changes nothing)."""
    settings = _settings()
    name = _run(_revoke_token(settings, token_id))
    console.print(f"[green]API token {name!r} (id {token_id}) is revoked.[/green]", highlight=False)


async def _revoke_token(settings: Settings, token_id: int) -> str:
    from clocktower.api_token import service as api_token_service
    from clocktower.auth.context import AuthContext
    from clocktower.auth.permissions import PermissionSet
    from clocktower.models import ApiToken, User

    async with _database(settings) as database, database.transaction() as session:
        _as_operator(session)
        found = await session.get(ApiToken, token_id)
        if found is None:
            _fail(f"No API token with id {token_id}")
        holder = await session.get(User, found.user_id)
        assert holder is not None
        # The token's user may have left the organisation: act there as the operator.
        operator = AuthContext(
            user=holder,
            organization_id=found.organization_id,
            membership_id=None,
            roles=(),
            grants=PermissionSet([]),
            scopes=None,
            api_token_id=None,
            session_id=None,
            client_id=None,
        )
        token = await api_token_service.revoke_api_token(
            session, _with_owner_authority(operator), token_id
        )
        return token.name


# --- demo ----------------------------------------------------------------------------------


@app.command()
def demo() -> None:
    """Create the demo organisation "Northwind Digital" with its team, a role and a token."""
    settings = _settings()
    lines = _run(_seed_demo(settings))
    for line in lines:
        console.print(line, highlight=False)


async def _seed_demo(settings: Settings) -> list[str]:
    from clocktower import demo as demo_data

    async with _database(settings) as database:
        try:
            async with database.transaction() as session:
                _as_operator(session)
                seeded = await demo_data.seed_demo(session, settings)
        except demo_data.DemoExists as exists:
            _fail(f"{exists}; nothing was changed. Sign in as {demo_data.DEMO_OWNER_EMAIL}.")
    return [
        "[green]Demo data created.[/green]",
        *seeded.summary,
        f"Sign in as {demo_data.DEMO_OWNER_EMAIL} with the password: {seeded.password}",
        "(every demo account above uses the same password; change it after signing in)",
    ]


# --- import, export -----------------------------------------------------------------------


@app.command("import")
def import_entries(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="A CSV file: Clocktower's export, Toggl Track, Clockify or Kimai",
        ),
    ],
    organization: Annotated[int, typer.Option(min=1, help="The organisation's id")],
    user: Annotated[str, typer.Option(help="Email of the member the import acts as")],
) -> None:
    """Import time entries from a CSV file: every row, or none when any row is bad."""
    settings = _settings()
    email = _check_email(user)
    content = file.read_bytes()
    imported, summary = _run(_import_entries(settings, organization, email, content))
    console.print(
        f"[green]Imported {imported} time entries from {file.name}[/green]", highlight=False
    )
    console.print(summary, highlight=False)


async def _import_entries(
    settings: Settings, organization_id: int, email: str, content: bytes
) -> tuple[int, str]:
    from rich.progress import Progress

    from clocktower.errors import AppError
    from clocktower.time_entry_io.errors import ImportRowsInvalid
    from clocktower.time_entry_io.importing.service import import_entries

    async with _database(settings) as database:
        try:
            with Progress(console=console, transient=True) as progress:
                checking = progress.add_task("Checking rows", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(checking, completed=done, total=total)

                async with database.transaction() as session:
                    auth = await _member_auth(session, email, organization_id)
                    _as_operator(session, user_id=auth.user_id, organization_id=organization_id)
                    outcome = await import_entries(session, auth, content, progress=advance)
                    progress.update(checking, description="Writing entries")
        except ImportRowsInvalid as error:
            _print_problems(error)
            _fail(error.message)
        except AppError as error:
            _fail(error.message)
    created = outcome.created
    return outcome.imported, (
        f"Format: {outcome.format}; created {created.clients} client(s), "
        f"{created.projects} project(s), {created.tasks} task(s)"
    )


def _print_problems(error: Any) -> None:
    from clocktower.time_entry_io.errors import MAX_REPORTED_PROBLEMS

    table = Table(title="Rows that cannot be imported (nothing was written)")
    table.add_column("row", justify="right")
    table.add_column("column")
    table.add_column("problem")
    for problem in error.problems[:MAX_REPORTED_PROBLEMS]:
        table.add_row(str(problem.row), problem.field, problem.message)
    console.print(table)
    if len(error.problems) > MAX_REPORTED_PROBLEMS:
        console.print(f"… and {len(error.problems) - MAX_REPORTED_PROBLEMS} more")


async def _member_auth(session: AsyncSession, email: str, organization_id: int) -> AuthContext:
    """The member's own permissions in the organisation (no more than they have)."""
    from clocktower.demo import NotAMember, member_context

    found = await _user_by_email(session, email)
    if found is None:
        _fail(f"No user with the email {email}")
    try:
        return await member_context(session, found, organization_id)
    except NotAMember as error:
        _fail(str(error))


@app.command("export")
def export_entries(
    organization: Annotated[int, typer.Option(min=1, help="The organisation's id")],
    user: Annotated[str, typer.Option(help="Email of the member whose view is exported")],
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False, help="File to write")],
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="csv or xlsx (default: from the output's suffix, else csv)"),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (2024-01-01) or instant")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day (included) or instant")
    ] = None,
) -> None:
    """Export the time entries the member can see (every user's for admins) as CSV or XLSX."""
    from clocktower.kit.period import parse_day_or_instant

    chosen = (file_format or output.suffix.lstrip(".") or "csv").lower()
    if chosen not in ("csv", "xlsx"):
        _fail(f"Unknown format {chosen!r}: use csv or xlsx", code=2)
    try:
        start = parse_day_or_instant(date_from) if date_from else None
        end = parse_day_or_instant(date_to) if date_to else None
    except ValueError as error:
        _fail(str(error), code=2)
    settings = _settings()
    email = _check_email(user)
    written = _run(_export_entries(settings, organization, email, output, chosen, start, end))
    console.print(f"[green]Exported {written} time entries to {output}[/green]", highlight=False)


async def _export_entries(
    settings: Settings,
    organization_id: int,
    email: str,
    output: Path,
    file_format: str,
    start: Any,
    end: Any,
) -> int:
    from rich.progress import Progress

    from clocktower.errors import AppError
    from clocktower.time_entry.service import EntryQuery
    from clocktower.time_entry_io import exporting

    partial = output.with_name(output.name + ".part")
    async with _database(settings) as database:
        async with database.transaction(write=False) as session:
            auth = await _member_auth(session, email, organization_id)
            try:
                plan = exporting.export_entries(
                    auth,
                    EntryQuery(start_date=start, end_date=end),
                    "xlsx" if file_format == "xlsx" else "csv",
                )
            except AppError as error:
                _fail(error.message)
            total = await exporting.count_entries(session, plan)
        written = 0
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"Exporting to {output.name}", total=total)

            def advance(done: int) -> None:
                nonlocal written
                written = done
                progress.update(task, completed=done)

            try:
                with partial.open("wb") as target:
                    if plan.format == "xlsx":
                        await exporting.write_xlsx(database, plan, target, advance)
                    else:
                        async for chunk in exporting.csv_chunks(database, plan, advance):
                            target.write(chunk)
                partial.replace(output)
            finally:
                partial.unlink(missing_ok=True)
    return written


# --- jobs ----------------------------------------------------------------------------------

JOB_STATUSES = ("queued", "running", "done", "dead")


@jobs_app.callback(invoke_without_command=True)
def jobs(context: typer.Context) -> None:
    """Without a subcommand: how many jobs are queued, running, done and dead."""
    if context.invoked_subcommand is not None:
        return
    counts = _run(_job_counts(_settings()))
    table = Table(title="Jobs")
    table.add_column("status")
    table.add_column("jobs", justify="right")
    for status in (*JOB_STATUSES, *sorted(set(counts) - set(JOB_STATUSES))):
        table.add_row(status, str(counts.get(status, 0)))
    Console().print(table)


async def _job_counts(settings: Settings) -> dict[str, int]:
    from clocktower.worker.queue import count_jobs_by_status

    async with _database(settings) as database, database.transaction(write=False) as session:
        return await count_jobs_by_status(session)


@jobs_app.command("retry-dead")
def jobs_retry_dead(
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind")] = None,
) -> None:
    """Queue every dead job again with a fresh set of attempts."""
    retried = _run(_retry_dead(_settings(), kind))
    console.print(f"[green]{retried} dead job(s) queued again.[/green]")


async def _retry_dead(settings: Settings, kind: str | None) -> int:
    from clocktower.worker.queue import retry_dead_jobs

    async with _database(settings) as database, database.transaction() as session:
        return await retry_dead_jobs(session, kind=kind)


if __name__ == "__main__":  # pragma: no cover
    app()
