"""The core and the documents never load Qt; the layer contract holds (ARCHITECTURE.md)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def printed_by(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (modules already loaded here would hide what it loads)."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def test_importing_models_and_reports_does_not_load_pyside6():
    code = (
        "import sys, pkgutil, importlib, models, reports\n"
        "for pkg in (models, reports):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' not in m.name: importlib.import_module(m.name)\n"
        "import desktop.cli, desktop.cli_commands\n"
        "print('PySide6' in sys.modules)\n"
    )
    assert printed_by(code) == "False"


def test_import_linter_layer_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_start_up_imports_only_what_the_sign_in_dialog_needs():
    """Issue 13 (start-up ≤ 2× a bare window): SQLAlchemy, pandas, reportlab, the Excel and signing libraries,
    the main window and its pages load after the sign-in dialog has painted, not before."""
    assert printed_by(
        "import sys, desktop.cli\n"
        "assert desktop.cli.gui_database(['--db', 'county.sqlite3', 'gui'])  # as a shortcut starts the window\n"
        "import desktop.gui\n"
        "heavy = ('sqlalchemy', 'alembic', 'pandas', 'numpy', 'reportlab', 'openpyxl', 'xlsxwriter', 'python_calamine',\n"
        "         'pyhanko', 'cryptography', 'pypinyin', 'stdnum', 'models.db', 'models.services', 'reports',\n"
        "         'desktop.mainwindow', 'desktop.opening', 'views.page_workbench', 'views.first_run')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
    ) == ""
