"""exchange: keys, partners, packages, receipts, aliases, received policy packs, Excel imports

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-22 06:54:10.492484
"""
from alembic import op
import sqlalchemy as sa
import models.db.base


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

# A city database on PostgreSQL refuses what the SQLite triggers of 0001 and 0004 refuse: rows with legal
# weight are never deleted, the audit log never changed, a credit record never rewritten.
_LEGAL_COLUMNS = ("subject_id, kind, good, source, case_no, decision_date, decision_type, amount, "
                  "responsibility, institution_id, note, entered_by, supersedes_id, correction_reason")
PG_REFUSE = ("CREATE OR REPLACE FUNCTION creditdesk_refuse() RETURNS trigger AS $$ "
             "BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END; $$ LANGUAGE plpgsql")
PG_TRIGGERS = {
    "audit_log_no_update": ("BEFORE UPDATE ON audit_log", "审计日志不可修改"),
    "audit_log_no_delete": ("BEFORE DELETE ON audit_log", "审计日志不可删除"),
    "credit_records_no_delete": ("BEFORE DELETE ON credit_records", "信用记录不可删除，请录入更正记录"),
    "credit_records_no_rewrite": (f"BEFORE UPDATE OF {_LEGAL_COLUMNS} ON credit_records", "信用记录不可改写，请录入更正记录"),
    "registration_status_no_delete": ("BEFORE DELETE ON registration_status", "登记备案状态记录不可删除"),
    **{f"{t}_no_delete": (f"BEFORE DELETE ON {t}", "办案记录不可删除")
       for t in ("findings", "finding_persons", "points_notifications", "measures", "rectifications", "objections",
                 "repairs", "notices")},
}


# Synchronised tables of 0001–0004 whose rows may be deleted (the others refuse deletes): a trigger
# leaves a tombstone so the next package carries a deletion marker. Later tables add their own.
TOMBSTONED = ("subjects", "registrations", "service_commitments", "attachments", "measure_choices",
              "case_attachments")


def _tombstone_triggers(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"CREATE TRIGGER {t}_tombstone AFTER DELETE ON {t} BEGIN "
                f"INSERT INTO exchange_tombstones (table_name, row_uuid, origin_county, deleted_at, sync_pending) "
                f"VALUES ('{t}', OLD.uuid, OLD.origin_county, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1); END"
                for t in TOMBSTONED]
    return ["CREATE OR REPLACE FUNCTION creditdesk_tombstone() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO exchange_tombstones (table_name, row_uuid, origin_county, deleted_at, sync_pending) "
            "VALUES (TG_TABLE_NAME, OLD.uuid, OLD.origin_county, "
            "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), true); RETURN OLD; END; "
            "$$ LANGUAGE plpgsql",
            *(f"CREATE TRIGGER {t}_tombstone AFTER DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION creditdesk_tombstone()"
              for t in TOMBSTONED)]


def upgrade() -> None:
    op.create_table('exchange_tombstones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_uuid', sa.String(length=36), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.Column('deleted_at', sa.String(length=32), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=True),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_tombstones'))
    )
    with op.batch_alter_table('exchange_tombstones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_tombstones_row_uuid'), ['row_uuid'], unique=False)
    if op.get_bind().dialect.name in ("sqlite", "postgresql"):
        for sql in _tombstone_triggers(op.get_bind().dialect.name):
            op.execute(sql)
    op.create_table('excel_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=260), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('valid', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('imported_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_excel_imports')),
    sa.UniqueConstraint('uuid', name=op.f('uq_excel_imports_uuid'))
    )
    op.create_table('exchange_aliases',
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('remote_uuid', sa.String(length=36), nullable=False),
    sa.Column('local_uuid', sa.String(length=36), nullable=False),
    sa.Column('county', sa.String(length=6), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'remote_uuid', name=op.f('pk_exchange_aliases'))
    )
    with op.batch_alter_table('exchange_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_aliases_local_uuid'), ['local_uuid'], unique=False)

    op.create_table('exchange_delivered',
    sa.Column('receiver', sa.String(length=6), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_uuid', sa.String(length=36), nullable=False),
    sa.Column('row_updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('receiver', 'table_name', 'row_uuid', name=op.f('pk_exchange_delivered'))
    )
    op.create_table('exchange_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('sign_private', sa.LargeBinary(), nullable=False),
    sa.Column('sign_public', sa.LargeBinary(), nullable=False),
    sa.Column('box_private', sa.LargeBinary(), nullable=False),
    sa.Column('box_public', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('retired_at', models.db.base.UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_keys')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_exchange_keys_fingerprint')),
    sa.UniqueConstraint('uuid', name=op.f('uq_exchange_keys_uuid'))
    )
    op.create_table('exchange_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('sender', sa.String(length=6), nullable=False),
    sa.Column('receiver', sa.String(length=6), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('manifest', sa.Text(), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('filename', sa.String(length=260), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('handled_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('handled_by', sa.String(length=40), nullable=False),
    sa.Column('acknowledged_at', models.db.base.UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_packages')),
    sa.UniqueConstraint('direction', 'kind', 'sender', 'receiver', 'sequence', name='uq_exchange_packages_seq'),
    sa.UniqueConstraint('uuid', name=op.f('uq_exchange_packages_uuid'))
    )
    with op.batch_alter_table('exchange_packages', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_packages_pair', ['sender', 'receiver', 'direction'], unique=False)

    op.create_table('exchange_partner_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('sign_public', sa.LargeBinary(), nullable=False),
    sa.Column('box_public', sa.LargeBinary(), nullable=False),
    sa.Column('imported_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_partner_keys')),
    sa.UniqueConstraint('code', 'fingerprint', name='uq_exchange_partner_keys_code_fp')
    )
    with op.batch_alter_table('exchange_partner_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_partner_keys_code'), ['code'], unique=False)

    op.create_table('received_policy_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pack_id', sa.String(length=60), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('package_uuid', sa.String(length=36), nullable=False),
    sa.Column('installed_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('installed_by', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_received_policy_packs')),
    sa.UniqueConstraint('pack_id', 'version', name='uq_received_policy_packs_version')
    )
    op.create_table('exchange_package_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_uuid', sa.String(length=36), nullable=False),
    sa.Column('row_updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('local', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['exchange_packages.id'], name=op.f('fk_exchange_package_rows_package_id_exchange_packages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_package_rows'))
    )
    with op.batch_alter_table('exchange_package_rows', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_package_rows_pkg', ['package_id', 'table_name'], unique=False)



    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_REFUSE)
        for name, (when, message) in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION creditdesk_refuse('{message}')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for t in TOMBSTONED:
        op.execute(f"DROP TRIGGER IF EXISTS {t}_tombstone" + (f" ON {t}" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS creditdesk_tombstone()")
    op.drop_table('exchange_tombstones')
    if op.get_bind().dialect.name == "postgresql":
        for name, (when, _message) in PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {when.split(' ON ')[1]}")
        op.execute("DROP FUNCTION IF EXISTS creditdesk_refuse()")
    with op.batch_alter_table('exchange_package_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_package_rows_pkg')

    op.drop_table('exchange_package_rows')
    op.drop_table('received_policy_packs')
    with op.batch_alter_table('exchange_partner_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_partner_keys_code'))

    op.drop_table('exchange_partner_keys')
    with op.batch_alter_table('exchange_packages', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_packages_pair')

    op.drop_table('exchange_packages')
    op.drop_table('exchange_keys')
    op.drop_table('exchange_delivered')
    with op.batch_alter_table('exchange_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_aliases_local_uuid'))

    op.drop_table('exchange_aliases')
    op.drop_table('excel_imports')
