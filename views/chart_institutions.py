"""Lists beside the grade distribution: 定点医药机构信用评价一览 (every institution with its kind, township, grade,
staff points and open warnings; 导出Excel with the table exporter) and the open 信用预警 of the county.

Not modal, like the lists behind a count: a row opens the credit file (Enter or a double-click).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from models.queries.institution_ratings import InstitutionRating, institution_ratings
from models.services import warnings
from models.services.base import Actor
from views.case_common import iso
from views.forms import heading
from views.people import named
from views.settings_remembered import restore_geometry, save_geometry
from views.table_export import export_table
from views.table_model import Column, RowsModel
from views.table_view import RecordTable, copy_action

RATING_COLUMNS = (
    Column("name", "机构名称", lambda r: r.name),
    Column("credit_code", "统一社会信用代码", lambda r: r.credit_code),
    Column("group", "机构类别", lambda r: r.group),
    Column("kind", "机构类型", lambda r: r.kind),
    Column("township", "乡镇（街道）", lambda r: r.township),
    Column("grade", "信用等级", lambda r: r.grade),
    Column("score", "信用分", lambda r: r.score, numeric=True),
    Column("measures", "生效措施", lambda r: r.measures, numeric=True),
    Column("lists", "名单", lambda r: r.lists),
    Column("staff", "登记备案人员", lambda r: r.staff, numeric=True),
    Column("staff_with_points", "有记分人员", lambda r: r.staff_with_points, numeric=True),
    Column("staff_points", "人员本年记分合计", lambda r: r.staff_points, numeric=True),
    Column("warnings", "未解除预警", lambda r: r.warnings, numeric=True),
    Column("as_of", "评价日期", lambda r: iso(r.as_of)),
)
WARNING_COLUMNS = (
    Column("raised_on", "预警日期", lambda w: iso(w.raised_on)),
    Column("level", "级别", lambda w: w.level),
    Column("subject", "信用主体", lambda w: w.subject),
    Column("rule_name", "预警类别", lambda w: w.rule_name),
    Column("text", "情况", lambda w: w.text, tooltip=lambda w: f"{w.text}\n依据：{w.basis}"),
    Column("state", "状态", lambda w: w.state),
    Column("acknowledged_by", "确认人", lambda w: w.acknowledged_by or ""),
)


class ListDialog(QDialog):
    """A titled list read on the worker, with 打开信用档案 and 导出Excel."""

    def __init__(self, runner, title: str, columns, load: Callable, uuid_of: Callable, open_file, note: str,
                 key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runner, self.title, self.uuid_of, self.open_file, self.key = runner, title, uuid_of, open_file, key
        self.setWindowTitle(title)
        self.count = QLabel("正在读取…")
        self.model = RowsModel(columns, parent=self)
        self.table = RecordTable(key)
        self.table.setModel(self.model)
        self.table.opened.connect(lambda row: self.open_file(self.uuid_of(row)))
        copy_action(self.table)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton("打开信用档案(&O)", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: self.table.current_row() and self.open_file(self.uuid_of(self.table.current_row())))
        self.export_button = buttons.addButton("导出Excel(&X)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(lambda: export_table(self, self.runner, self.table, self.title))
        buttons.addButton("关闭(&C)", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(title, 1.2))
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel(note, wordWrap=True))
        layout.addWidget(buttons)
        if not restore_geometry(self, key):
            self.resize(1100, 560)
        runner.service(load, on_done=self.show_rows, on_error=runner.show_error)

    def show_rows(self, rows: list) -> None:
        self.model.set_rows(rows)
        self.count.setText(f"共 {len(rows)} 个")
        if rows:
            self.table.fit_columns()
            self.table.selectRow(0)
        self.table.setFocus()

    def done(self, result: int) -> None:
        save_geometry(self, self.key)
        super().done(result)


def ratings_dialog(runner, actor: Actor, open_file, parent: QWidget | None = None) -> ListDialog:
    dialog = ListDialog(runner, "定点医药机构信用评价一览", RATING_COLUMNS, institution_ratings,
                        lambda r: r.uuid, open_file,
                        "等级、信用分、措施和名单为各机构当前的信用状况；人员记分为在该机构登记备案的医保医（药）师本年度记分"
                        "（淮医保发〔2020〕104号 三（四））。定点医疗机构与定点零售药店分类列示。", "dialogs/institution-ratings",
                        parent)
    dialog.model.alarm = lambda r: isinstance(r, InstitutionRating) and (r.warnings > 0 or r.measures > 0)
    return dialog


def warnings_dialog(runner, actor: Actor, open_file, parent: QWidget | None = None) -> ListDialog:
    load = partial(named, query=warnings.list_warnings, fields=("acknowledged_by",))
    return ListDialog(runner, "未解除的信用预警", WARNING_COLUMNS, load, lambda w: w.subject_uuid,
                      open_file, "按级别（警示、关注、提示）和预警日期排列；确认预警、起草信用提醒在信用档案的“信用预警”页办理。"
                      "预警规则为本局设定（系统设置 → 信用预警规则），每条注明依据。", "dialogs/warnings", parent)
