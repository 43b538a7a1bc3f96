"""确认信用预警: a reviewer or signer notes what was done about a warning (e.g. 已电话提醒本人); audited."""
from __future__ import annotations

import html

from PySide6.QtWidgets import QWidget

from models.services import warnings
from models.services.base import Actor
from models.validation import max_length, required
from views.case_common import allow
from views.case_forms import CaseDialog, text_box


class AcknowledgeWarningDialog(CaseDialog):
    def __init__(self, runner, actor: Actor, warning: dict, parent: QWidget | None = None):
        super().__init__(runner, actor, f"确认信用预警：{warning['rule_name']}", "确认(&S)", parent)
        self.warning = warning
        self.intro.setText(f"<b>{html.escape(warning['level'])}</b>　{html.escape(warning['text'])}<br>"
                           f"预警日期：{html.escape(str(warning['raised_on']))}；依据：{html.escape(warning['basis'])}")
        self.intro.show()
        self.note = self.field("处理意见(&N)：", text_box("例如：已电话提醒本人，要求自查整改"), "处理意见",
                               lambda v: max_length(required(v, "处理意见"), 500, "处理意见"))
        allow(self.ok, actor, "warning.ack")

    def submit(self) -> None:
        self.send(warnings.acknowledge, warning=self.warning["uuid"], note=self.note.toPlainText())

    def done_message(self) -> str:
        return "已确认该预警并记录处理意见。"
