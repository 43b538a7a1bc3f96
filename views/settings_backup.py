"""数据备份: a consistent copy of the database file on demand, and the list of copies made.

Every copy is in the audit log with its SHA-256 (models/services/backup.py); start-up also copies
the file to backups/ before a schema upgrade.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.services import backup
from models.services.base import Actor
from views.case_common import allow
from views.settings_common import LazyTab
from views.table_model import Column, RowsModel
from views.table_view import RecordTable

COLUMNS = (Column("at", "时间", lambda b: f"{b.at.astimezone():%Y-%m-%d %H:%M}" if b.at else ""),
           Column("actor", "操作人", lambda b: b.actor), Column("path", "备份文件", lambda b: b.path),
           Column("size", "大小（MB）", lambda b: f"{b.size / 1048576:.1f}", numeric=True),
           Column("sha256", "SHA-256", lambda b: b.sha256, hidden=True))
HELP = ("备份是数据库文件的完整副本（程序使用中也可备份），可在本程序中用 --db 打开核对。请定期备份并把副本保存到"
        "本机以外的位置（如加密U盘、单位文件服务器）。每次备份都记入操作日志。")


class BackupTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = RecordTable("settings-backups")
        self.table.setModel(self.model)
        self.backup_button = QPushButton("立即备份(&K)…", clicked=self.make_backup)
        allow(self.backup_button, actor, "backup.make", "把数据库复制到选定的文件")
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(HELP, wordWrap=True))
        layout.addLayout(buttons)
        layout.addWidget(QLabel("已做的备份："))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(backup.history, on_done=self._listed, on_error=self.refused)

    def _listed(self, rows) -> None:
        self.model.set_rows(rows)
        if rows:  # widths are kept once set: take them from real rows, not an empty table
            self.table.fit_columns(widest=520)

    def make_backup(self) -> None:
        self.runner.service(backup.suggested_path, on_done=self._choose, on_error=self.refused)

    def _choose(self, suggested) -> None:
        if suggested is None:
            self.say("数据库不是本机文件，请由数据库服务器管理员备份。")
            return
        suggested.parent.mkdir(parents=True, exist_ok=True)
        path, _filter = QFileDialog.getSaveFileName(self, "备份数据库", str(suggested), "数据库备份 (*.sqlite3)")
        if path:
            self.runner.service(backup.make_backup, actor=self.actor, dest=path, progress_title="正在备份数据库…",
                                on_done=self._done, on_error=self.refused)

    def _done(self, result) -> None:
        self.say(f"已备份到 {result.value.path}（{result.value.size / 1048576:.1f} MB）。")
        self.load()
