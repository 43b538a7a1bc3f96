"""trust: the hash chain over rows with legal weight, append-only status history, PostgreSQL triggers on
every legal table, exchange private keys encrypted with the user's key store

Revision ID: 0011
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

from models.db import vault

revision = "0011"
down_revision = "0015"
branch_labels = None
depends_on = None

STATUS_COLUMNS = "registration_id, status, effective_on, reason, actor, uuid, created_at"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER registration_status_no_rewrite BEFORE UPDATE OF {STATUS_COLUMNS} ON registration_status "
    "BEGIN SELECT RAISE(ABORT, '登记备案状态记录不可修改，状态变化应为新的记录'); END",
]
# What the SQLite triggers of 0005 (notice register) and 0007 (inspections) refuse, refused on PostgreSQL too.
NOTICE_TABLES = ("notice_issues", "notice_steps", "notice_deliveries", "notice_settings", "signing_certificates")
INSPECTION_COLUMNS = {
    "inspection_draws": ("number", "title", "subject_type", "filters", "base_ratio", "seed", "as_of", "profile",
                         "per_subject", "population", "selected", "candidates", "candidates_sha256", "pool",
                         "basis", "note", "drawn_by", "uuid", "created_at"),
    "inspection_draw_items": ("draw_id", "position", "subject_id", "grade", "probability", "inspectors", "uuid"),
    "inspectors": ("name", "certificate_no", "unit", "uuid", "added_by"),
}
PG_TRIGGERS = {
    "registration_status_no_rewrite": (f"BEFORE UPDATE OF {STATUS_COLUMNS} ON registration_status",
                                       "登记备案状态记录不可修改，状态变化应为新的记录"),
    **{f"{t}_{o}_refused": (f"BEFORE {o.upper()} ON {t}", "发文登记不可修改或删除")
       for t in NOTICE_TABLES for o in ("update", "delete")},
    **{f"{t}_no_delete": (f"BEFORE DELETE ON {t}", "抽查记录不可删除") for t in INSPECTION_COLUMNS},
    **{f"{t}_no_change": (f"BEFORE UPDATE OF {', '.join(c)} ON {t}", "抽查记录不可修改")
       for t, c in INSPECTION_COLUMNS.items()},
}


def _seal_keys(conn) -> None:
    """Keys made before this revision were stored raw: encrypted now with this account's key store."""
    rows = conn.execute(sa.text("SELECT id, fingerprint, sign_private, box_private FROM exchange_keys")).all()
    for key_id, fp, sign, box in rows:
        if not vault.is_sealed(sign):
            conn.execute(sa.text("UPDATE exchange_keys SET sign_private = :s, box_private = :b WHERE id = :i"),
                         {"s": vault.seal(bytes(sign), f"sign {fp}"), "b": vault.seal(bytes(box), f"box {fp}"), "i": key_id})


def upgrade() -> None:
    op.create_table(
        "integrity_seals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("entries", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_seals")),
    )
    op.create_index("ix_integrity_seals_table_last", "integrity_seals", ["table_name", "last_id"], unique=False)
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)
    else:
        for name, (when, message) in PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {when.split(' ON ')[1]}")
            op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION creditdesk_refuse('{message}')")
    _seal_keys(conn)  # the chain over rows with legal weight is started by 0018 (keyed, every legal table)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS registration_status_no_rewrite")
    else:
        for name, (when, _message) in PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {when.split(' ON ')[1]}")
    op.drop_index("ix_integrity_seals_table_last", table_name="integrity_seals")
    op.drop_table("integrity_seals")
