"""What the benchmarks share: a demo county database to measure on, and a peak-memory reading."""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.db.database import Database, open_database  # noqa: E402
from models.services import county, demo, standing, users  # noqa: E402

PASSWORD = "abc12345"


def demo_database(scale: str = "default", copy_of: str | None = None, seed: int = 1) -> tuple[Database, object, Path]:
    """A fresh demo county (or a copy of an existing demo file, to save the load time)."""
    folder = Path(tempfile.mkdtemp(prefix="creditdesk-bench-"))
    path = folder / "bench.sqlite3"
    if copy_of:
        shutil.copy(copy_of, path)
        db = open_database(str(path))
        admin = users.authenticate(db, username="admin", password=PASSWORD)
    else:
        db = open_database(str(path))
        admin = county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                                  admin_password=PASSWORD).value[1]
        demo.fill_demo(db, actor=admin, scale=scale, seed=seed)
    return db, admin, path


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def evaluated_county(description: str) -> tuple[Database, object, Path]:
    """``--scale`` / ``--copy-of`` as the benchmarks take them: a demo county whose standings are up to date."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", default="default")
    parser.add_argument("--copy-of", help="a demo database, evaluated (credit-desk evaluate), copied before measuring")
    args = parser.parse_args()
    db, admin, path = demo_database(args.scale, args.copy_of)
    if not args.copy_of:
        standing.evaluate_all(db, actor=admin)
    return db, admin, path
