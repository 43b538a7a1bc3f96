"""Time the demo generator on a fresh SQLite file and report the file size.

    .venv/bin/python bench/bench_demo.py [--scale default] [--seed 1] [--keep PATH]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.db.database import open_database  # noqa: E402
from models.services import county, demo  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="default", choices=sorted(demo.SCALES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="write the database here instead of a temporary folder")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = Path(args.keep or Path(folder.name) / "bench.sqlite3")
    if path.exists():
        sys.exit(f"{path} exists; the demo loads only into a new database")
    db = open_database(str(path))
    profiles = county.available_profiles()
    profile = "shandong" if "shandong" in profiles else next(iter(profiles))  # its catalogue has every demo kind
    admin = county.initialise(db, code="370921", name="宁阳县", profile=profile,
                              admin_username="admin", admin_password="abc12345").value[1]
    started = time.perf_counter()
    summary = demo.fill_demo(db, actor=admin, scale=args.scale, seed=args.seed)
    wall = time.perf_counter() - started
    db.dispose()  # checkpoints the WAL, so the size below is the whole database
    print(summary)
    print(f"wall {wall:.1f} s, file {path.stat().st_size / 2**20:.1f} MiB")
    folder.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
