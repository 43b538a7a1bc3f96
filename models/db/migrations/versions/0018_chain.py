"""chain: a keyed hash chain over every table with legal weight, changes as well as new rows

Revision ID: 0018
Revises: 0019

Seals written before this revision covered three tables and were not keyed (anyone with the file
could recompute them). They are replaced by one chain, keyed with a key derived from the user's key
store, over the tables named below (models/db/integrity.py SEALED as it was then), started here from
the rows as they are. On PostgreSQL triggers note changed rows for the program's own session (SQLite
uses TEMP triggers each connection of the program makes for itself).
"""
import sqlalchemy as sa
from alembic import op

from models.db import integrity

revision = "0018"
down_revision = "0019"
branch_labels = None
depends_on = None

# The tables this revision started the chain with. Frozen: tables sealed since then are created or first sealed by
# later revisions (0022), which start their links; a fresh database must not look for them here.
TABLES = ("audit_log", "users", "subjects", "registrations", "registration_status", "service_commitments",
          "credit_records", "attachments", "case_attachments", "findings", "finding_persons", "finding_withdrawals",
          "points_notifications", "measure_choices", "measures", "rectifications", "objections", "repairs", "notices",
          "notice_steps", "notice_issues", "notice_deliveries", "notice_settings", "inspectors", "inspection_draws",
          "inspection_draw_items", "indicator_sets", "received_policy_packs")


def upgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM integrity_seals"))
    with op.batch_alter_table("integrity_seals") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=16), server_default="", nullable=False))
    if conn.dialect.name == "postgresql":
        for sql in integrity.pg_touch_triggers(TABLES):
            op.execute(sql)
    integrity.seal(conn, tables=TABLES)  # every row as it is now: the new chain's first links


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {integrity.TOUCHED}_{table} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {integrity.TOUCHED}()")
    conn.execute(sa.text("DELETE FROM integrity_seals"))
    with op.batch_alter_table("integrity_seals") as batch:
        batch.drop_column("key_id")
