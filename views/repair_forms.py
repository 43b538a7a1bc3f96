"""Decisions on one credit file after the fact: 登记纠正失信行为 (鲁医保发〔2024〕25号 第十二条), 减免记分 and
缩减暂停期限 (济医保发〔2025〕6号 四（七）), 采取 and 提前结束 a measure the bureau decides (磐医保〔2021〕43号
第二十条).

Each dialog is opened from the row it concerns (the credit file's tabs), so nothing is typed to name
the record or measure. It says before saving what the decision will do, in words, and the file
window says after it what was done. The services decide (models/services/repairs.py, discretionary.py);
the four-eyes rule is shown on the button before the user meets the refusal.
"""
from __future__ import annotations

import html
from datetime import date, timedelta

from PySide6.QtWidgets import QLineEdit, QSpinBox, QWidget

from models.services import discretionary, repairs
from models.services.base import Actor
from models.validation import calendar_date, max_length, required
from views.case_common import allow, four_eyes_block, iso
from views.case_forms import CaseDialog, text_box
from views.feedback import ask


def record_name(record: dict) -> str:
    """What a user calls a record: its case number, else its kind and date."""
    if record.get("case_no"):
        return f"案件 {record['case_no']}"
    return f"{record.get('kind_name') or '信用信息'}（{iso(record.get('decision_date') or record.get('date'))}）"


def _reason(dialog: CaseDialog, label: str, name: str, placeholder: str = "") -> object:
    return dialog.field(label, text_box(placeholder), name, lambda v: max_length(required(v, name), 2000, name))


class ConfirmedDialog(CaseDialog):
    """A decision that asks before it is sent: ``consequence()`` says what it will do."""

    title = ""
    do = ""

    def introduce(self, text: str) -> None:
        """What the decision concerns, above the fields (HTML: callers escape the data)."""
        self.intro.setText(text)
        self.intro.show()

    def submit(self) -> None:
        ask(self, self.title, self.consequence() + "\n\n" + self.afterwards(), self.do, self.send_decision)

    def consequence(self) -> str:
        raise NotImplementedError

    def afterwards(self) -> str:
        return "该决定及理由记入操作记录，不能撤回。"

    def send_decision(self) -> None:
        raise NotImplementedError


class RectifyDialog(ConfirmedDialog):
    """登记纠正失信行为并作出修复承诺: when the measure ends, credit is restored automatically if the
    correction lies within its period (鲁医保发〔2024〕25号 第十二条; the ``tick`` does it)."""

    title, do = "登记纠正失信行为", "登记纠正(&Y)"

    def __init__(self, runner, actor: Actor, subject: str, record: dict, parent: QWidget | None = None):
        super().__init__(runner, actor, f"登记纠正失信行为 — {subject}", "登记(&S)", parent)
        self.subject, self.record = subject, record
        self.introduce(f"<b>{html.escape(subject)}</b>：{html.escape(record_name(record))}，"
                           f"{html.escape(record.get('kind_name') or '')}。<br>登记其纠正失信行为、消除不良影响的日期和"
                           "信用修复承诺。措施期满时，纠正日期在措施期间内的，信用自动修复"
                           "（鲁医保发〔2024〕25号 第十二条）。")
        self.day = self.date_field("纠正日期(&D)：", "纠正日期")
        self.commitment = _reason(self, "修复承诺(&C)：", "修复承诺", "信用主体作出的信用修复承诺")
        allow(self.ok, actor, "repair.write")

    def consequence(self) -> str:
        return (f"确认后将登记：{self.subject}已于{self.day.text()}纠正{record_name(self.record)}所涉失信行为，"
                "并作出信用修复承诺。所涉措施期满时，如纠正日期在措施期间内，信用自动修复。")

    def afterwards(self) -> str:
        return "登记记入信用档案和操作记录，不能删除。"

    def send_decision(self) -> None:
        self.send(repairs.rectify, record=self.record["uuid"], corrected_on=self.day.text(),
                  commitment=self.commitment.toPlainText())

    def done_message(self) -> str:
        return (f"已登记{self.subject}于{self.day.text()}纠正失信行为并作出修复承诺（{record_name(self.record)}）；"
                "措施期满时按规定自动修复。")


