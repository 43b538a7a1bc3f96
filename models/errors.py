"""One error path for the whole program: what the user reads, and what goes to the log.

No traceback reaches a user. A refusal (ServiceError, ValidationError) is shown as it is phrased;
anything else is written to the log in the data folder under a short incident number, and the user
reads that number and where the log is. The log holds the exception's type and the code locations
only, never its message or values, so no name or ID number is written there.

Light on purpose (no database import): the task runner needs it before the sign-in dialog paints.
Where the log goes for a given database is decided in models/db/engine.py (``setup_logging_for``).
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
import uuid
from pathlib import Path

from platformdirs import user_data_dir

from models.actors import ServiceError, ValidationError
from models.files import private_file

LOGGER = "creditdesk"
_state: dict[str, Path] = {}


def setup_logging(folder: Path | None) -> Path | None:
    """Log to ``folder``/logs/creditdesk.log (readable by this user only); the per-user data folder by default."""
    if "path" in _state:
        return _state["path"]
    if folder is None:
        folder = Path(user_data_dir("CreditDesk", appauthor=False))
    path = folder / "logs" / "creditdesk.log"
    try:
        private_file(path)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None  # a read-only folder: the program still runs, only the log is missing
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    _state["path"] = path
    return path


def log_path() -> Path | None:
    return _state.get("path")


def refusal(exc: BaseException) -> str | None:
    """The text of a refusal the services phrase for users (Chinese, complete), or None."""
    return str(exc) if isinstance(exc, (ServiceError, ValidationError)) else None


def record(exc: BaseException, context: str = "") -> str:
    """Write the failure to the log without personal data; the incident number the user reads."""
    incident = uuid.uuid4().hex[:8].upper()
    frames = "".join(f"\n  {os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in traceback.extract_tb(exc.__traceback__))
    logging.getLogger(LOGGER).error("incident %s %s: %s%s", incident, context, type(exc).__qualname__, frames)
    return incident


def message(exc: BaseException, context: str = "") -> str:
    """What the user reads for any failure: a refusal as it is, anything else as an incident number."""
    text = refusal(exc)
    if text is not None:
        return text
    incident = record(exc, context)
    where = f"日志 {log_path()}" if log_path() else "日志"
    return (f"操作未能完成：程序发生了意外错误（事件编号 {incident}）。数据库中不会留下只做了一半的改动。"
            f"详细情况已记入{where}（不含姓名、证件号码等个人信息），请把事件编号告诉系统管理员。")
