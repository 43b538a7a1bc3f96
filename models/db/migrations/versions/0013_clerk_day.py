"""subject pinyin sort key and reversed ID number; finding withdrawals

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01

Names sort by pinyin (subjects.sort_key) and a clerk finds a person by the last digits of the ID
number (subjects.id_number_reversed); both are filled for the subjects already in the file
(models/pinyin.py computes them, as it does for every new subject). A finding not yet confirmed
can be withdrawn by the clerk who entered it: finding_withdrawals, never deleted.
"""
import sqlalchemy as sa
from alembic import op

from models.pinyin import reversed_number, sort_key_of

revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table('subjects') as batch:
        batch.add_column(sa.Column('sort_key', sa.String(length=400), nullable=False, server_default=''))
        batch.add_column(sa.Column('id_number_reversed', sa.String(length=18), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name, id_number FROM subjects")).all()
    keys: dict[str, str] = {}  # 200,000 insured persons share far fewer names
    for start in range(0, len(rows), BATCH):
        params = []
        for id_, name, number in rows[start:start + BATCH]:
            if name not in keys:
                keys[name] = sort_key_of(name)
            params.append({"id": id_, "k": keys[name], "r": reversed_number(number)})
        bind.execute(sa.text("UPDATE subjects SET sort_key = :k, id_number_reversed = :r WHERE id = :id"), params)
    op.create_index('ix_subjects_sort_key', 'subjects', ['sort_key'])
    op.create_index('ix_subjects_type_sort_key', 'subjects', ['type', 'sort_key'])
    op.create_index('ix_subjects_id_number_reversed', 'subjects', ['id_number_reversed'])
    op.create_table(
        'finding_withdrawals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('withdrawn_by', sa.String(length=40), nullable=False),
        sa.Column('withdrawn_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_withdrawals_finding_id_findings')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_withdrawals')),
        sa.UniqueConstraint('finding_id', name=op.f('uq_finding_withdrawals_finding_id')),
    )
    if op.get_bind().dialect.name == "sqlite":  # as the other casework tables (0004)
        op.execute("CREATE TRIGGER finding_withdrawals_no_delete BEFORE DELETE ON finding_withdrawals "
                   "BEGIN SELECT RAISE(ABORT, '办案记录不可删除'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER finding_withdrawals_no_delete")
    op.drop_table('finding_withdrawals')
    op.drop_index('ix_subjects_id_number_reversed', table_name='subjects')
    op.drop_index('ix_subjects_type_sort_key', table_name='subjects')
    op.drop_index('ix_subjects_sort_key', table_name='subjects')
    with op.batch_alter_table('subjects') as batch:
        batch.drop_column('id_number_reversed')
        batch.drop_column('sort_key')
