"""one history row for the result shared by subjects without facts of their own

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-02

Subjects with no records, measures or registrations all have the same standing (the default result of
the rules in force). Their standing rows now point to one history row of that shared result
(``evaluations.subject_id`` NULL) instead of a copy per subject, so a county-wide run writes one row per
subject, not two, and the history grows only with changes of the shared result.
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0013'
branch_labels = None
depends_on = None


def _relaxed(nullable: bool) -> None:
    with op.batch_alter_table('evaluations') as batch:  # SQLite rebuilds the table (models/db/migrate.py)
        batch.alter_column('subject_id', existing_type=sa.Integer(), nullable=nullable)


def upgrade() -> None:
    _relaxed(True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM objections WHERE evaluation_id IN "
                            "(SELECT id FROM evaluations WHERE subject_id IS NULL)")).scalar():
        raise RuntimeError("有异议申请针对共用的评价结果，不能降级到0013版数据库")
    # The standing is derived data: rows on the shared result are recomputed (as missing) after the downgrade.
    op.execute("DELETE FROM subject_standing WHERE evaluation_id IN (SELECT id FROM evaluations WHERE subject_id IS NULL)")
    op.execute("DELETE FROM evaluations WHERE subject_id IS NULL")
    _relaxed(False)
