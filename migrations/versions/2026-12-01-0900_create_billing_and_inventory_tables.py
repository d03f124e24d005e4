"""Create rates, time bills, invoices, quotes, numbering, logos and inventory tables (S4).

Adds `memberships.hourly_rate_cents` and `time_entries.time_bill_id` / `invoice_id`.

Revision ID: 20261201_0900
Revises: 20261122_0900
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "20261201_0900"
down_revision: str | None = "20261122_0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organization_logos",
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_logos_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_logos")),
    )
    op.create_table(
        "accounting_pushes",
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", BIG_ID, nullable=False),
        sa.Column("target", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_accounting_pushes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_pushes")),
        sa.UniqueConstraint(
            "organization_id",
            "object_type",
            "object_id",
            name=op.f("uq_accounting_pushes_organization_id_object_type_object_id"),
        ),
    )
    with op.batch_alter_table("accounting_pushes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounting_pushes_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "document_sequences",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_document_sequences_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_sequences")),
        sa.UniqueConstraint(
            "organization_id",
            "kind",
            "period",
            name=op.f("uq_document_sequences_organization_id_kind_period"),
        ),
    )
    with op.batch_alter_table("document_sequences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_sequences_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "stock_items",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("reorder_point_milli", sa.BigInteger(), nullable=True),
        sa.Column("reorder_quantity_milli", sa.BigInteger(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_stock_items_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_items")),
        sa.UniqueConstraint(
            "organization_id", "sku", name=op.f("uq_stock_items_organization_id_sku")
        ),
    )
    with op.batch_alter_table("stock_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_items_org_category", ["organization_id", "category"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_items_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "warehouses",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_warehouses_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint(
            "organization_id", "code", name=op.f("uq_warehouses_organization_id_code")
        ),
    )
    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warehouses_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "invoices",
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("subtotal_cents", sa.BigInteger(), nullable=False),
        sa.Column("tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("grouping", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_invoices_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_invoices_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_invoices_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_invoices_organization_id_number")
        ),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_invoices_org_status", ["organization_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "stock_levels",
        sa.Column("stock_item_id", BIG_ID, nullable=False),
        sa.Column("warehouse_id", BIG_ID, nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_stock_levels_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_stock_levels_stock_item_id_stock_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_levels_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint(
            "stock_item_id", "warehouse_id", name=op.f("uq_stock_levels_stock_item_id_warehouse_id")
        ),
    )
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_levels_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_levels_stock_item_id"), ["stock_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_levels_warehouse_id"), ["warehouse_id"], unique=False
        )

    op.create_table(
        "project_user_rates",
        sa.Column("project_id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("hourly_rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_project_user_rates_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_user_rates_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_project_user_rates_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_user_rates")),
        sa.UniqueConstraint(
            "project_id", "user_id", name=op.f("uq_project_user_rates_project_id_user_id")
        ),
    )
    with op.batch_alter_table("project_user_rates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_user_rates_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_project_user_rates_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_project_user_rates_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "quotes",
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("subtotal_cents", sa.BigInteger(), nullable=False),
        sa.Column("tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("project_id", BIG_ID, nullable=True),
        sa.Column("invoice_id", BIG_ID, nullable=True),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_quotes_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_quotes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_quotes_invoice_id_invoices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_quotes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_quotes_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_quotes_organization_id_number")
        ),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_quotes_org_status", ["organization_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_quotes_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "stock_movements",
        sa.Column("stock_item_id", BIG_ID, nullable=False),
        sa.Column("warehouse_id", BIG_ID, nullable=False),
        sa.Column("movement_type", sa.String(length=20), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost_cents", sa.BigInteger(), nullable=True),
        sa.Column("reference_id", sa.String(length=64), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("project_id", BIG_ID, nullable=True),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_stock_movements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_stock_movements_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_stock_movements_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_stock_movements_stock_item_id_stock_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_movements_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_movements_item_moved", ["stock_item_id", "moved_at"], unique=False
        )
        batch_op.create_index(
            "ix_stock_movements_org_moved", ["organization_id", "moved_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_movements_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_movements_reference_id"), ["reference_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_movements_warehouse_id"), ["warehouse_id"], unique=False
        )

    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("project_id", BIG_ID, nullable=True),
        sa.Column("task_id", BIG_ID, nullable=True),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_invoice_lines_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_invoice_lines_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_invoice_lines_task_id_tasks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_invoice_lines_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "quote_items",
        sa.Column("quote_id", BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_quote_items_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_quote_items_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_items")),
    )
    with op.batch_alter_table("quote_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quote_items_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_quote_items_quote_id"), ["quote_id"], unique=False)

    op.create_table(
        "time_bills",
        sa.Column("bill_key", sa.String(length=100), nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=True),
        sa.Column("project_id", BIG_ID, nullable=True),
        sa.Column("task_id", BIG_ID, nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("billable_seconds", sa.Integer(), nullable=False),
        sa.Column("rate_cents", sa.BigInteger(), nullable=True),
        sa.Column("rate_source", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("rejection_note", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", BIG_ID, nullable=True),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invoice_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_time_bills_approved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_time_bills_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_time_bills_invoice_id_invoices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_time_bills_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_time_bills_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_time_bills_task_id_tasks"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_time_bills_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_bills")),
        sa.UniqueConstraint(
            "organization_id", "bill_key", name=op.f("uq_time_bills_organization_id_bill_key")
        ),
    )
    with op.batch_alter_table("time_bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_bills_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_bills_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index("ix_time_bills_org_day", ["organization_id", "day"], unique=False)
        batch_op.create_index(
            "ix_time_bills_org_status", ["organization_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_time_bills_org_user_day", ["organization_id", "user_id", "day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_time_bills_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_time_bills_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_bills_task_id"), ["task_id"], unique=False)

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hourly_rate_cents", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_bill_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("invoice_id", BIG_ID, nullable=True))
        batch_op.create_index(
            batch_op.f("ix_time_entries_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_time_entries_time_bill_id"), ["time_bill_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_time_entries_invoice_id_invoices"),
            "invoices",
            ["invoice_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_time_entries_time_bill_id_time_bills"),
            "time_bills",
            ["time_bill_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_time_entries_time_bill_id_time_bills"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_time_entries_invoice_id_invoices"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_time_entries_time_bill_id"))
        batch_op.drop_index(batch_op.f("ix_time_entries_invoice_id"))
        batch_op.drop_column("invoice_id")
        batch_op.drop_column("time_bill_id")

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("hourly_rate_cents")

    with op.batch_alter_table("time_bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_bills_task_id"))
        batch_op.drop_index(batch_op.f("ix_time_bills_project_id"))
        batch_op.drop_index(batch_op.f("ix_time_bills_organization_id"))
        batch_op.drop_index("ix_time_bills_org_user_day")
        batch_op.drop_index("ix_time_bills_org_status")
        batch_op.drop_index("ix_time_bills_org_day")
        batch_op.drop_index(batch_op.f("ix_time_bills_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_time_bills_client_id"))

    op.drop_table("time_bills")
    with op.batch_alter_table("quote_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_items_quote_id"))
        batch_op.drop_index(batch_op.f("ix_quote_items_organization_id"))

    op.drop_table("quote_items")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_organization_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movements_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_reference_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_organization_id"))
        batch_op.drop_index("ix_stock_movements_org_moved")
        batch_op.drop_index("ix_stock_movements_item_moved")

    op.drop_table("stock_movements")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_organization_id"))
        batch_op.drop_index("ix_quotes_org_status")
        batch_op.drop_index(batch_op.f("ix_quotes_client_id"))

    op.drop_table("quotes")
    with op.batch_alter_table("project_user_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_user_rates_user_id"))
        batch_op.drop_index(batch_op.f("ix_project_user_rates_project_id"))
        batch_op.drop_index(batch_op.f("ix_project_user_rates_organization_id"))

    op.drop_table("project_user_rates")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_levels_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_stock_levels_stock_item_id"))
        batch_op.drop_index(batch_op.f("ix_stock_levels_organization_id"))

    op.drop_table("stock_levels")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_organization_id"))
        batch_op.drop_index("ix_invoices_org_status")
        batch_op.drop_index(batch_op.f("ix_invoices_client_id"))

    op.drop_table("invoices")
    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warehouses_organization_id"))

    op.drop_table("warehouses")
    with op.batch_alter_table("stock_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_items_organization_id"))
        batch_op.drop_index("ix_stock_items_org_category")

    op.drop_table("stock_items")
    with op.batch_alter_table("document_sequences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_sequences_organization_id"))

    op.drop_table("document_sequences")
    with op.batch_alter_table("accounting_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounting_pushes_organization_id"))

    op.drop_table("accounting_pushes")
    op.drop_table("organization_logos")
