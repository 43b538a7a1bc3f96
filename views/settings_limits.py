"""办理时限: the bureau's own time limits where no document fixes one — answering an appeal (济医保发〔2025〕6号
四（八） grants it without a period) and choosing a suspension's length the rules leave to the handler. Shown
as 本局规定, changed by the administrator with a reason (notices.set_settings; audited who, when, why)."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget

from models.services import notices
from models.services.base import Actor
from models.services.notice_settings import LIMITS
from views.case_common import allow
from views.feedback import ask, tell
from views.forms import FormErrors, error_label, set_busy
from views.settings_common import LazyTab

EXPLAINED = {"appeal_handling_days": "自收到申诉的次日起计算；工作台据此显示剩余工作日和逾期。",
             "choice_days": "自引起暂停、终止的处理决定作出的次日起计算；工作台据此提示“措施待确定期限”。"}


class LimitsTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.spins: dict[str, QSpinBox] = {}
        self.errors = FormErrors(error_label())
        self.box = QGroupBox("本局规定的办理时限（工作日）")
        form = QFormLayout(self.box)
        note = QLabel("以下期限没有政策文件规定，由本局自行确定，界面和工作台均注明“本局规定”，不引用法律条文。"
                      "修改只影响此后受理的事项；节假日按已载入的节假日安排计算，未载入的年份按周末计算并标注“暂定”。",
                      wordWrap=True)
        form.addRow(note)
        for n, (key, (name, default)) in enumerate(LIMITS.items()):
            spin = QSpinBox(minimum=1, maximum=60, suffix=" 个工作日")
            spin.setToolTip(f"默认{default}个工作日。{EXPLAINED[key]}")
            self.spins[key] = spin
            self.errors.add_row(form, f"{name}(&{'JQ'[n]})：", spin, name)
        self.reason = QLineEdit(placeholderText="必填：为什么修改，如 局务会议决定")
        self.errors.add_row(form, "修改原因(&R)：", self.reason, "变更原因")
        self.save = QPushButton("保存办理时限(&S)", clicked=self._ask)
        form.addRow("", self.save)
        form.addRow("", self.errors.area)
        allow(self.box, actor, "notice.settings")
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addStretch(1)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(notices.get_settings, on_done=self._show, on_error=self.refused)

    def _show(self, conf: dict) -> None:
        self.shown = conf
        for key, spin in self.spins.items():
            spin.setValue(conf[key])

    def _changes(self) -> dict:
        return {k: s.value() for k, s in self.spins.items() if s.value() != getattr(self, "shown", {}).get(k)}

    def _ask(self) -> None:
        self.errors.clear()
        changes = self._changes()
        if not changes:
            self.say("办理时限没有变化。")
            return
        words = "；".join(f"{LIMITS[k][0]}由{self.shown[k]}个工作日改为{v}个工作日" for k, v in changes.items())
        ask(self, "保存办理时限", f"确认后{words}（本局规定）。\n\n此后受理的事项按新时限计算，已受理的不变；"
                              "修改及原因记入操作日志。", "保存(&Y)", lambda: self._save(changes))

    def _save(self, changes: dict) -> None:
        set_busy(self.box, True)
        self.runner.service(notices.set_settings, actor=self.actor, changes=changes, reason=self.reason.text(),
                            on_done=self._saved, on_error=self._refused)

    def _saved(self, result) -> None:
        set_busy(self.box, False)
        self._show(result.value)
        self.reason.clear()
        tell(self, "办理时限", "已保存："
             + "；".join(f"{name}{result.value[k]}个工作日" for k, (name, _d) in LIMITS.items()) + "（本局规定）。")

    def _refused(self, exc: BaseException) -> None:
        set_busy(self.box, False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
