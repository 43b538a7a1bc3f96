"""等级分布: how the county's subjects are graded, by type, institution, township and year.

The chart and the table show the same counts; a click on a bar, or Enter / a double-click on a
count, lists those subjects. Evaluating the whole county runs on the worker with progress and
cancel (nothing is kept when cancelled), then the distribution is read again.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget,
)

from models.queries import statistics
from models.queries.statistics import COLUMNS, DIMENSIONS, Distribution
from models.services import standing, warnings
from models.services.base import Actor
from models.services.subjects import TYPE_NAMES
from views.case_common import allow, section_header
from views.chart_bars import GradeChart, chart_title
from views.chart_export import export_table
from views.chart_institutions import ratings_dialog, warnings_dialog
from views.chart_subjects import SubjectListDialog
from views.file_dialogs import save_file_name
from views.file_window import open_file_window
from views.forms import user_message
from views.settings_remembered import choice, remember_splitter, set_choice
from views.table_model import Column, RowsModel
from views.table_view import RecordTable, copy_action
from views.sections import PURPOSES

SECTION = "等级分布"
PURPOSE = PURPOSES[SECTION]
KEY = "pages/distribution"
TOTAL = "合计"


def table_columns(dist: Distribution) -> list[Column]:
    first = Column("label", dist.frame.index.name or DIMENSIONS[dist.dimension], lambda r: r[0])
    counts = [Column(g, g, (lambda r, n=n: r[1 + n]), numeric=True) for n, g in enumerate(COLUMNS)]
    return [first, *counts, Column("total", TOTAL, lambda r: r[1 + len(COLUMNS)], numeric=True)]


def table_rows(dist: Distribution) -> list[tuple]:
    return [(str(label), *(int(v) for v in values), int(values.sum()))
            for label, values in zip(dist.frame.index, dist.frame.to_numpy())]


def note_for(dist: Distribution) -> str:
    parts = []
    if dist.as_of:
        parts.append(f"评价结果截至 {dist.as_of.isoformat()}。" if dist.dimension != "year" else
                     "各年为按当年12月31日（本年为今天）的信用档案重新计算的等级，使用现行指标体系。")
    if dist.dimension == "institution":
        parts.append("按登记备案统计，在多个机构执业的人员在每个机构各计一次。")
    if dist.dimension == "kind":
        parts.append("定点医疗机构（医院、诊所）与定点零售药店分类统计（淮医保发〔2020〕104号 二、三（三））。")
    if dist.dimension == "township" and dist.subject_type == "practitioner":
        parts.append("医保医（药）师按其执业机构所在乡镇（街道）统计。")
    parts.append("千分制等级依磐医保〔2021〕43号 第十五条；指标体系为本局设置（示例指标体系时结果仅供参考）。"
                 "“无等级”：指标体系不评定该类主体；“未评价”：尚未进行信用评价。")
    return "".join(parts)


class DistributionPage(QWidget):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.distribution: Distribution | None = None
        self.file_windows: dict = {}
        self.lists: list = []  # the lists open beside the chart
        self.title, self.purpose = section_header(SECTION, PURPOSE)

        self.dimension = QComboBox()
        for key, name in DIMENSIONS.items():
            self.dimension.addItem(f"按{name}", key)
        self.subject_type = QComboBox()
        for key, name in TYPE_NAMES.items():
            self.subject_type.addItem(name, key)
        self.dimension.setCurrentIndex(max(0, self.dimension.findData(choice(f"{KEY}/dimension", "type"))))
        self.subject_type.setCurrentIndex(max(0, self.subject_type.findData(choice(f"{KEY}/type", "practitioner"))))
        self.refresh_button = QPushButton("刷新(&R)", clicked=self.load)
        self.evaluate_button = QPushButton("全县信用评价(&E)…", clicked=self.evaluate)
        allow(self.evaluate_button, actor, "evaluation.run", "对全部信用主体按今天重新评价，完成后刷新分布")
        self.png_button = QPushButton("导出图表(&P)…", clicked=self.export_png)
        self.xlsx_button = QPushButton("导出表格(&X)…", clicked=self.export_xlsx)
        self.ratings_button = QPushButton("机构评价一览(&I)…", clicked=self.open_ratings)
        self.warnings_button = QPushButton("预警清单(&W)…", clicked=self.open_warnings)
        self.warning_counts = QLabel("信用预警：正在读取…")
        self.warning_counts.setWordWrap(True)
        controls = QHBoxLayout()
        for text, widget in (("统计维度(&D)：", self.dimension), ("主体类型(&T)：", self.subject_type)):
            label = QLabel(text)
            label.setBuddy(widget)
            controls.addWidget(label)
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.ratings_button)
        controls.addWidget(self.warnings_button)
        heading_row = QHBoxLayout()  # the actions beside the title: one row of everything is too wide
        heading_row.addWidget(self.title)
        heading_row.addStretch(1)
        for button in (self.refresh_button, self.evaluate_button, self.png_button, self.xlsx_button):
            heading_row.addWidget(button)

        self.status = QLabel("正在读取…")
        self.status.setWordWrap(True)
        self.chart = GradeChart()
        self.chart.bar_clicked.connect(self.open_list)
        self.model = RowsModel([Column("label", "", lambda r: r[0])], parent=self)
        self.table = RecordTable()  # columns change with the dimension: nothing to remember per column
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(False)  # 合计 beside the counts, not at the far edge
        self.table.opened.connect(lambda _row: self._open_current_cell())
        copy_action(self.table)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([380, 200])  # the chart is what the page is for; the table scrolls
        self.splitter.setChildrenCollapsible(False)
        remember_splitter(self.splitter, KEY)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(heading_row)
        layout.addWidget(self.purpose)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.warning_counts)
        layout.addWidget(self.status)
        self.dimension.currentIndexChanged.connect(self._choice_changed)
        self.subject_type.currentIndexChanged.connect(self._choice_changed)
        self._update_type_choice()
        self._loaded_once = False
        self._generation = 0  # answers to an earlier choice of dimension are dropped
        self._last_run = ""  # what the last county-wide evaluation did, shown once with the new counts

    # -- reading ----------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded_once:  # the main window builds every page at start; read when first seen
            self._loaded_once = True
            self.load()

    def _update_type_choice(self) -> None:
        dimension = self.dimension.currentData()
        self.subject_type.setEnabled(dimension in ("township", "year"))
        self.subject_type.setToolTip({"type": "按主体类型统计时包括全部类型", "kind": "按机构类别统计的是定点医药机构",
                                      "institution": "按机构统计的是在该机构登记备案的医保医（药）师"}.get(dimension, ""))

    def _choice_changed(self) -> None:
        set_choice(f"{KEY}/dimension", self.dimension.currentData())
        set_choice(f"{KEY}/type", self.subject_type.currentData())
        self._update_type_choice()
        self.load()

    def load(self) -> None:
        if self.runner.db is None:
            return
        dimension, subject_type = self.dimension.currentData(), self.subject_type.currentData()
        self._generation += 1
        generation = self._generation
        self.status.setText(f"{self._last_run}正在统计…")
        extra = {"progress_title": "正在按年末计算信用等级…", "cancellable": True} if dimension == "year" else {}
        self.runner.service(statistics.distribution, dimension=dimension, subject_type=subject_type,
                            on_done=lambda dist: self.show_distribution(dist) if generation == self._generation else None,
                            on_error=self._failed, **extra)
        self.runner.service(warnings.counts, on_done=self.show_warning_counts, on_error=self._failed)

    def show_warning_counts(self, counts: dict[str, dict[str, int]]) -> None:
        """Open warnings by subject type and level (提示/关注/警示)."""
        parts = [f"{who} " + "、".join(f"{level}{n}" for level, n in levels.items() if n)
                 for who, levels in counts.items() if any(levels.values())]
        self.warning_counts.setText("未解除的信用预警：" + ("；".join(parts) if parts else "无") + "。")

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(user_message(exc) or "统计时发生意外错误")
        if user_message(exc) is None:
            self.runner.show_error(exc)

    def show_distribution(self, dist: Distribution) -> None:
        self.distribution = dist
        self.chart.show_distribution(dist)
        self.model.beginResetModel()  # the columns change with the dimension, not only the rows
        self.model.columns, self.model.rows = tuple(table_columns(dist)), table_rows(dist)
        self.model.endResetModel()
        self.table.resizeColumnsToContents()
        if dist.dimension == "year":  # the same subjects counted at every year end
            count = f"每年 {int(dist.frame.iloc[-1].sum()) if len(dist.frame) else 0} 个。"
        else:
            count = f"共 {int(dist.frame.to_numpy().sum())} 个。"
        self.status.setText(f"{self._last_run}{count}" + note_for(dist) + "点击柱形或在表格中双击某个数字查看名单。")
        self._last_run = ""

    # -- lists --------------------------------------------------------------------------------------

    def _open_current_cell(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() or self.distribution is None:
            return
        column = self.model.columns[index.column()].key
        grade = column if column in COLUMNS else ""
        count = self.model.rows[index.row()][index.column()] if index.column() else self.model.rows[index.row()][-1]
        if count:
            self.open_list(index.row(), grade)

    def open_list(self, row: int, grade: str) -> SubjectListDialog:
        return self._keep(SubjectListDialog(self.runner, self.actor, self.distribution.cell(row, grade), self.open_file,
                                             self))

    def open_ratings(self):
        return self._keep(ratings_dialog(self.runner, self.actor, self.open_file, self))

    def open_warnings(self):
        return self._keep(warnings_dialog(self.runner, self.actor, self.open_file, self))

    def _keep(self, dialog):
        """Lists stay open beside the chart (several at once) until closed."""
        self.lists.append(dialog)
        dialog.destroyed.connect(lambda *_: self.lists.remove(dialog) if dialog in self.lists else None)
        dialog.show()
        return dialog

    def open_file(self, subject_uuid: str) -> None:
        open_file_window(self, self.runner, self.actor, subject_uuid, self.file_windows)

    # -- evaluation and exports --------------------------------------------------------------------

    def evaluate(self) -> None:
        self.runner.service(standing.evaluate_all, actor=self.actor, progress_title="正在进行全县信用评价…",
                            cancellable=True, on_done=self._evaluated, on_error=self._evaluation_failed)

    def _evaluated(self, result) -> None:
        run = result.value
        self._last_run = (f"已评价：全县 {run.county} 个信用主体中 {run.subjects} 个需要更新（评价日期 {run.as_of}），"
                          f"其中 {run.changed} 个结果有变化；其余信用状况在有效期内。")
        self.load()

    def _evaluation_failed(self, exc: BaseException) -> None:
        if isinstance(exc, standing.Cancelled):
            self.status.setText(str(exc))
        else:
            self.runner.show_error(exc)

    def _file_name(self, suffix: str) -> str:
        title = chart_title(self.distribution, len(self.chart.rows)) if self.distribution else SECTION
        return f"{title.split('：')[0]}-{date.today():%Y%m%d}.{suffix}"

    def export_png(self) -> None:
        if self.distribution is None:
            return
        path = save_file_name(self, "导出图表", self._file_name("png"), "PNG 图片 (*.png)")
        if path:
            saved = self.chart.save_png(path)
            self.status.setText(f"已导出图表到 {path}" if saved else f"无法写入 {path}")

    def export_xlsx(self) -> None:
        if self.distribution is None:
            return
        path = save_file_name(self, "导出表格", self._file_name("xlsx"), "Excel 工作簿 (*.xlsx)")
        if path:
            title = chart_title(self.distribution, len(self.distribution.frame))
            self.runner.run(export_table, self.distribution, path=path, title=title,
                            on_done=lambda n: self.status.setText(f"已导出 {n} 行到 {path}"))


def make_page(runner, actor: Actor) -> QWidget:
    return DistributionPage(runner, actor)
