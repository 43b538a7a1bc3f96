"""surnames with a reading of their own sort and match by it

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-02

曾 is zēng, 单 shàn, 解 xiè, 仇 qiú, 朴 piáo, 区 ōu, 查 zhā … as surnames (models/pinyin.py). The
sort keys and pinyin initials stored for people whose names begin with one are computed again;
nothing else changes. Downgrade leaves the keys as they are (they stay valid sort keys).
"""
import sqlalchemy as sa
from alembic import op

from models.pinyin import COMPOUND_SURNAMES, SURNAMES, initials_of, sort_key_of

revision = "0019"
down_revision = '0016'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    firsts = sorted(set(SURNAMES) | {c[0] for c in COMPOUND_SURNAMES})
    rows = bind.execute(sa.text("SELECT id, name, sort_key, initials FROM subjects WHERE substr(name, 1, 1) IN ("
                                + ", ".join(f":c{i}" for i in range(len(firsts))) + ")"),
                        {f"c{i}": c for i, c in enumerate(firsts)}).all()
    changed = []
    for id_, name, key, initials in rows:
        new_key, new_initials = sort_key_of(name), initials_of(name)
        if (new_key, new_initials) != (key, initials):
            changed.append({"id": id_, "k": new_key, "i": new_initials})
    for start in range(0, len(changed), BATCH):
        bind.execute(sa.text("UPDATE subjects SET sort_key = :k, initials = :i WHERE id = :id"),
                     changed[start:start + BATCH])


def downgrade() -> None:
    pass
