"""Start-up as whole processes under Xvfb, against a bare PySide6 window in the same run.

    .venv/bin/python bench/bench_startup.py [--copy-of DEMO.sqlite3] [--repeat 7]

Three timings, each the median of ``--repeat`` fresh processes, started alternately so that disk
cache and CPU load affect them alike (bench/startup_probe.py runs inside each). Modules are compiled
to bytecode once, by the warm-up runs, as an installed program has them:

- bare: launch → a PySide6 window with one label painted (the baseline);
- login: launch → the sign-in dialog painted, as ``credit-desk gui`` starts on a PC where someone
  signed in before (the demo county database);
- rows: 登录 pressed (the database open) → the first rows of the first page (工作台) painted.

Targets (issue 13): login ≤ 2× bare; rows ≤ 1.0 s on the default-scale demo county.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBE = HERE / "startup_probe.py"


def start_xvfb() -> tuple[subprocess.Popen, str]:
    for number in range(90, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{number}").exists():
                    return server, f":{number}"
                time.sleep(0.05)
            server.terminate()
    raise SystemExit("Xvfb did not start")


def probe(env: dict, *args: str) -> dict[str, float]:
    started = time.time()
    out = subprocess.run([sys.executable, str(PROBE), *args], env=env, capture_output=True, text=True, timeout=120)
    events = {}
    for line in out.stdout.splitlines():
        name, _, stamp = line.partition(" ")
        if stamp:
            events[name] = float(stamp) - started
    if "painted" not in events or "message" in out.stdout:
        raise SystemExit(f"{args[0]}: no paint seen\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copy-of", help="a demo county database (bench/common.py makes one when omitted)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    from common import demo_database  # noqa: E402 - only after the arguments are read
    from models.db.vault import ENV_KEYSTORE, keystore_dir  # noqa: E402

    db, _admin, path = demo_database("default", copy_of=args.copy_of)
    db.dispose()
    server, display = start_xvfb()
    config = tempfile.mkdtemp(prefix="creditdesk-bench-config-")
    # Settings of its own, but this account's key store: the demo county's hash chain was sealed with it,
    # and without it the program warns (a modal box) before anyone can sign in.
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": config,
           ENV_KEYSTORE: str(keystore_dir())}
    # As installed (pip and the Windows bundle compile every module once): with PYTHONDONTWRITEBYTECODE
    # set, each start would compile the program's own modules again while PySide6's are compiled.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # A PC where admin signed in before: the program remembers the name (QSettings).
    subprocess.run([sys.executable, "-c", "from desktop.gui import make_app; from desktop import settings; "
                    "make_app(); settings.set_last_username('admin')"], env=env, check=True, cwd=HERE.parent)
    try:
        for mode in ("bare", "login", "rows"):  # warm the disk cache, compile the modules
            probe(env, mode, str(path))
        bare, login, rows = [], [], []
        for _ in range(args.repeat):
            bare.append(probe(env, "bare")["painted"])
            login.append(probe(env, "login", str(path))["painted"])
            events = probe(env, "rows", str(path))
            rows.append(events["rows"] - events["submitted"])
    finally:
        server.terminate()
        server.wait()
    b, l, r = (statistics.median(x) for x in (bare, login, rows))
    print(f"runs: {args.repeat} each, Xvfb 1366×768, database {path}")
    print(f"bare PySide6 window painted     {b * 1000:7.0f} ms")
    print(f"sign-in dialog painted          {l * 1000:7.0f} ms   {l / b:4.2f}× bare   (target ≤ 2×)")
    print(f"登录 → first rows of 工作台      {r * 1000:7.0f} ms              (target ≤ 1000 ms)")


if __name__ == "__main__":
    main()
