"""The program versions that opened the database (更新说明 at the first start after an upgrade).

Revision ID: 0015
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from models.db.base import UtcDateTime

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_versions",
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("first_opened_at", UtcDateTime(), nullable=False),
        sa.Column("schema_revision", sa.String(40), nullable=False),
        sa.Column("notes_seen_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_program_versions")),
    )
    # A database already in use was made by 0.1.0, the only release before this table existed:
    # its first start under the new version shows what changed.
    op.execute("INSERT INTO program_versions (version, first_opened_at, schema_revision, notes_seen_by) "
               "SELECT '0.1.0', created_at, '0009', 'migration' FROM county")


def downgrade() -> None:
    op.drop_table("program_versions")
