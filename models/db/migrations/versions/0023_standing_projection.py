"""the standing projection without foreign keys, and its grade index only over graded subjects

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02

``subject_standing`` is derived data: one row per subject, written only by models/services/standing_store.py
with INSERT ... SELECT from ``subjects`` and pointing at a history row the same transaction wrote first, so
its references hold by construction (tests/integration/test_standing.py checks them after every kind of run).
Checking them again for each of a county's 200,000 rows took a quarter of a county-wide run's processor
time; the constraints are dropped. Insured persons have no grade: the grade index leaves them out.
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

FOREIGN_KEYS = (("fk_subject_standing_subject_id_subjects", "subject_id", "subjects"),
                ("fk_subject_standing_evaluation_id_evaluations", "evaluation_id", "evaluations"))


def _grade_index(partial: bool) -> None:
    op.drop_index("ix_standing_grade", table_name="subject_standing")
    where = {"sqlite_where": sa.text("grade IS NOT NULL"), "postgresql_where": sa.text("grade IS NOT NULL")}
    op.create_index("ix_standing_grade", "subject_standing", ["grade"], **(where if partial else {}))


def upgrade() -> None:
    with op.batch_alter_table("subject_standing") as batch:  # SQLite rebuilds the table (models/db/migrate.py)
        for name, _column, _parent in FOREIGN_KEYS:
            batch.drop_constraint(name, type_="foreignkey")
    _grade_index(partial=True)


def downgrade() -> None:
    _grade_index(partial=False)
    with op.batch_alter_table("subject_standing") as batch:
        for name, column, parent in FOREIGN_KEYS:
            batch.create_foreign_key(name, parent, [column], ["id"])
