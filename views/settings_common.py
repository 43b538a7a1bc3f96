"""What the tabs of 系统设置 share: reading when first shown, one message line, file reading."""
from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QWidget

from models.services import standing
from models.validation import read_text_file
from views.case_common import allow
from views.file_dialogs import open_file_name, save_file_name
from views.forms import ERROR_STYLE, user_message


class LazyTab(QWidget):
    """Reads its data on the worker the first time it is shown (the settings page builds every tab)."""

    def __init__(self, runner, actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.message = QLabel(wordWrap=True)
        self._loaded_once = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded_once and self.runner.db is not None:
            self._loaded_once = True
            self.load()

    def load(self) -> None:  # pragma: no cover - every tab overrides it
        raise NotImplementedError

    def say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def recompute_standings(self, done: str) -> None:
        """The rules changed: every standing in the county is recomputed now, with progress and cancel."""
        def finished(run) -> None:
            self.say(f"{done}已按新规则重新计算 {run.subjects} 个信用主体的信用状况，其中 {run.changed} 个结果有变化。")

        def stopped(exc: BaseException) -> None:
            if isinstance(exc, standing.Cancelled):
                self.say(f"{done}{exc}；其余在查看或下次登录时按新规则计算。")
            else:
                self.refused(exc)

        self.runner.service(standing.refresh_due, actor=self.actor, progress_title="正在按新规则重新计算信用状况…",
                            cancellable=True, on_done=finished, on_error=stopped)

    def json_buttons(self, what: str, permission: str) -> QHBoxLayout:
        """导出 and 载入本局… (``self.export`` / ``self.load_set``) for rules the bureau sets itself."""
        self.export_button = QPushButton(f"导出{what}(&E)…", clicked=self.export)
        self.load_button = QPushButton(f"载入本局{what}(&L)…", clicked=self.load_set)
        allow(self.load_button, self.actor, permission, f"载入按导出格式编写的 JSON 文件；原{what}留档")
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.load_button)
        buttons.addStretch(1)
        return buttons

    def export_json(self, title: str, name: str, data: dict) -> None:
        """Rules the admin edits (indicator tree, warning rules) are exported as JSON to be changed and loaded back."""
        path = save_file_name(self, title, name, "JSON 文件 (*.json)")
        if path:
            self.runner.run(write_json, path, data, on_done=lambda _r: self.say(f"已导出到 {path}"), on_error=self.refused)

    def load_json(self, title: str, prompt: str, load, on_done) -> None:
        """Asks for the file and the reason, then ``load(db, actor=, path=, reason=)`` on the worker."""
        path = open_file_name(self, title, "JSON 文件 (*.json)")
        if not path:
            return
        reason, ok = QInputDialog.getText(self, title, prompt)
        if ok:
            self.runner.service(load, actor=self.actor, path=path, reason=reason, on_done=on_done,
                                on_error=self.refused)

    def refused(self, exc: BaseException) -> None:
        """A refusal in the service's words on the message line; anything unexpected in the runner's box."""
        text = user_message(exc)
        if text is None:
            self.runner.show_error(exc)
            return
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)


def read_text(path: str) -> str:
    """Runs on the worker: a text file as saved by Notepad or Excel (UTF-8 with or without BOM, or GBK)."""
    return read_text_file(path, "文件")


def write_json(path: str, data: dict) -> None:
    """Written beside the target and moved into place: the file is whole or absent, never half-written
    (a full disk, or another program reading it as it appears)."""
    part = Path(f"{path}.part")
    part.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(part, path)