class ReducePointsDialog(ConfirmedDialog):
    """减免记分 for one scored record, by someone other than its clerk."""

    title, do = "减免记分", "减免记分(&Y)"

    def __init__(self, runner, actor: Actor, subject: str, entry: dict, year_total: int, entered_by: str | None,
                 parent: QWidget | None = None):
        super().__init__(runner, actor, f"减免记分 — {subject}", "减免(&S)", parent)
        self.subject, self.entry, self.year_total = subject, entry, year_total
        self.introduce(f"<b>{html.escape(subject)}</b>：{html.escape(record_name(entry))}"
                           f"（{iso(entry.get('date'))}）现记{entry['points']}分，本年度累计{year_total}分。<br>"
                           "对配合调查、主动整改的，可减免记分（济医保发〔2025〕6号 四（七））。")
        self.points = QSpinBox(minimum=1, maximum=max(1, int(entry["points"])), suffix=" 分")
        self.field("减免分值(&P)：", self.points, "减免分值")
        self.reason = _reason(self, "减免理由(&R)：", "减免理由", "配合调查、主动整改等情况")
        self.day = self.date_field("决定日期(&D)：", "决定日期")
        if allow(self.ok, actor, "repair.decide"):
            self.block(four_eyes_block(actor, entered_by, "记分记录", "减免记分"))

    def consequence(self) -> str:
        n, had = self.points.value(), int(self.entry["points"])
        return (f"确认后将对{self.subject}的{record_name(self.entry)}减免{n}分（由{had}分减为{had - n}分），"
                f"本年度累计记分由{self.year_total}分变为{self.year_total - n}分；"
                "信用评价和措施随之重新计算。")

    def send_decision(self) -> None:
        self.send(repairs.reduce_points, record=self.entry["record"], points=self.points.value(),
                  reason=self.reason.toPlainText(), on=self.day.text())

    def done_message(self) -> str:
        n = self.points.value()
        return (f"已对{self.subject}的{record_name(self.entry)}减免{n}分，本年度累计记分现为{self.year_total - n}分；"
                "信用评价和措施已重新计算。")


class ShortenMeasureDialog(ConfirmedDialog):
    """缩减暂停期限: a shorter number of months from the same start; the rule's range bounds it."""

    title, do = "缩减暂停期限", "缩减期限(&Y)"

    def __init__(self, runner, actor: Actor, subject: str, measure: dict, entered_by: str | None,
                 parent: QWidget | None = None):
        super().__init__(runner, actor, f"缩减期限 — {measure['name']}", "缩减(&S)", parent)
        self.subject, self.measure = subject, measure
        months = int(measure["months"])
        self.introduce(f"<b>{html.escape(subject)}</b>：{html.escape(measure['name'])}，自{iso(measure['start'])}起"
                           f"{months}个月（至{iso(measure.get('planned_end'))}）。<br>对主动纠正、消除影响的，可缩减期限"
                           f"（济医保发〔2025〕6号 四（七））；依据：{html.escape(measure.get('basis') or '')}")
        self.months = QSpinBox(minimum=1, maximum=max(1, months - 1), suffix=" 个月")
        self.months.setValue(max(1, months - 1))
        self.field("缩减后期限(&M)：", self.months, "缩减后期限")
        self.reason = _reason(self, "缩减理由(&R)：", "缩减理由", "整改、消除影响等情况")
        self.day = self.date_field("决定日期(&D)：", "决定日期")
        if allow(self.ok, actor, "measure.lift"):
            self.block(four_eyes_block(actor, measure.get("decided_by"), "措施", "缩减期限或提前结束")
                       or four_eyes_block(actor, entered_by, "措施所依据的记录", "缩减期限或提前结束"))

    def consequence(self) -> str:
        return (f"确认后“{self.measure['name']}”由{self.measure['months']}个月缩减为{self.months.value()}个月"
                f"（自{iso(self.measure['start'])}起）；期限届满的，措施按修复提前结束，{self.subject}在各执业机构的"
                "登记状态随之恢复。")

    def send_decision(self) -> None:
        self.send(repairs.shorten_measure, measure=self.measure["measure"], months=self.months.value(),
                  reason=self.reason.toPlainText(), on=self.day.text())

    def done_message(self) -> str:
        return f"已将“{self.measure['name']}”缩减为{self.months.value()}个月（自{iso(self.measure['start'])}起）。"


