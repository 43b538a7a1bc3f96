"""Write a new Alembic revision by comparing the tables in models/db with a database at every head.

    .venv/bin/python tools/new_migration.py "message" REV_ID --parent PARENT_REV

Review the file it writes: it may pick up tables another branch has not migrated yet.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic import command  # noqa: E402

from models.db.engine import make_engine  # noqa: E402
from models.db.migrate import alembic_config  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("message")
    parser.add_argument("rev_id")
    parser.add_argument("--parent", required=True, help="the revision this one follows")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/gen.sqlite3")
        cfg = alembic_config(engine)
        command.upgrade(cfg, "heads")
        command.revision(cfg, message=args.message, autogenerate=True, rev_id=args.rev_id, head=args.parent)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
