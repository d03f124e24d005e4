"""Create client_focus: the client each member is working for right now (S3.7).

Revision ID: 20261122_0730
Revises: 20261122_0700
Create Date: 2026-11-22 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "20261122_0730"
down_revision: str | None = "20261122_0700"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_focus",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_focus_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_client_focus_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_client_focus_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_focus")),
        sa.UniqueConstraint(
            "organization_id", "user_id", name=op.f("uq_client_focus_organization_id_user_id")
        ),
    )
    with op.batch_alter_table("client_focus", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_focus_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_client_focus_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_client_focus_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("client_focus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_focus_user_id"))
        batch_op.drop_index(batch_op.f("ix_client_focus_organization_id"))
        batch_op.drop_index(batch_op.f("ix_client_focus_client_id"))

    op.drop_table("client_focus")