class LiftMeasureDialog(ConfirmedDialog):
    """提前结束 a measure the bureau decided (警示约谈, 重点监控), by someone other than its decider."""

    title, do = "提前结束措施", "提前结束(&Y)"

    def __init__(self, runner, actor: Actor, subject: str, measure: dict, parent: QWidget | None = None):
        super().__init__(runner, actor, f"提前结束 — {measure['name']}", "提前结束(&S)", parent)
        self.subject, self.measure = subject, measure
        self.introduce(f"<b>{html.escape(subject)}</b>：{html.escape(measure['name'])}，自{iso(measure['start'])}"
                           f"至{iso(measure.get('planned_end'))}（本局决定采取的措施；须由决定人以外的审核员或签发人提前结束）。")
        self.reason = _reason(self, "提前结束理由(&R)：", "提前结束理由", "已按期整改等")
        self.day = self.date_field("结束日期(&D)：", "结束日期")
        if allow(self.ok, actor, "measure.lift"):
            self.block(four_eyes_block(actor, measure.get("decided_by"), "措施", "提前结束"))

    def consequence(self) -> str:
        return f"确认后“{self.measure['name']}”于{self.day.text()}提前结束，对{self.subject}不再执行。"

    def send_decision(self) -> None:
        self.send(discretionary.lift, measure=self.measure["measure"], reason=self.reason.toPlainText(),
                  on=self.day.text())

    def done_message(self) -> str:
        return f"“{self.measure['name']}”已于{self.day.text()}提前结束。"


class ImposeMeasureDialog(ConfirmedDialog):
    """采取 a measure the rule offers for the grade (可给予): 警示约谈并限期整改, 重点监控."""

    title, do = "采取措施", "采取措施(&Y)"

    def __init__(self, runner, actor: Actor, subject: dict, measure: dict, parent: QWidget | None = None):
        super().__init__(runner, actor, f"采取措施 — {measure['name']}", "采取(&S)", parent)
        self.subject, self.measure = subject, measure
        self.introduce(f"<b>{html.escape(subject['name'])}</b>：按当前信用等级可以采取“{html.escape(measure['name'])}”；"
                           f"依据：{html.escape(measure.get('basis') or '')}")
        self.start = self.date_field("起始日期(&D)：", "起始日期")
        later = iso(date.today() + timedelta(days=90))  # a deadline lies ahead: checked as a date, not as past
        self.end = self.field("整改或监控期限(&E)：", QLineEdit(later, placeholderText="YYYY-MM-DD"), "整改期限",
                              lambda v: calendar_date(v, "整改期限"))
        self.reason = _reason(self, "理由(&R)：", "理由", "等级、情节等")
        allow(self.ok, actor, "measure.choose")

    def consequence(self) -> str:
        return (f"确认后对{self.subject['name']}采取“{self.measure['name']}”，自{self.start.text()}至{self.end.text()}；"
                "措施记入信用档案，可由决定人以外的审核员或签发人提前结束。")

    def send_decision(self) -> None:
        self.send(discretionary.impose, subject=self.subject["uuid"], kind=self.measure["kind"],
                  start=self.start.text(), end=self.end.text(), reason=self.reason.toPlainText())

    def done_message(self) -> str:
        return f"已对{self.subject['name']}采取“{self.measure['name']}”，自{self.start.text()}至{self.end.text()}。"
