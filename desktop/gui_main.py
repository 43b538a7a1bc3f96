"""Entry of the windowed executable: the desktop program, with `--db PATH` as the only option."""
import sys

from desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main([*sys.argv[1:], "gui"] if "gui" not in sys.argv[1:] else sys.argv[1:]))
