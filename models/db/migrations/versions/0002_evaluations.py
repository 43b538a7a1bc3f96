"""evaluation snapshots, standing, calendar years, measure choices

Revision ID: 0002
Revises: 0001
"""
import json
from datetime import datetime, timezone

import chinese_calendar as cc
from alembic import op
import sqlalchemy as sa
import models.db.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _seed_calendar() -> None:
    """Every year the chinesecalendar package knows becomes a row the admin can see and extend."""
    years = sorted({d.year for d in cc.holidays} | {d.year for d in cc.workdays})
    version = getattr(cc, "__version__", "")
    table = sa.table("calendar_years", sa.column("year", sa.Integer), sa.column("holidays", sa.Text),
                     sa.column("workdays", sa.Text), sa.column("source", sa.String),
                     sa.column("loaded_at", models.db.base.UtcDateTime), sa.column("loaded_by", sa.String))
    now = datetime.now(timezone.utc)
    op.bulk_insert(table, [
        {"year": y, "holidays": json.dumps(sorted(d.isoformat() for d in cc.holidays if d.year == y)),
         "workdays": json.dumps(sorted(d.isoformat() for d in cc.workdays if d.year == y)),
         "source": f"chinesecalendar {version}".strip(), "loaded_at": now, "loaded_by": "system"}
        for y in years
    ])


def upgrade() -> None:
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holidays', sa.Text(), nullable=False),
    sa.Column('workdays', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('loaded_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('loaded_by', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('computed_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('computed_by', sa.String(length=40), nullable=False),
    sa.Column('profile', sa.String(length=40), nullable=False),
    sa.Column('score', models.db.base.Money(), nullable=True),
    sa.Column('grade', sa.String(length=4), nullable=True),
    sa.Column('points_year', sa.Integer(), nullable=False),
    sa.Column('points_total', sa.Integer(), nullable=False),
    sa.Column('rule_status', sa.String(length=20), nullable=False),
    sa.Column('result_hash', sa.String(length=64), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_evaluations_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('uuid', name=op.f('uq_evaluations_uuid'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluations_subject', ['subject_id', 'id'], unique=False)

    op.create_table('measure_choices',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('chosen_by', sa.String(length=40), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', models.db.base.UtcDateTime(), nullable=False),
    sa.Column('sync_pending', sa.Boolean(), nullable=False),
    sa.Column('origin_county', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['credit_records.id'], name=op.f('fk_measure_choices_record_id_credit_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_choices')),
    sa.UniqueConstraint('uuid', name=op.f('uq_measure_choices_uuid'))
    )
    with op.batch_alter_table('measure_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_choices_record_id'), ['record_id'], unique=False)

    op.create_table('subject_standing',
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('score', models.db.base.Money(), nullable=True),
    sa.Column('grade', sa.String(length=4), nullable=True),
    sa.Column('points_total', sa.Integer(), nullable=False),
    sa.Column('measures', sa.Integer(), nullable=False),
    sa.Column('result_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_subject_standing_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_subject_standing_subject_id_subjects')),
    sa.PrimaryKeyConstraint('subject_id', name=op.f('pk_subject_standing'))
    )
    with op.batch_alter_table('subject_standing', schema=None) as batch_op:
        batch_op.create_index('ix_standing_grade', ['grade'], unique=False)


    _seed_calendar()


def downgrade() -> None:
    with op.batch_alter_table('subject_standing', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_grade')

    op.drop_table('subject_standing')
    with op.batch_alter_table('measure_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_choices_record_id'))

    op.drop_table('measure_choices')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluations_subject')

    op.drop_table('evaluations')
    op.drop_table('calendar_years')
