"""The grade distribution as a bar chart (Qt Charts); clicking a bar asks for the subjects behind it.

Few categories (subject types, townships, years) are grouped vertical bars, one colour per grade,
so a single 较差 beside fifty 优秀 is still a bar one can see and click. Institutions have long
names and are many: horizontal stacked bars with the names on the axis, the largest first.
"""
from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractBarSeries, QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainter
from PySide6.QtWidgets import QToolTip, QWidget

from models.queries.statistics import DIMENSIONS, GRADES, NO_GRADE, NOT_EVALUATED, Distribution
from models.services.subjects import TYPE_NAMES
from views.qtcompat import emit

COLOURS = {"优秀": "#2e7d32", "良好": "#5b9bd5", "中等": "#c9a227", "较差": "#ed7d31", "差": "#c62828",
           NO_GRADE: "#9e9e9e", NOT_EVALUATED: "#cfcfcf"}
MAX_CATEGORIES = 15  # more would not be readable at 1366×768; the table below lists them all
MAX_INSTITUTIONS = 10  # one horizontal bar each, with its name: fewer fit the chart's height


def chart_sets(dist: Distribution) -> list[str]:
    """Grades shown as bars. 无等级/未评价 only when nobody in view has a grade (e.g. insured persons),
    or one 200,000-person bar would flatten every other."""
    present = [g for g in GRADES if dist.frame[g].sum()]
    if present:
        return list(GRADES)
    return [g for g in (NO_GRADE, NOT_EVALUATED) if dist.frame[g].sum()]


def chart_rows(dist: Distribution, grades: list[str]) -> list[int]:
    """Frame rows with something to draw, at most MAX_CATEGORIES (institutions come largest first)."""
    rows = [n for n in range(len(dist.frame)) if grades and dist.frame.iloc[n][grades].sum()]
    return rows[:MAX_INSTITUTIONS if dist.dimension == "institution" else MAX_CATEGORIES]


def chart_title(dist: Distribution, shown: int) -> str:
    who = "" if dist.dimension == "type" else TYPE_NAMES[dist.subject_type]
    title = f"{who}信用等级分布（按{DIMENSIONS[dist.dimension]}）"
    if shown < len(dist.frame) and dist.dimension == "institution":
        title += f"：医保医（药）师人数最多的{shown}个机构"
    return title


class GradeChart(QChartView):
    """``bar_clicked(row, grade)``: ``row`` is the row of the distribution's frame."""

    bar_clicked = Signal(int, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(QChart(), parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(200)
        self.distribution: Distribution | None = None
        self.rows: list[int] = []
        self.grades: list[str] = []
        self.bar_sets: dict[str, QBarSet] = {}
        chart = self.chart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

    def _font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        # Qt Charts' themes pick their own fonts; the widget's font is the one with Chinese glyphs.
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        font.setBold(bold)
        return font

    def show_distribution(self, dist: Distribution) -> None:
        self.distribution = dist
        self.grades = chart_sets(dist)
        horizontal = dist.dimension == "institution"
        # A horizontal axis counts upwards from the bottom: reversed, the largest comes first at the top.
        self.rows = chart_rows(dist, self.grades)[::-1] if horizontal else chart_rows(dist, self.grades)
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setTitle(chart_title(dist, len(self.rows)))
        chart.setTitleFont(self._font(1.15, True))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.legend().setFont(self._font())
        series = QHorizontalStackedBarSeries() if horizontal else QBarSeries()
        self.bar_sets = {}
        for grade in self.grades:
            bars = QBarSet(grade)
            bars.setColor(QColor(COLOURS[grade]))
            bars.setBorderColor(QColor(COLOURS[grade]).darker(115))
            bars.setLabelColor(QColor("#ffffff" if horizontal else "#202020"))
            bars.setLabelFont(self._font(0.85))
            for row in self.rows:
                bars.append(float(dist.frame.iloc[row][grade]))
            bars.clicked.connect(lambda index, g=grade: self._clicked(index, g))
            bars.hovered.connect(lambda on, index, g=grade: self._hovered(on, index, g))
            series.append(bars)
            self.bar_sets[grade] = bars
        if not horizontal:
            series.setBarWidth(0.6 if len(self.rows) > 1 else 0.35)  # one category must not fill the chart
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsCenter if horizontal
                                 else QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([str(dist.frame.index[r]) for r in self.rows] or ["（无数据）"])
        categories.setLabelsFont(self._font(0.9))
        categories.setTruncateLabels(False)  # an institution's name cut to "…" says nothing
        values = QValueAxis()
        values.setLabelFormat("%d")
        values.setLabelsFont(self._font(0.85))
        top = max((float(dist.frame.iloc[r][self.grades].sum() if horizontal else dist.frame.iloc[r][self.grades].max())
                   for r in self.rows), default=1.0)
        values.setRange(0, max(1.0, top * 1.12))  # room for the labels above the tallest bar
        values.applyNiceNumbers()
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        old = self.chart()
        self.setChart(chart)
        old.deleteLater()  # setChart does not delete the chart it replaces

    def category_index(self, row: int) -> int:
        return self.rows.index(row)

    def bar_centre(self, row: int, grade: str) -> QPoint:
        """Where the bar of ``grade`` for frame row ``row`` is drawn, in viewport coordinates."""
        series = self.chart().series()[0]
        index = self.category_index(row)
        value = float(self.distribution.frame.iloc[row][grade])
        if isinstance(series, QHorizontalStackedBarSeries):
            before = sum(float(self.distribution.frame.iloc[row][g]) for g in self.grades[:self.grades.index(grade)])
            point = QPointF(before + value / 2, index)
        else:
            width = series.barWidth() / len(self.grades)
            point = QPointF(index - series.barWidth() / 2 + width * (self.grades.index(grade) + 0.5), value / 2)
        return self.mapFromScene(self.chart().mapToScene(self.chart().mapToPosition(point, series)))

    def _describe(self, index: int, grade: str) -> str:
        dist = self.distribution
        row = self.rows[index]
        return f"{dist.frame.index[row]} · {grade}：{int(dist.frame.iloc[row][grade])} 个（点击查看名单）"

    def _clicked(self, index: int, grade: str) -> None:
        if 0 <= index < len(self.rows) and self.distribution.frame.iloc[self.rows[index]][grade]:
            emit(self.bar_clicked, self.rows[index], grade)

    def _hovered(self, on: bool, index: int, grade: str) -> None:
        if on and 0 <= index < len(self.rows):
            QToolTip.showText(QCursor.pos(), self._describe(index, grade), self)
        else:
            QToolTip.hideText()

    def save_png(self, path: str) -> bool:
        return self.grab().save(path, "PNG")
