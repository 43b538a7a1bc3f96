"""seal the tables with legal weight the chain did not cover: ratings, line changes, risk and warning rules,
inspection outcomes, warnings, the working-day calendar, the signing certificates and the county's settings

Revision ID: 0022
Revises: 0021

The keyed chain of revision 0018 covered the tables of that time. The yearly ratings (年度信用评价结果) with their
lines and steps, the objection decisions on single indicator lines, the bureau's risk and warning rules, the
outcomes of inspections, the credit warnings with their acknowledgements, the holiday schedules that deadlines are
counted on, the certificates notices are signed and verified with, the county's own row (its code, name and the
policy profile whose rules apply) and the appeals (申诉, revision 0021) join it here: every row as it is now is sealed (their links start here), and on
PostgreSQL each table gets the trigger that notes the program's own changes.

Downgrade drops those triggers and keeps the seals: they are links of the one chain, which the program of revision
0018 checks link by link while it ignores the rows of tables it does not seal. An upgrade after a downgrade seals
every row of these tables again as it is then.
"""
from alembic import op

from models.db import integrity

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# Frozen, as in 0018: a later revision that seals more tables names its own.
TABLES = ("indicator_adjustments", "annual_ratings", "annual_rating_lines", "risk_rules", "inspection_outcomes",
          "warning_rules", "credit_warnings", "calendar_years", "signing_certificates", "county", "appeals")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for sql in integrity.pg_touch_triggers(TABLES):
            op.execute(sql)
    integrity.seal(conn, tables=TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the program's connections make their TEMP triggers from the tables it seals
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {integrity.TOUCHED}_{table} ON {table}")
    for name in {integrity.pg_function_name(t) for t in TABLES} - {integrity.TOUCHED}:  # 0018's stays
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
