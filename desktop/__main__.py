"""`python -m desktop`: the command line (with no command, the desktop program)."""
from desktop.cli import main

raise SystemExit(main())
