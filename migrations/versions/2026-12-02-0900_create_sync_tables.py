"""Create the delta-sync change log, its counters and the offline-push log (S6.1, S6.2).

Every existing syncable object gets its row in the log, numbered per organisation in the
order it last changed, so a first sync after the upgrade is a full snapshot.

Revision ID: 20261202_0900
Revises: 20261201_1000
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "20261202_0900"
down_revision: str | None = "20261201_1000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every object that exists, as its latest change: personal objects name their owner.
BACKFILL_CHANGES = """
INSERT INTO sync_changes
    (organization_id, object_type, object_id, seq, user_id, deleted, changed_at)
SELECT organization_id, object_type, object_id,
       ROW_NUMBER() OVER (
           PARTITION BY organization_id ORDER BY changed_at, object_type, object_id
       ),
       user_id, FALSE, changed_at
FROM (
    SELECT organization_id, 'client' AS object_type, id AS object_id,
           CAST(NULL AS BIGINT) AS user_id, updated_at AS changed_at FROM clients
    UNION ALL
    SELECT organization_id, 'project', id, NULL, updated_at FROM projects
    UNION ALL
    SELECT organization_id, 'task', id, NULL, updated_at FROM tasks
    UNION ALL
    SELECT organization_id, 'time_entry', id, user_id, updated_at FROM time_entries
    UNION ALL
    SELECT organization_id, 'focus_session', id, user_id, updated_at FROM focus_sessions
    UNION ALL
    SELECT organization_id, 'customer_focus', id, NULL, started_at FROM client_focus
) AS objects
"""

BACKFILL_COUNTERS = """
INSERT INTO sync_counters (organization_id, last_seq, pruned_seq)
SELECT organization_id, MAX(seq), 0 FROM sync_changes GROUP BY organization_id
"""


def upgrade() -> None:
    op.create_table(
        "sync_changes",
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_changes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_changes")),
        sa.UniqueConstraint(
            "organization_id",
            "object_type",
            "object_id",
            name=op.f("uq_sync_changes_organization_id_object_type_object_id"),
        ),
        sa.UniqueConstraint(
            "organization_id", "seq", name=op.f("uq_sync_changes_organization_id_seq")
        ),
    )
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_changes_org_type_changed",
            ["organization_id", "object_type", "changed_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sync_changes_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "sync_counters",
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("pruned_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_counters_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_sync_counters")),
    )
    op.create_table(
        "sync_pushes",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("client_ref", sa.String(length=36), nullable=False),
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_pushes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sync_pushes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_pushes")),
        sa.UniqueConstraint(
            "organization_id",
            "user_id",
            "client_ref",
            name=op.f("uq_sync_pushes_organization_id_user_id_client_ref"),
        ),
    )
    with op.batch_alter_table("sync_pushes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_pushes_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sync_pushes_organization_id"), ["organization_id"], unique=False
        )

    op.execute(BACKFILL_CHANGES)
    op.execute(BACKFILL_COUNTERS)


def downgrade() -> None:
    with op.batch_alter_table("sync_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_pushes_organization_id"))
        batch_op.drop_index(batch_op.f("ix_sync_pushes_created_at"))

    op.drop_table("sync_pushes")
    op.drop_table("sync_counters")
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_changes_organization_id"))
        batch_op.drop_index("ix_sync_changes_org_type_changed")

    op.drop_table("sync_changes")
