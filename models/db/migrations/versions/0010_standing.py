"""One legal standing per subject

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

subject_standing becomes the one projection every reader uses: validity, list membership,
sanctions, registration status and bans; standing results are stored once per distinct result.
Existing rows are marked dirty so the next refresh recomputes them with the new rules.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "standing_results",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )
    with op.batch_alter_table("subject_standing") as batch:
        batch.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("dirty", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("sanction", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("red", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("black", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("pending_choices", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("registration_status", sa.String(4), nullable=True))
        batch.add_column(sa.Column("ban_until", sa.Date(), nullable=True))
        batch.create_index("ix_standing_valid_until", ["valid_until"])
        batch.create_index("ix_standing_dirty", ["subject_id"], sqlite_where=sa.text("dirty"),
                           postgresql_where=sa.text("dirty"))
        batch.create_index("ix_standing_lists", ["black", "red"], sqlite_where=sa.text("black OR red"),
                           postgresql_where=sa.text("black OR red"))


def downgrade() -> None:
    with op.batch_alter_table("subject_standing") as batch:
        for index in ("ix_standing_lists", "ix_standing_dirty", "ix_standing_valid_until"):
            batch.drop_index(index)
        for column in ("ban_until", "registration_status", "pending_choices", "black", "red", "sanction", "dirty",
                       "valid_until"):
            batch.drop_column(column)
    op.drop_table("standing_results")
