"""Create time_entries, time_entry_sync_states and focus_sessions (S3.1-S3.4).

Revision ID: 20261122_0900
Revises: 20261122_0730
Create Date: 2026-11-22 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "20261122_0900"
down_revision: str | None = "20261122_0730"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "time_entries",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("project_id", BIG_ID, nullable=True),
        sa.Column("task_id", BIG_ID, nullable=True),
        sa.Column("client_id", BIG_ID, nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("running_slot", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("tags", sa.String(length=1000), nullable=True),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("paid", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("calendar_id", BIG_ID, nullable=True),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_time_entries_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_time_entries_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_time_entries_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_time_entries_task_id_tasks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_time_entries_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entries")),
        sa.UniqueConstraint(
            "organization_id",
            "user_id",
            "running_slot",
            name=op.f("uq_time_entries_organization_id_user_id_running_slot"),
        ),
    )
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_entries_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "ix_time_entries_org_project_start",
            ["organization_id", "project_id", "start_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_time_entries_org_start", ["organization_id", "start_at"], unique=False
        )
        batch_op.create_index(
            "ix_time_entries_org_user_start",
            ["organization_id", "user_id", "start_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_time_entries_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_time_entries_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_time_entries_task_id"), ["task_id"], unique=False)

    op.create_table(
        "focus_sessions",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("task_id", BIG_ID, nullable=True),
        sa.Column("type", sa.String(length=12), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("retro_added", sa.Boolean(), nullable=False),
        sa.Column("time_entry_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_focus_sessions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_focus_sessions_task_id_tasks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["time_entry_id"],
            ["time_entries.id"],
            name=op.f("fk_focus_sessions_time_entry_id_time_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_focus_sessions_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_focus_sessions")),
        sa.UniqueConstraint("time_entry_id", name=op.f("uq_focus_sessions_time_entry_id")),
    )
    with op.batch_alter_table("focus_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_focus_sessions_org_user_start",
            ["organization_id", "user_id", "start_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_focus_sessions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_focus_sessions_task_id"), ["task_id"], unique=False)

    op.create_table(
        "time_entry_sync_states",
        sa.Column("time_entry_id", BIG_ID, nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_time_entry_sync_states_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["time_entry_id"],
            ["time_entries.id"],
            name=op.f("fk_time_entry_sync_states_time_entry_id_time_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry_sync_states")),
        sa.UniqueConstraint(
            "time_entry_id", "target", name=op.f("uq_time_entry_sync_states_time_entry_id_target")
        ),
    )
    with op.batch_alter_table("time_entry_sync_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_entry_sync_states_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_time_entry_sync_states_time_entry_id"), ["time_entry_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entry_sync_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entry_sync_states_time_entry_id"))
        batch_op.drop_index(batch_op.f("ix_time_entry_sync_states_organization_id"))

    op.drop_table("time_entry_sync_states")
    with op.batch_alter_table("focus_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_focus_sessions_task_id"))
        batch_op.drop_index(batch_op.f("ix_focus_sessions_organization_id"))
        batch_op.drop_index("ix_focus_sessions_org_user_start")

    op.drop_table("focus_sessions")
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entries_task_id"))
        batch_op.drop_index(batch_op.f("ix_time_entries_project_id"))
        batch_op.drop_index(batch_op.f("ix_time_entries_organization_id"))
        batch_op.drop_index("ix_time_entries_org_user_start")
        batch_op.drop_index("ix_time_entries_org_start")
        batch_op.drop_index("ix_time_entries_org_project_start")
        batch_op.drop_index(batch_op.f("ix_time_entries_client_id"))

    op.drop_table("time_entries")
