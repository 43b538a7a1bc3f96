"""文书设置: the 发文字号 of the bureau's notices and the certificate that signs them, set in the window
(models/services/notices.set_settings and signing.install; both audited with who, when and why)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from models.services import notices, signing
from models.services.base import Actor
from models.validation import read_input
from views.case_common import allow
from views.feedback import ask, tell
from views.file_dialogs import open_file_name
from views.forms import FormErrors, error_label, set_busy
from views.notice_dialogs import fonts_in_use
from views.settings_common import LazyTab
from views.table_model import Column, RowsModel
from views.table_view import RecordTable
from views.people import named

CERT_COLUMNS = (
    Column("subject", "证书主体", lambda c: c.subject),
    Column("period", "有效期", lambda c: f"{c.not_before:%Y-%m-%d} 至 {c.not_after:%Y-%m-%d}"),
    Column("test", "用途", lambda c: "仅供试用" if c.test_only else "正式"),
    Column("installed", "安装", lambda c: f"{c.installed_by} {c.installed_at.astimezone():%Y-%m-%d %H:%M}"),
    Column("fingerprint", "指纹（SHA-256）", lambda c: c.fingerprint, hidden=True),
)


def read_certificate(path: str) -> bytes:
    """Runs on the worker: the PKCS#12 file (.p12/.pfx) as bytes, or a refusal naming the file."""
    return read_input(path, "证书文件", signing.MAX_P12)


def install_from_file(db, *, actor: Actor, path: str, password: str):
    return signing.install(db, actor=actor, p12=read_certificate(path), password=password)


class DocumentsTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.prefix = QLineEdit(placeholderText="如 宁医保")
        self.appeal_days = QSpinBox(minimum=0, maximum=60, suffix=" 个工作日", specialValueText="文件未规定（不写期限）")
        self.phone = QLineEdit(placeholderText="告知书上的经办人联系电话")
        self.reason = QLineEdit(placeholderText="必填：为什么修改")
        self.save = QPushButton("保存文书设置(&S)", clicked=self._save)
        self.errors = FormErrors(error_label())
        numbering = QGroupBox("发文字号与告知书内容")
        form = QFormLayout(numbering)
        self.errors.add_row(form, "发文字号代字(&P)：", self.prefix, "发文字号代字")
        self.errors.add_row(form, "申诉期限(&A)：", self.appeal_days, "申诉期限")
        self.errors.add_row(form, "经办人电话(&T)：", self.phone, "经办人电话")
        self.fonts = QLabel(wordWrap=True)  # what prints; not a setting, so it sits above the reason to save
        form.addRow("公文字体：", self.fonts)
        self.errors.add_row(form, "修改原因(&R)：", self.reason, "变更原因")
        form.addRow("", self.save)
        form.addRow("", self.errors.area)
        allow(numbering, actor, "notice.settings")

        self.certificates = RowsModel(CERT_COLUMNS, parent=self)
        table = RecordTable("settings-certificates")
        table.setModel(self.certificates)
        self.cert_file = QLineEdit(placeholderText="本局签章证书文件（PKCS#12：.p12 或 .pfx）")
        choose = QPushButton("选择文件(&F)…", clicked=self._choose_file)
        self.cert_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText="证书文件的密码")
        self.install = QPushButton("安装证书(&I)…", clicked=self._install)
        self.cert_errors = FormErrors(error_label())
        certs = QGroupBox("签章证书（最新安装的证书用于此后印发的告知书，旧证书仍用于验证）")
        box = QVBoxLayout(certs)
        box.addWidget(table, 1)
        cert_form = QFormLayout()
        file_row = QHBoxLayout()
        file_row.addWidget(self.cert_file, 1)
        file_row.addWidget(choose)
        holder = QWidget()
        holder.setLayout(file_row)
        self.cert_errors.add_row(cert_form, "证书文件(&C)：", holder, "证书文件")
        self.cert_errors.add_row(cert_form, "证书密码(&W)：", self.cert_password, "证书密码")
        cert_form.addRow("", self.install)
        cert_form.addRow("", self.cert_errors.area)
        box.addLayout(cert_form)
        allow(certs, actor, "cert.manage")

        layout = QVBoxLayout(self)
        layout.addWidget(numbering)
        layout.addWidget(certs, 1)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(notices.get_settings, on_done=self._show, on_error=self.refused)
        self.runner.service(fonts_in_use, on_done=self.fonts.setText, on_error=self.refused)
        self.runner.service(named, query=signing.certificates, fields=("installed_by",),
                            on_done=self.certificates.set_rows, on_error=self.refused)

    def _show(self, conf: dict) -> None:
        self.prefix.setText(conf["prefix"])
        self.appeal_days.setValue(conf["appeal_days"] or 0)
        self.phone.setText(conf["phone"])

    def _save(self) -> None:
        self.errors.clear()
        changes = {"prefix": self.prefix.text(), "appeal_days": self.appeal_days.value() or None,
                   "phone": self.phone.text()}
        set_busy(self, True)
        self.runner.service(notices.set_settings, actor=self.actor, changes=changes, reason=self.reason.text(),
                            on_done=self._saved, on_error=self._refused)

    def _saved(self, result) -> None:
        set_busy(self, False)
        self._show(result.value)
        self.reason.clear()
        tell(self, "文书设置", f"已保存：此后印发的告知书使用发文字号代字“{result.value['prefix']}”。")

    def _refused(self, exc: BaseException, errors: FormErrors | None = None) -> None:
        set_busy(self, False)
        if not (errors or self.errors).show_exception(exc):
            self.runner.show_error(exc)

    def _choose_file(self) -> None:
        path = open_file_name(self, "选择签章证书", "PKCS#12 证书 (*.p12 *.pfx);;所有文件 (*)",
                              purpose="certificate")
        if path:
            self.cert_file.setText(path)

    def _install(self) -> None:
        self.cert_errors.clear()
        path = self.cert_file.text().strip()
        if not path:
            self.cert_errors.show("证书文件", "证书文件：请选择本局签章证书文件")
            return
        ask(self, "安装签章证书", f"安装 {Path(path).name} 后，此后印发的告知书都以该证书签章；已印发的仍以原证书验证。"
                              "安装记入操作日志。", "安装(&Y)", lambda: self._run_install(path))

    def _run_install(self, path: str) -> None:
        set_busy(self, True)
        self.runner.service(install_from_file, actor=self.actor, path=path, password=self.cert_password.text(),
                            on_done=self._installed, on_error=lambda exc: self._refused(exc, self.cert_errors))

    def _installed(self, result) -> None:
        set_busy(self, False)
        self.cert_password.clear()
        self.runner.service(named, query=signing.certificates, fields=("installed_by",),
                            on_done=self.certificates.set_rows, on_error=self.refused)
        tell(self, "安装签章证书", f"已安装证书：{result.value.subject}，有效期至{result.value.not_after:%Y-%m-%d}。")
