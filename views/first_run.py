"""First start: the bureau's county and policy profile, the first administrator, demo data."""
from __future__ import annotations

import importlib.util

from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel, QLineEdit,
    QRadioButton, QVBoxLayout, QWidget,
)

from models.services import county
from views.forms import FormErrors, error_label, heading, set_busy

NO_PROFILES = "未找到政策配置，无法初始化。请联系系统维护人员安装政策配置文件后重新启动本程序。"
PASSWORD_HINT = "至少8位，须同时包含字母和数字"


def demo_available() -> bool:
    # The demo generator is optional in a bundle built for production use.
    return importlib.util.find_spec("models.services.demo") is not None


class FirstRunDialog(QDialog):
    """Accepted once the database is initialised; ``county`` and ``admin`` then hold the result."""

    def __init__(self, runner, profiles: dict[str, str], parent: QWidget | None = None,
                 provinces: dict[str, tuple[str, str]] | None = None):
        """``provinces``: province code → (profile, province name), to propose a profile for the code."""
        super().__init__(parent)
        self.runner = runner
        self.county = None
        self.admin = None
        self.demo_summary = None  # what fill_demo loaded, when asked to
        self.setWindowTitle("首次使用")
        self.setMinimumWidth(560)

        self.code = QLineEdit(placeholderText="6位数字，例如 370921")
        self.name = QLineEdit(placeholderText="例如 宁阳县")
        self.profile = QComboBox()
        for key, display in profiles.items():
            self.profile.addItem(display, key)
        self.provinces = provinces or {}
        self.proposal = QLabel(wordWrap=True)
        self.proposal.setStyleSheet("color: #555;")
        self.code.textChanged.connect(self._propose)
        self.username = QLineEdit("admin")
        self.password = QLineEdit(placeholderText=PASSWORD_HINT, echoMode=QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit(placeholderText="再输入一次密码", echoMode=QLineEdit.EchoMode.Password)

        self.errors = FormErrors(error_label())
        bureau = QGroupBox("本局信息")
        form = QFormLayout(bureau)
        self.errors.add_row(form, "行政区划代码(&C)：", self.code, "行政区划代码")
        self.errors.add_row(form, "县（区）名称(&N)：", self.name, "县（区）名称")
        self.errors.add_row(form, "政策配置(&P)：", self.profile, "政策配置")
        form.addRow("", self.proposal)
        self.proposal.setMinimumHeight(2 * self.proposal.fontMetrics().lineSpacing())  # no jump when it appears
        admin = QGroupBox("管理员账号")
        form = QFormLayout(admin)
        self.errors.add_row(form, "用户名(&U)：", self.username, "用户名")
        self.errors.add_row(form, "密码(&W)：", self.password, "密码")
        self.errors.add_row(form, "确认密码(&R)：", self.password2, "确认密码")
        self.errors.align_labels()

        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("开始使用(&O)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("退出(&Q)", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)  # Enter submits from any field; Esc rejects (QDialog)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("欢迎使用医保信用管理系统"))
        layout.addWidget(QLabel("首次使用，请填写本局信息并设置管理员账号。管理员登录后可再添加其他用户。"))
        layout.addWidget(bureau)
        layout.addWidget(admin)
        layout.addWidget(self._demo_box())
        layout.addWidget(self.errors.area)
        layout.addWidget(self.buttons)

        if not profiles:
            self.profile.setEnabled(False)
            self.ok.setEnabled(False)
            self.errors.show(None, NO_PROFILES)
        self.code.setFocus()

    def _propose(self, code: str) -> None:
        """37xxxx → the Shandong profile, and a sentence saying why (the user may choose another)."""
        found = self.provinces.get(code.strip()[:2]) if len(code.strip()) >= 2 else None
        index = self.profile.findData(found[0]) if found else -1
        if index < 0:
            self.proposal.setText("没有与该行政区划代码所在省份对应的政策配置，请选择本局适用的配置。"
                                  if len(code.strip()) >= 2 else "")
            return
        self.profile.setCurrentIndex(index)
        self.proposal.setText(f"行政区划代码前两位“{code.strip()[:2]}”为{found[1]}，已建议“{self.profile.itemText(index)}”；"
                              "如本局适用其他配置，请另行选择。")

    def _demo_box(self) -> QGroupBox:
        box = QGroupBox("演示数据")
        self.demo = QCheckBox("载入演示数据(&D)，用于培训和试用")
        self.demo.setToolTip("演示数据为虚构的机构和人员。正式使用的数据库请不要载入。")
        self.small = QRadioButton("小规模（数秒完成）(&S)", checked=True)
        self.large = QRadioButton("默认规模（约20万参保人，约需一分钟）(&L)")
        group = QButtonGroup(box)
        layout = QVBoxLayout(box)
        layout.addWidget(self.demo)
        for radio in (self.small, self.large):
            group.addButton(radio)
            radio.setEnabled(False)
            self.demo.toggled.connect(radio.setEnabled)
            layout.addWidget(radio)
        if not demo_available():
            box.setEnabled(False)
            self.demo.setText("演示数据（本安装版本未包含）")
        return box

    def _submit(self) -> None:
        self.errors.clear()
        if self.password.text() != self.password2.text():
            self.errors.show("确认密码", "确认密码：两次输入的密码不一致")
            return
        set_busy(self, True)
        self.runner.service(
            county.initialise, code=self.code.text(), name=self.name.text(), profile=self.profile.currentData() or "",
            admin_username=self.username.text(), admin_password=self.password.text(),
            on_done=self._initialised, on_error=self._refused,
        )

    def reject(self) -> None:
        if not self.runner.busy:  # Esc while the database is being written would quit mid-way
            super().reject()

    def _refused(self, exc: BaseException) -> None:
        set_busy(self, False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)

    def _initialised(self, result) -> None:
        self.county, self.admin = result.value
        if not self.demo.isChecked():
            self.accept()
            return
        from models.services import demo  # only now: generating fake data pulls in Faker

        self.runner.service(
            demo.fill_demo, actor=self.admin, scale="small" if self.small.isChecked() else "default",
            progress_title="正在载入演示数据…", cancellable=True,
            on_done=self._demo_loaded, on_error=self._demo_failed,
        )

    def _demo_loaded(self, summary) -> None:
        self.demo_summary = summary
        self.accept()

    def _demo_failed(self, exc: BaseException) -> None:
        # The county and administrator exist already; the program is usable without demo data.
        self.runner.show_error(exc)
        self.accept()
