"""数据备份: automatic daily copies (folder and days kept, chosen by the administrator), a copy on demand,
a test restore of any backup file, the restore itself, and the list of copies made.

Every copy is in the audit log with its SHA-256 (models/services/backup.py); start-up also copies
the file to backups/ before a schema upgrade. The daily schedule is UI state of this PC (QSettings):
it has no legal weight, each copy it makes is audited.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import (QApplication, QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QInputDialog,
                               QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from models.services import backup, restore
from models.services.base import Actor
from views.case_common import allow
from views.file_dialogs import existing_directory, open_file_name, save_file_name
from views.forms import ERROR_STYLE
from views.settings_common import LazyTab
from views.settings_remembered import choice, set_choice
from views.table_model import Column, RowsModel
from views.table_view import RecordTable

COLUMNS = (Column("at", "时间", lambda b: f"{b.at.astimezone():%Y-%m-%d %H:%M}" if b.at else ""),
           Column("actor", "操作人", lambda b: b.actor), Column("path", "备份文件", lambda b: b.path),
           Column("size", "大小（MB）", lambda b: f"{b.size / 1048576:.1f}", numeric=True),
           Column("sha256", "SHA-256", lambda b: b.sha256, hidden=True))
HELP = ("备份是数据库文件的完整副本（程序使用中也可备份），只有本机当前用户可以读取。请把每日备份的文件夹设在"
        "本机以外的位置（如单位文件服务器、加密U盘），并定期用“试恢复”检查备份是否可用。每次备份都记入操作日志。")
KEY = "backup/daily"
DEFAULT_DAYS = 14
HOUR_MS = 3_600_000


def daily_settings(sqlite_file: Path | None) -> tuple[bool, str, int]:
    """(enabled, folder, days kept) for this PC; by default on, into backups/每日 beside the database."""
    default = str(backup.default_daily_folder(sqlite_file) or "")
    enabled = choice(f"{KEY}/enabled", "1") == "1"
    return enabled, choice(f"{KEY}/folder", default), int(choice(f"{KEY}/keep_days", str(DEFAULT_DAYS)) or DEFAULT_DAYS)


class DailyBackupSchedule(QObject):
    """Makes the day's copy a minute after sign-in (not competing with the first screen's reads), then
    checks hourly whether the date changed."""

    def __init__(self, runner, actor: Actor, sqlite_file: Path | None, parent: QObject | None = None,
                 first_delay_ms: int = 60_000):
        super().__init__(parent)
        self.runner, self.actor, self.sqlite_file = runner, actor, sqlite_file
        self.last_message = ""
        self._failed_on: date | None = None
        self.timer = QTimer(self, interval=HOUR_MS, timeout=self.run_if_due)
        if sqlite_file is not None:
            self.timer.start()
            QTimer.singleShot(first_delay_ms, self.run_if_due)

    def run_if_due(self) -> None:
        enabled, folder, days = daily_settings(self.sqlite_file)
        if not enabled or not folder or self._failed_on == date.today():
            return
        self.runner.service(backup.daily_backup, actor=self.actor, folder=folder, keep_days=days,
                            on_done=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        if result.value is not None:
            self.last_message = f"今日自动备份已完成：{result.value.path}"

    def _failed(self, exc: BaseException) -> None:
        self._failed_on = date.today()  # say it once a day, not every hour
        self.runner.show_error(exc)


class BackupTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = RecordTable("settings-backups")
        self.table.setModel(self.model)
        self.backup_button = QPushButton("立即备份(&K)…", clicked=self.make_backup)
        allow(self.backup_button, actor, "backup.make", "把数据库复制到选定的文件")
        self.check_button = QPushButton("试恢复(&T)…", clicked=self.check_backup)
        self.check_button.setToolTip("在临时副本上检查一个备份：文件是否完好、操作日志是否完整、本版本能否打开（不改动备份）")
        self.restore_button = QPushButton("恢复备份(&R)…", clicked=self.restore_backup)
        allow(self.restore_button, actor, "backup.make", "用备份替换正在使用的数据库（原文件先保存到 backups/），然后重新启动程序")
        buttons = QHBoxLayout()
        for b in (self.backup_button, self.check_button, self.restore_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(HELP, wordWrap=True))
        layout.addWidget(self._daily_box())
        layout.addLayout(buttons)
        layout.addWidget(QLabel("已做的备份（最近一次在最上面）："))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def _daily_box(self) -> QGroupBox:
        box = QGroupBox("每日自动备份（本机设置）")
        enabled, folder, days = daily_settings(None)
        self.daily_enabled = QCheckBox("每天第一次使用本程序时自动备份", checked=enabled)
        self.daily_folder = QLineEdit(readOnly=True)
        self.daily_folder.setPlaceholderText("数据库所在文件夹的 backups/每日")
        self.folder_button = QPushButton("选择文件夹(&F)…", clicked=self.choose_folder)
        self.keep_days = QSpinBox(minimum=1, maximum=3650, value=days, suffix=" 天", maximumWidth=120)
        self.last_backup = QLabel("上次备份：读取中…")
        for widget in (self.daily_enabled, self.folder_button, self.keep_days):
            allow(widget, self.actor, "backup.make", "")
        self.daily_enabled.toggled.connect(lambda on: set_choice(f"{KEY}/enabled", "1" if on else "0"))
        self.keep_days.valueChanged.connect(lambda n: set_choice(f"{KEY}/keep_days", str(n)))
        row = QHBoxLayout()
        row.addWidget(self.daily_folder, 1)
        row.addWidget(self.folder_button)
        form = QFormLayout(box)
        form.addRow(self.daily_enabled)
        form.addRow("备份文件夹：", row)
        form.addRow("保留：", self.keep_days)
        form.addRow(self.last_backup)
        return box

    def load(self) -> None:
        self.daily_folder.setText(daily_settings(self.runner.db.sqlite_file)[1])
        self.runner.service(backup.history, on_done=self._listed, on_error=self.refused)

    def _listed(self, rows) -> None:
        self.model.set_rows(rows)
        newest = rows[0] if rows else None
        self.last_backup.setText(f"上次备份：{newest.at.astimezone():%Y-%m-%d %H:%M}（{newest.actor}）{newest.path}"
                                 if newest and newest.at else "上次备份：还没有备份过")
        if rows:  # widths are kept once set: take them from real rows, not an empty table
            self.table.fit_columns(widest=520)

    def choose_folder(self) -> None:
        folder = existing_directory(self, "每日备份的文件夹", purpose="backup", start=self.daily_folder.text())
        if folder:
            set_choice(f"{KEY}/folder", folder)
            self.daily_folder.setText(folder)

    def make_backup(self) -> None:
        self.runner.service(backup.suggested_path, on_done=self._choose, on_error=self.refused)

    def _choose(self, suggested) -> None:
        if suggested is None:
            self.say("数据库不是本机文件，请由数据库服务器管理员备份。")
            return
        suggested.parent.mkdir(parents=True, exist_ok=True)
        path = save_file_name(self, "备份数据库", suggested.name, "数据库备份 (*.sqlite3)", purpose="backup",
                              fallback=suggested.parent)
        if path:
            self.runner.service(backup.make_backup, actor=self.actor, dest=path, progress_title="正在备份数据库…",
                                on_done=self._done, on_error=self.refused)

    def _done(self, result) -> None:
        self.say(f"已备份到 {result.value.path}（{result.value.size / 1048576:.1f} MB）。")
        self.load()

    def _pick_backup(self, title: str) -> str:
        return open_file_name(self, title, "数据库备份 (*.sqlite3);;所有文件 (*)", purpose="backup",
                              fallback=self.daily_folder.text())

    def check_backup(self) -> None:
        path = self._pick_backup("选择要试恢复的备份")
        if path:
            self.runner.run(backup.check_file, path, progress_title="正在检查备份…", on_done=self._checked,
                            on_error=self.refused)

    def _checked(self, report) -> None:
        if report.ok:
            self.say(f"试恢复通过：{report.path} 可以恢复（{report.county}；信用主体 {report.subjects}，"
                     f"信用信息 {report.records}，操作日志 {report.audit_entries} 条，最后一条 {report.last_audit}）。")
        else:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(f"试恢复未通过：{report.path}：{'；'.join(report.problems)}。不要用该备份恢复。")

    def restore_backup(self) -> None:
        path = self._pick_backup("选择用来恢复的备份")
        if not path:
            return
        reason, ok = QInputDialog.getText(self, "恢复备份", "恢复原因（记入操作日志）：")
        if not ok or not reason.strip():
            return
        password, ok = QInputDialog.getText(self, "恢复备份", f"请再次输入 {self.actor.username} 的密码（以备份中的账户核对）：",
                                            QLineEdit.EchoMode.Password)
        if ok:
            self.runner.service(restore.restore_in_use, backup_file=path, username=self.actor.username,
                                password=password, reason=reason.strip(), progress_title="正在恢复备份…",
                                on_done=self._restored, on_error=self.refused)

    def _restored(self, info) -> None:
        lines = [f"已用 {info.restored_from} 恢复数据库。", f"被替换的数据库已保存为 {info.kept_previous}。" if info.kept_previous else ""]
        if info.carried_packages:
            lines.append(f"与市局的数据包序号已衔接（保留了备份之后发出的 {'、'.join(info.carried_packages)}）。")
        if info.resend_needed:
            lines.append(f"备份之后收到的数据包需请对方重新发送后再导入：{'、'.join(info.resend_needed)}。")
        QMessageBox.information(self, "恢复完成", "\n".join(line for line in lines if line) + "\n\n程序将关闭，请重新启动。")
        QApplication.instance().quit()
