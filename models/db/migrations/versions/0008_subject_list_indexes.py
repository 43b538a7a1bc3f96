"""subject list indexes

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-22

Indexes on subjects.name and subjects.initials for lists of all subject types sorted by name
and searched by pinyin initials (models/db/tables_subject_list.py).
"""
from alembic import op


revision = '0008'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_subjects_name', 'subjects', ['name'])
    op.create_index('ix_subjects_initials', 'subjects', ['initials'])


def downgrade() -> None:
    op.drop_index('ix_subjects_initials', table_name='subjects')
    op.drop_index('ix_subjects_name', table_name='subjects')
