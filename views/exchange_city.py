"""市局汇总 (city only): each county's packages and records, and a practitioner's points from every county
(鲁医保发〔2024〕25号 第五条: results are recognised across counties)."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from models.services.exchange import city
from views.exchange_common import RowsModel, button_row, table
from views.forms import FormErrors, error_label


class CityTab(QWidget):
    def __init__(self, runner, actor, parent=None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.counties = RowsModel(("行政区划代码", "单位", "已收至", "已发至", "对方已确认", "信用主体", "信用信息"))
        self.number = QLineEdit(placeholderText="18位身份证号")
        self.lookup = QPushButton("查询跨县记分(&Q)")
        self.lookup.clicked.connect(self.points)
        self.number.returnPressed.connect(self.lookup.click)
        self.errors = FormErrors(error_label())
        box = QGroupBox("医保医（药）师跨县记分")
        form = QFormLayout(box)
        self.errors.add_row(form, "身份证号(&I)：", self.number, "身份证号")
        form.addRow("", button_row(self.lookup))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.entries = RowsModel(("决定日期", "县（区）", "记分", "依据"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("各县（区）数据交换情况"))
        counties = table(self.counties)
        counties.setMinimumHeight(70)
        layout.addWidget(counties, 1)
        layout.addWidget(box)
        layout.addWidget(self.errors.area)
        layout.addWidget(self.result)
        entries = table(self.entries)
        entries.setMinimumHeight(70)
        layout.addWidget(entries, 1)

    def refresh(self) -> None:
        self.runner.service(city.counties, on_done=self._counties, on_error=lambda _e: None)

    def _counties(self, rows) -> None:
        self.counties.set_rows([(r["county"], r["name"], f"第{r['received_up_to']}号", f"第{r['sent_up_to']}号",
                                 f"第{r['acknowledged_up_to']}号", r["subjects"], r["records"]) for r in rows])

    def points(self) -> None:
        self.errors.clear()
        self.runner.service(city.points_across, actor=self.actor, id_number=self.number.text(),
                            on_done=self._points, on_error=self._failed)

    def _points(self, data) -> None:
        by_county = "，".join(f"{c['name']} {c['points']} 分" for c in data["by_county"]) or "无记分"
        measures = "；".join(f"{m['name']}（{m['status_text']}）" for m in data["measures"])
        self.result.setText(f"{data['subject']['name']}：{data['year']}年记分合计 {data['total']} 分（{by_county}）"
                            + (f"\n措施：{measures}" if measures else ""))
        self.entries.set_rows([(e.get("decision_date") or e.get("date"), e["county_name"], e["points"], e["basis"])
                               for e in data["entries"]])

    def _failed(self, exc) -> None:
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
