"""信用预警规则: the rules in force with their level, condition and basis; the bureau loads its own (admin).

No document fixes when a warning is due (淮医保发〔2020〕104号 三（五） asks for 预警 without saying how): the shipped
rules are a sample, marked so, until the bureau loads its own; every set loaded stays on record.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from models.services import warnings
from models.services.base import Actor
from views.settings_common import LazyTab, read_text
from views.settings_indicators import SAMPLE_STYLE
from views.table_model import Column, RowsModel
from views.table_view import RecordTable

PARAMS = {"points_from": "预警分值", "within_days": "天数", "rise_from": "增加分值", "times_from": "次数"}
COLUMNS = (
    Column("level", "级别", lambda r: r["level"]),
    Column("name", "预警类别", lambda r: r["name"]),
    Column("subject_type", "适用对象", lambda r: warnings.SUBJECT_TYPES.get(r["subject_type"], r["subject_type"])),
    Column("params", "参数", lambda r: "，".join(f"{PARAMS.get(k, k)} {v}" for k, v in r["params"].items())),
    Column("explain", "条件", lambda r: r["explain"], tooltip=lambda r: r["explain"]),
    Column("basis", "依据", lambda r: r["basis"], tooltip=lambda r: r["basis"]),
    Column("enabled", "状态", lambda r: "启用" if r["enabled"] else "停用"),
)


def load_rules(db, *, actor: Actor, path: str, reason: str):
    """Runs on the worker: the bureau's rules, then every warning checked again under them."""
    result = warnings.set_rules(db, actor=actor, text=read_text(path), reason=reason)
    return result, warnings.refresh_county(db)


class WarningRulesTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.content: dict | None = None
        self.banner = QLabel(wordWrap=True, styleSheet=SAMPLE_STYLE)
        self.banner.hide()
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = RecordTable("settings/warning-rules")
        self.table.setModel(self.model)
        buttons = self.json_buttons("预警规则", "warning.rules")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(QLabel("预警不是处理决定，不改变信用评价结果；达到条件时在工作台提示，由审核员确认并记录处理意见，"
                                "必要时起草信用提醒。处理到期事项时按现行规则重新核查，原因不变的不重复预警。", wordWrap=True))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(warnings.export_rules, on_done=self._show, on_error=self.refused)

    def _show(self, content: dict) -> None:
        self.content = content
        self.banner.setVisible(content["sample"])
        self.banner.setText(f"<b>示例</b>：{content['note']}")
        self.model.set_rows(content["rules"])
        self.table.fit_columns()

    def export(self) -> None:
        if self.content is not None:
            self.export_json("导出预警规则", "信用预警规则.json", self.content)

    def load_set(self) -> None:
        self.load_json("载入预警规则", "变更原因（如：本局信用预警办法，局务会审定）：", load_rules, self._loaded)

    def _loaded(self, done) -> None:
        result, counts = done
        self.load()
        self.say(f"已启用本局预警规则 {result.value} 条，原规则留档；按新规则核查：新增预警 {counts['raised']} 项，"
                 f"解除 {counts['cleared']} 项。")
