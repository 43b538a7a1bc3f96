"""Exchange of a whole demo county: records per second for export and import, against plain sqlite3.

    .venv/bin/python bench/bench_exchange.py [--scale default] [--copy-of DEMO.sqlite3]

The baseline does the least a copy of the same tables needs: sqlite3 reads every synchronised row
and writes it as a JSON line, then inserts the rows into an empty copy of the schema with
executemany. The exchange does more (references as UUIDs, compression, encryption, signature, a
log of what was sent; on import verification, classification, unique checks, one transaction),
so the ratios say what that costs.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from common import PASSWORD, demo_database, peak_rss_mib

from models.db.database import open_database
from models.db.migrate import backup_sqlite
from models.services import county, users
from models.services.exchange import export, importer, keys
from models.services.exchange.rows import synced_tables


def plain_dump(path: Path, out: Path) -> tuple[int, float]:
    """Every synchronised row as a JSON line, by sqlite3 alone."""
    started, n = time.perf_counter(), 0
    with sqlite3.connect(path) as con, out.open("w", encoding="utf-8") as f:
        for spec in synced_tables():
            cur = con.execute(f'SELECT * FROM "{spec.name}"')
            cols = [d[0] for d in cur.description]
            for row in cur:
                f.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False, default=str) + "\n")
                n += 1
    return n, time.perf_counter() - started


def plain_load(source: Path, empty_schema: Path) -> float:
    """The same rows inserted into an empty database of the same schema, by sqlite3 executemany."""
    started = time.perf_counter()
    with sqlite3.connect(source) as src, sqlite3.connect(empty_schema) as dst:
        for spec in synced_tables():
            cur = src.execute(f'SELECT * FROM "{spec.name}"')
            cols = [d[0] for d in cur.description]
            marks = ",".join("?" * len(cols))
            dst.executemany(f'INSERT INTO "{spec.name}" ({",".join(cols)}) VALUES ({marks})', cur)
        dst.commit()
    return time.perf_counter() - started


def city(folder: Path):
    db = open_database(str(folder / "city.sqlite3"))
    admin = county.initialise(db, code="370900", name="泰安市", profile="shandong", admin_username="admin",
                              admin_password=PASSWORD).value[1]
    keys.make_keys(db, actor=admin)
    return db, admin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="default")
    parser.add_argument("--copy-of", help="a demo database made by `credit-desk demo`, copied before measuring")
    args = parser.parse_args()
    db, admin, path = demo_database(args.scale, args.copy_of)
    folder = Path(tempfile.mkdtemp(prefix="creditdesk-bench-exchange-"))
    keys.make_keys(db, actor=admin)
    city_db, city_admin = city(folder)
    for one, other in ((db, city_db), (city_db, db)):
        actor = users.authenticate(one, username="admin", password=PASSWORD)
        keys.import_partner_key(one, actor=actor, text=keys.public_key_file(other))

    empty = folder / "empty.sqlite3"
    backup_sqlite(folder / "city.sqlite3", empty)  # the city's fresh schema, before any import (WAL included)
    n, base_dump = plain_dump(path, folder / "plain.jsonl")
    base_load = plain_load(path, empty)
    base_peak = peak_rss_mib()  # the plain copy's peak; everything after it can only raise the mark

    started = time.perf_counter()
    info = export.export_package(db, actor=admin, to_dir=str(folder), receiver="370900").value
    t_export = time.perf_counter() - started
    data = Path(info.path).read_bytes()
    started = time.perf_counter()
    report = importer.import_package(city_db, actor=city_admin, data=data, filename=Path(info.path).name).value
    t_import = time.perf_counter() - started
    started = time.perf_counter()
    again = importer.import_package(city_db, actor=city_admin, data=data).value
    t_resend = time.perf_counter() - started

    sent = sum(info.counts.values())
    assert sent == n and report.total("new") == n and report.total("conflicts") == 0, (sent, n, report.counts)
    print(f"records {n} in {len(info.counts)} record types; package {len(data) / 1e6:.1f} MB "
          f"(plain JSON Lines {(folder / 'plain.jsonl').stat().st_size / 1e6:.1f} MB)")
    print(f"baseline: sqlite3 rows → JSON Lines        {base_dump:8.2f} s  {n / base_dump:10.0f} records/s")
    print(f"baseline: sqlite3 executemany into schema  {base_load:8.2f} s  {n / base_load:10.0f} records/s")
    print(f"export (sign, encrypt, log)                {t_export:8.2f} s  {n / t_export:10.0f} records/s  "
          f"{t_export / base_dump:6.1f}× baseline dump")
    print(f"import (verify, classify, apply)           {t_import:8.2f} s  {n / t_import:10.0f} records/s  "
          f"{t_import / base_load:6.1f}× baseline load")
    print(f"same package again (recognised resend)     {t_resend:8.2f} s  ({again.status})")
    peak = peak_rss_mib()
    print(f"peak memory: after the plain baselines {base_peak:.0f} MiB, after export and import {peak:.0f} MiB "
          f"({peak / base_peak:.1f}×)")
    db.dispose()
    city_db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
