"""Fault injection shared by the kill tests: run a command-line write to completion on a copy of a database,
then run it again on fresh copies and SIGKILL it at random points; every file left behind must open,
pass SQLite's integrity check and `audit verify`'s full check of the hash chain, and show either nothing of
the write or all of it (each test says what "all" and "nothing" look like)."""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "abc12345"


def start(db: Path, args: list[str], *, user: str = "admin", env: dict | None = None,
          stderr=subprocess.DEVNULL) -> subprocess.Popen:
    full_env = {**os.environ, "CREDIT_DESK_PASSWORD": PASSWORD, "CREDIT_DESK_ADMIN_PASSWORD": PASSWORD,
                "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "desktop.cli", "--db", str(db), "--user", user, *args],
                            stdout=subprocess.DEVNULL, stderr=stderr, env=full_env, cwd=ROOT)


def kill_after(proc: subprocess.Popen, delay: float) -> None:
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def sound(path: Path) -> None:
    """Opens as the program opens it, intact by SQLite's check and by every link and row of the hash chain."""
    from models.db import integrity_check
    from models.db.database import open_database

    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db = open_database(str(path))
    try:
        with db.engine.connect() as conn:
            assert integrity_check.verify(conn) == []
    finally:
        db.dispose()


def kill_loop(pristine: Path, folder: Path, args: list[str], *, kills: int, seed: int,
              observe: Callable[[Path], object], user: str = "admin", env: dict | None = None,
              kill: Callable[[subprocess.Popen, random.Random, float], None] | None = None,
              stderr=subprocess.DEVNULL) -> tuple[object, object, list[tuple[float, object]]]:
    """(what ``observe`` sees before, after the complete run, and after each killed run with its delay).

    ``kill(proc, rng, length)`` kills the run its own way (by default after a random time up to 1.1× the
    complete run's length); it returns the delay it waited, for the failure message.
    """
    sound(pristine)
    before = observe(pristine)
    complete = folder / "complete.sqlite3"
    shutil.copy(pristine, complete)
    started = time.monotonic()
    assert start(complete, args, user=user, env=env).wait(timeout=300) == 0
    length = time.monotonic() - started
    sound(complete)
    after = observe(complete)
    assert after != before
    rng, seen = random.Random(seed), []
    for n in range(kills):
        target = folder / f"kill-{n}.sqlite3"
        shutil.copy(pristine, target)
        proc = start(target, args, user=user, env=env, stderr=stderr)
        if kill is None:
            delay = rng.uniform(0.1, length * 1.1)
            kill_after(proc, delay)
        else:
            delay = kill(proc, rng, length)
        sound(target)
        seen.append((delay, observe(target)))
    return before, after, seen


def either(before, after, seen: list[tuple[float, object]]) -> list[str]:
    """Each killed run left the database as it was or the write complete; returns which, for each kill."""
    for delay, found in seen:
        assert found in (before, after), f"killed after {delay:.2f} s: a partial write {found}"
    return ["untouched" if found == before else "applied" for _delay, found in seen]
