"""What the crash-safe upgrade costs at start-up: the same schema upgrade of the same file, run in place
(plain Alembic, the baseline) and as the program runs it (backup, copy, migrate the copy, integrity
check, fsync, rename). Reported as a ratio measured in the same run.

    .venv/bin/python bench/bench_upgrade.py [--scale small|default] [--from FILE] [--to-revision 0009]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic import command  # noqa: E402

from models.db import migrate  # noqa: E402
from models.db.database import open_database  # noqa: E402
from models.db.engine import make_engine  # noqa: E402
from models.services import county, demo  # noqa: E402


def template(folder: Path, scale: str, source: str | None, old: str) -> Path:
    """A database one upgrade behind: made now (or copied), then taken back to ``old``."""
    path = folder / "template.sqlite3"
    if source:
        shutil.copyfile(source, path)
    else:
        db = open_database(str(path))
        admin = county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                                  admin_password="abc12345").value[1]
        demo.fill_demo(db, actor=admin, scale=scale, seed=1)
        db.dispose()
    engine = make_engine(f"sqlite:///{path}")
    command.downgrade(migrate.alembic_config(engine), old)
    engine.dispose()
    return path


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=sorted(demo.SCALES))
    parser.add_argument("--from", dest="source", help="an existing database at the current schema instead of demo data")
    parser.add_argument("--to-revision", default="0009", help="the older revision to upgrade from")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        old = template(folder, args.scale, args.source, args.to_revision)
        plain, safe = [], []
        for n in range(args.rounds):
            a, b = folder / f"plain-{n}.sqlite3", folder / f"safe-{n}" / "db.sqlite3"
            b.parent.mkdir()
            shutil.copyfile(old, a)
            shutil.copyfile(old, b)
            engine_a, engine_b = make_engine(f"sqlite:///{a}"), make_engine(f"sqlite:///{b}")
            plain.append(timed(lambda: command.upgrade(migrate.alembic_config(engine_a), "heads")))
            safe.append(timed(lambda: migrate.upgrade(engine_b, sqlite_file=b)))
            engine_a.dispose()
            engine_b.dispose()
        size = old.stat().st_size / 2**20
        p, s = min(plain), min(safe)
        print(f"database {size:.1f} MiB at {args.to_revision}; best of {args.rounds}: "
              f"in place {p:.3f} s, crash-safe {s:.3f} s, ratio {s / p:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
