"""appeals (申诉) against points and payment-qualification decisions (济医保发〔2025〕6号 四（八）)

Revision ID: 0021
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

import models.db.base

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({','.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("matter", sa.String(length=10), nullable=False),
        sa.Column("appellant", sa.String(length=4), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("materials", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=40), nullable=False),
        sa.Column("handling_days", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=6), nullable=False),
        sa.Column("assessor", sa.String(length=100), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=True),
        sa.Column("referred_by", sa.String(length=40), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=2), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("decision_basis", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("effect", sa.Text(), nullable=True),
        sa.Column("effect_uuid", sa.String(length=36), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", models.db.base.UtcDateTime(), nullable=False),
        sa.Column("updated_at", models.db.base.UtcDateTime(), nullable=False),
        sa.Column("sync_pending", sa.Boolean(), nullable=False),
        sa.Column("origin_county", sa.String(length=6), nullable=True),
        sa.CheckConstraint(_in("state", ("待处理", "评估鉴定中", "已办结")), name=op.f("ck_appeals_state")),
        sa.CheckConstraint("outcome IS NULL OR " + _in("outcome", ("维持", "变更", "撤销")),
                           name=op.f("ck_appeals_outcome")),
        sa.CheckConstraint(_in("matter", ("记分管理", "责任认定", "医保支付资格处理", "状态维护")),
                           name=op.f("ck_appeals_matter")),
        sa.CheckConstraint(_in("appellant", ("本人", "所在机构")), name=op.f("ck_appeals_appellant")),
        sa.CheckConstraint("target IN ('record','measure')", name=op.f("ck_appeals_target")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_appeals_subject_id_subjects")),
        sa.ForeignKeyConstraint(["record_id"], ["credit_records.id"], name=op.f("fk_appeals_record_id_credit_records")),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], name=op.f("fk_appeals_measure_id_measures")),
        sa.ForeignKeyConstraint(["institution_id"], ["subjects.id"],
                                name=op.f("fk_appeals_institution_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("uuid", name=op.f("uq_appeals_uuid")),
    )
    op.create_index(op.f("ix_appeals_subject_id"), "appeals", ["subject_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":  # as the casework tables (0004): kept, never deleted
        op.execute("CREATE TRIGGER appeals_no_delete BEFORE DELETE ON appeals "
                   "BEGIN SELECT RAISE(ABORT, '办案记录不可删除'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER appeals_no_delete")
    op.drop_index(op.f("ix_appeals_subject_id"), table_name="appeals")
    op.drop_table("appeals")
