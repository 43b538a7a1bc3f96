"""credit warnings (信用预警) and the county's warning rules

Revision ID: 0017
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

from models.db.base import UtcDateTime

revision = "0017"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warning_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(40), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_rules")),
    )
    op.create_index("ix_warning_rules_county_code", "warning_rules", ["county_code"])
    op.create_table(
        "credit_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("cause", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("source_ref", sa.String(36), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_at", UtcDateTime(), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=True),
        sa.Column("acknowledged_by", sa.String(40), nullable=True),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("level IN ('提示','关注','警示')", name=op.f("ck_credit_warnings_level")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_credit_warnings_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_warnings")),
        sa.UniqueConstraint("subject_id", "rule", "cause", name="uq_credit_warnings_cause"),
        sa.UniqueConstraint("uuid", name=op.f("uq_credit_warnings_uuid")),
    )
    op.create_index("ix_credit_warnings_subject_id", "credit_warnings", ["subject_id"])
    op.create_index("ix_credit_warnings_open", "credit_warnings", ["cleared_on", "level"])
    if op.get_bind().dialect.name == "sqlite":  # as the casework tables (0004): kept, never deleted
        for table in ("warning_rules", "credit_warnings"):
            op.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                       "BEGIN SELECT RAISE(ABORT, '预警记录不可删除'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ("warning_rules", "credit_warnings"):
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_table("credit_warnings")
    op.drop_table("warning_rules")
