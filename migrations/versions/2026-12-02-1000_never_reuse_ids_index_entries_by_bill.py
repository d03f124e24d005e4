"""Never reuse the ids of synced objects on SQLite; index time entries by their bill.

SQLite hands the highest deleted rowid out again unless a table is declared
AUTOINCREMENT: a new entry could then take over a deleted entry's id and, in the sync
change log, its tombstone. The followed tables are rebuilt with AUTOINCREMENT (the
copy keeps every id; the sequence continues from the highest). PostgreSQL sequences
never go back, so only the index is added there.

The ledger sums entries per bill (`organization_id = ? AND time_bill_id IN (...)`);
without a composite index SQLite walks the organisation's entries by date.

Revision ID: 20261202_1000
Revises: 20261202_0900
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261202_1000"
down_revision: str | None = "20261202_0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOWED = ("clients", "projects", "tasks", "time_entries", "focus_sessions", "client_focus")


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # Rebuilding drops the old table: with foreign keys enforced, SQLite would cascade
    # that into the children. Alembic's own connection has them off (SQLite's default).
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("run this migration with SQLite foreign keys off")
    for table in FOLLOWED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)
    op.create_index("ix_time_entries_org_bill", "time_entries", ["organization_id", "time_bill_id"])


def downgrade() -> None:
    op.drop_index("ix_time_entries_org_bill", table_name="time_entries")
    _rebuild(False)
