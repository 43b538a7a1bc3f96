"""Join the notices, exchange, inspections and subject-list branches into one history.

Revision ID: 0009
Revises: 0005, 0006, 0007, 0008
"""

revision = "0009"
down_revision = ("0005", "0006", "0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
