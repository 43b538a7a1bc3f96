"""credit files, users and audit log

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import models.db.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

_LEGAL_COLUMNS = (
    "subject_id, kind, good, source, case_no, decision_date, decision_type, amount, "
    "responsibility, institution_id, note, entered_by, supersedes_id, correction_reason"
)
APPEND_ONLY_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END",
    "CREATE TRIGGER credit_records_no_delete BEFORE DELETE ON credit_records "
    "BEGIN SELECT RAISE(ABORT, '信用记录不可删除，请录入更正记录'); END",
    f"CREATE TRIGGER credit_records_no_rewrite BEFORE UPDATE OF {_LEGAL_COLUMNS} ON credit_records "
    "BEGIN SELECT RAISE(ABORT, '信用记录不可改写，请录入更正记录'); END",
    "CREATE TRIGGER registration_status_no_delete BEFORE DELETE ON registration_status "
    "BEGIN SELECT RAISE(ABORT, '登记备案状态记录不可删除'); END",
]


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=30), nullable=False),
    sa.Column('entity_uuid', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('uuid', name=op.f('uq_audit_log_uuid'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_entity_uuid'), ['entity_uuid'], unique=False)

    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    op.create_table('county',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('profile', sa.String(length=40), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_county'))
    )
    op.create_table('subjects',
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('initials', sa.String(length=100), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('other_id', sa.String(length=40), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('insurance_code', sa.String(length=32), nullable=True),
    sa.Column('institution_kind', sa.String(length=16), nullable=True),
    sa.Column('practice_reg_no', sa.String(length=40), nullable=True),
    sa.Column('profession', sa.String(length=20), nullable=True),
    sa.Column('insurance_type', sa.String(length=8), nullable=True),
    sa.Column('township', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.CheckConstraint("type IN ('practitioner','insured','institution')", name=op.f('ck_subjects_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subjects')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_subjects_credit_code')),
    sa.UniqueConstraint('type', 'id_number', name='uq_subjects_type_id_number'),
    sa.UniqueConstraint('uuid', name=op.f('uq_subjects_uuid'))
    )
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subjects_id_number'), ['id_number'], unique=False)
        batch_op.create_index('ix_subjects_type_initials', ['type', 'initials'], unique=False)
        batch_op.create_index('ix_subjects_type_name', ['type', 'name'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('roles', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username')),
    sa.UniqueConstraint('uuid', name=op.f('uq_users_uuid'))
    )
    op.create_table('credit_records',
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('good', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('case_no', sa.String(length=60), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('decision_type', sa.String(length=8), nullable=True),
    sa.Column('amount', models.db.base.Money(), nullable=True),
    sa.Column('responsibility', sa.String(length=4), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=40), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.CheckConstraint("responsibility IS NULL OR responsibility IN ('主要','重要','一般')", name=op.f('ck_credit_records_responsibility')),
    sa.CheckConstraint('amount IS NULL OR amount >= 0', name=op.f('ck_credit_records_amount')),
    sa.ForeignKeyConstraint(['institution_id'], ['subjects.id'], name=op.f('fk_credit_records_institution_id_subjects')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_credit_records_subject_id_subjects')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['credit_records.id'], name=op.f('fk_credit_records_supersedes_id_credit_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_records')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_credit_records_supersedes_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_credit_records_uuid'))
    )
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.create_index('ix_records_subject_date', ['subject_id', 'decision_date', 'kind'], unique=False)

    op.create_table('registrations',
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['subjects.id'], name=op.f('fk_registrations_institution_id_subjects')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['subjects.id'], name=op.f('fk_registrations_practitioner_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('practitioner_id', 'institution_id', name='uq_registration_pair'),
    sa.UniqueConstraint('uuid', name=op.f('uq_registrations_uuid'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_practitioner_id'), ['practitioner_id'], unique=False)

    op.create_table('service_commitments',
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['subjects.id'], name=op.f('fk_service_commitments_institution_id_subjects')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['subjects.id'], name=op.f('fk_service_commitments_practitioner_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_commitments')),
    sa.UniqueConstraint('uuid', name=op.f('uq_service_commitments_uuid'))
    )
    with op.batch_alter_table('service_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_commitments_practitioner_id'), ['practitioner_id'], unique=False)

    op.create_table('attachments',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['credit_records.id'], name=op.f('fk_attachments_record_id_credit_records')),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], name=op.f('fk_attachments_sha256_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('uuid', name=op.f('uq_attachments_uuid'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_record_id'), ['record_id'], unique=False)

    op.create_table('registration_status',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.CheckConstraint("status IN ('正常','暂停','终止')", name=op.f('ck_registration_status_status')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_status_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_status')),
    sa.UniqueConstraint('uuid', name=op.f('uq_registration_status_uuid'))
    )
    with op.batch_alter_table('registration_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_status_registration_id'), ['registration_id'], unique=False)


    # Records with legal weight are never rewritten or deleted (磐医保〔2021〕43号 第十二条、第二十五条).
    if op.get_bind().dialect.name == "sqlite":
        for sql in APPEND_ONLY_TRIGGERS:
            op.execute(sql)


def downgrade() -> None:
    with op.batch_alter_table('registration_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_status_registration_id'))

    op.drop_table('registration_status')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_record_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('service_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_commitments_practitioner_id'))

    op.drop_table('service_commitments')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_practitioner_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_institution_id'))

    op.drop_table('registrations')
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_subject_date')

    op.drop_table('credit_records')
    op.drop_table('users')
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_index('ix_subjects_type_name')
        batch_op.drop_index('ix_subjects_type_initials')
        batch_op.drop_index(batch_op.f('ix_subjects_id_number'))

    op.drop_table('subjects')
    op.drop_table('county')
    op.drop_table('blobs')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_entity_uuid'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
