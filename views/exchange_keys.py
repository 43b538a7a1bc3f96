"""密钥管理: make this bureau's keys, export the public key, import the other side's after comparing fingerprints."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from models.services.exchange import keys
from models.validation import ValidationError, read_text_file
from views.exchange_common import PathField, RowsModel, button_row, table
from views.forms import FormErrors, error_label

FINGERPRINT_HINT = "通过电话与对方逐组核对指纹，一致后才能导入；不一致说明文件被调换或损坏。"


def _write_public_key(db, *, path: str) -> str:
    """Worker-side: the public key file where the admin chose."""
    if not path:
        raise ValidationError("公钥文件", "请选择保存位置")
    try:
        Path(path).write_text(keys.public_key_file(db), encoding="utf-8")
    except OSError as exc:
        raise ValidationError("公钥文件", f"无法写入 {path}（{exc.strerror}）") from None
    return path


def _import_key(db, *, actor, path: str, expect_fingerprint: str):
    text = read_text_file(path, "对方公钥文件")
    return keys.import_partner_key(db, actor=actor, text=text, expect_fingerprint=expect_fingerprint)


def _beside(field: QWidget, button: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(button)
    row.setFocusProxy(field)
    return row


class KeysTab(QWidget):
    def __init__(self, runner, actor, parent=None):
        super().__init__(parent)
        self.runner, self.actor, self.changed = runner, actor, []
        self.own = QLabel("正在读取…")
        self.own.setWordWrap(True)
        self.make = QPushButton("生成本局密钥(&G)")
        self.make.clicked.connect(self.make_keys)
        self.export_path = PathField("save", "保存本局公钥", "公钥文件 (*.json)")
        self.export = QPushButton("导出公钥(&X)")
        self.export.clicked.connect(self.export_key)
        mine = QGroupBox("本局密钥")
        mform = QFormLayout(mine)
        mform.addRow(self.own)
        mform.addRow("", button_row(self.make))
        mform.addRow("公钥保存到(&S)：", _beside(self.export_path, self.export))

        self.errors = FormErrors(error_label())
        self.partner_file = PathField("open", "选择对方的公钥文件", "公钥文件 (*.json)")
        self.expected = QLineEdit(placeholderText="对方在电话中读出的指纹（可含空格）")
        self.import_ = QPushButton("导入对方公钥(&I)")
        self.import_.clicked.connect(self.import_key)
        self.expected.returnPressed.connect(self.import_.click)
        theirs = QGroupBox("对方（市局或县局）公钥")
        tform = QFormLayout(theirs)
        self.errors.add_row(tform, "公钥文件(&F)：", self.partner_file, "对方公钥文件")
        self.errors.add_row(tform, "核对的指纹(&P)：", _beside(self.expected, self.import_), "指纹")
        hint = QLabel(FINGERPRINT_HINT)
        hint.setWordWrap(True)
        tform.addRow("", hint)
        self.partners = RowsModel(("行政区划代码", "单位", "类型", "指纹", "导入时间", "导入人"))
        if not actor.can("exchange.manage"):
            for b in (self.make, self.export, self.import_):
                b.setEnabled(False)
                b.setToolTip("需要管理员角色")
        layout = QVBoxLayout(self)
        layout.addWidget(mine)
        layout.addWidget(theirs)
        layout.addWidget(self.errors.area)
        partners = table(self.partners)
        partners.setMinimumHeight(70)
        layout.addWidget(partners, 1)

    def show_status(self, st) -> None:
        self.has_key = st.own_key is not None
        self.own.setText(f"{st.name}（{st.code}）指纹：{st.own_key.shown}　生成于 {st.own_key.created_at.astimezone():%Y-%m-%d}"
                         if st.own_key else f"{st.name}（{st.code}）尚未生成数据交换密钥")
        self.partners.set_rows([(p.code, p.name, keys.ROLE_NAMES[p.role], p.shown,
                                 f"{p.created_at.astimezone():%Y-%m-%d %H:%M}", p.by) for p in st.partners])

    def make_keys(self) -> None:
        if getattr(self, "has_key", False):
            answer = QMessageBox.question(self, "生成新密钥", "本局已有密钥。生成新密钥后须把新公钥重新交给对方并核对指纹，"
                                                         "对方导入前发出的数据包无法被验证。确定生成新密钥吗？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.runner.service(keys.make_keys, actor=self.actor, on_done=self._done)

    def export_key(self) -> None:
        self.runner.service(_write_public_key, path=self.export_path.text(), on_error=self._failed,
                            on_done=lambda path: self.own.setText(self.own.text() + f"\n已导出公钥：{path}"))

    def import_key(self) -> None:
        self.errors.clear()
        if not self.partner_file.text():
            self.errors.show("对方公钥文件", "对方公钥文件：请选择文件")
            return
        if not self.expected.text().strip():
            self.errors.show("指纹", "指纹：请填写与对方电话核对过的指纹，以免导入被调换的公钥")
            return
        self.runner.service(_import_key, actor=self.actor, path=self.partner_file.text(),
                            expect_fingerprint=self.expected.text(), on_done=self._imported, on_error=self._failed)

    def _imported(self, result) -> None:
        info = result.value
        self.expected.clear()
        self.errors.show(None, f"已导入 {info.name}（{info.code}）的公钥，指纹 {info.shown}")
        self._done(result)

    def _done(self, _result) -> None:
        for fn in self.changed:
            fn()

    def _failed(self, exc) -> None:
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
