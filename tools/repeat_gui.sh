#!/usr/bin/env bash
# Runs the GUI suite (tests/gui) N times in a row and stops at the first failing run.
#
#     tools/repeat_gui.sh [N] [OUTPUT-DIR] [-- extra pytest arguments]
#
# Each run's output is saved as OUTPUT-DIR/run-K.log; a failing run's log is kept and named in the
# last line; passing runs' logs are removed unless KEEP_LOGS=1. The summary goes to OUTPUT-DIR/summary.
# While a file OUTPUT-DIR/pause exists no new run starts (for benchmarks that need the cores).
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
out="${2:-/tmp/repeat-gui}"
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
python="${PYTHON:-.venv/bin/python}"
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen
for k in $(seq 1 "$runs"); do
    while [ -e "$out/pause" ]; do sleep 5; done
    log="$out/run-$k.log"
    started=$(date +%s)
    "$python" -m pytest -q -p no:cacheprovider tests/gui "$@" >"$log" 2>&1
    status=$?
    echo "run $k: exit $status, $(( $(date +%s) - started )) s, $(tail -n 1 "$log")" | tee -a "$out/summary"
    if [ "$status" -ne 0 ]; then
        echo "FAILED at run $k after $((k - 1)) passing runs: $log" | tee -a "$out/summary"
        exit 1
    fi
    [ "${KEEP_LOGS:-0}" = 1 ] || rm -f "$log"
done
echo "PASSED $runs runs in a row" | tee -a "$out/summary"
