"""The decisions a credit file offers on the row they concern, beside the table on its tab.

信用信息: 登记纠正 (a bad record) and 起草告知书 for the record (the notice its kind calls for);
记分与评价: 减免记分 (a scored record); 措施与名单: 缩减期限 (a suspension chosen in months),
提前结束 (a measure the bureau decided) and 采取措施 (one the grade allows); 提出申诉 on a bad record or
a measure, and on 异议与修复 送评估鉴定, 登记鉴定结论 and 申诉决定 on the appeal (济医保发〔2025〕6号 四（八））.
A button is enabled only for a row it applies to, and its tooltip says why not otherwise; the result is
said after.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from views.appeal_forms import ConcludeAppealDialog, DecideAppealDialog, FileAppealDialog, ReferAppealDialog
from views.case_common import allow
from views.feedback import tell
from views.notice_draft import DraftDialog, record_choices, record_notes
from views.repair_forms import (
    ImposeMeasureDialog, LiftMeasureDialog, RectifyDialog, ReducePointsDialog, ShortenMeasureDialog,
)


class FileActions(QObject):
    """A child of the file window: it reaches the window through Qt's parent, so no Python reference
    cycle keeps a closed window's wrapper alive."""

    def __init__(self, window, record_row: QHBoxLayout):
        super().__init__(window)
        self.buttons: list[tuple[QPushButton, str, str, Callable[[dict | None], str | None]]] = []
        self.rows = {"records": record_row}
        self.rectify = self._button("records", "登记纠正(&Z)…", "repair.write", self._can_rectify, self._rectify)
        self.draft_record = self._button("records", "起草此记录的告知书(&T)…", "notice.draft", self._can_draft,
                                         self._draft)
        self.reduce = self._button("points.entries", "减免记分(&J)…", "repair.decide", self._can_reduce, self._reduce)
        self.shorten = self._button("measure_history", "缩减期限(&S)…", "measure.lift", self._can_shorten,
                                    self._shorten)
        self.lift = self._button("measure_history", "提前结束(&E)…", "measure.lift", self._can_lift, self._lift)
        self.impose = self._button("measures", "采取措施(&C)…", "measure.choose", self._can_impose, self._impose)
        self.appeal_record = self._button("records", "提出申诉(&U)…", "appeal.write", self._can_appeal_record,
                                          lambda row: self._appeal(row, is_measure=False))
        self.appeal_measure = self._button("measure_history", "提出申诉(&U)…", "appeal.write", self._can_appeal_measure,
                                           lambda row: self._appeal(row, is_measure=True))
        self.refer = self._button("appeals", "送评估鉴定(&H)…", "appeal.decide", self._can_refer,
                                  lambda row: self._show(ReferAppealDialog(self.window.runner, self.window.actor, row,
                                                                           self.window), "送评估鉴定"))
        self.conclude = self._button("appeals", "登记鉴定结论(&X)…", "appeal.decide", self._can_conclude,
                                     lambda row: self._show(ConcludeAppealDialog(self.window.runner, self.window.actor,
                                                                                 row, self.window), "登记鉴定结论"))
        self.decide_appeal = self._button("appeals", "申诉决定(&V)…", "appeal.decide", self._can_decide_appeal,
                                          self._decide_appeal)
        for key in {key for _b, key, _p, _c in self.buttons}:
            window.table(key).selectionModel().currentRowChanged.connect(lambda *_: self.update())
        self.update()

    @property
    def window(self):
        return self.parent()

    def _button(self, key: str, text: str, permission: str, can, slot) -> QPushButton:
        button = QPushButton(text, clicked=lambda: self._open(key, can, slot))
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = QHBoxLayout()
            row.addStretch(1)
            table = self.window.table(key)
            layout = table.parentWidget().layout()
            layout.insertLayout(layout.indexOf(table) + 1, row)
        row.insertWidget(row.count() - 1, button)
        self.buttons.append((button, key, permission, can))
        return button

    def update(self) -> None:
        """Enabled for the selected row when it applies and the user's roles allow it."""
        for button, key, permission, can in self.buttons:
            if allow(button, self.window.actor, permission):
                problem = "正在读取信用档案" if self.window.data is None else can(self.window.table(key).current_row())
                button.setEnabled(problem is None)
                button.setToolTip(problem or "")

    def _open(self, key: str, can, slot) -> None:
        row = self.window.table(key).current_row()
        if self.window.data is not None and can(row) is None:
            slot(row)

    def _show(self, dialog, title: str) -> None:
        self.window.dialog = dialog
        dialog.accepted.connect(lambda: (self.window.load(), tell(self.window, title, dialog.done_message())))
        dialog.open()

    # -- which row each applies to ----------------------------------------------------------------

    def _record(self, uuid: str | None) -> dict:
        return next((r for r in (self.window.data or {}).get("records", ()) if r["uuid"] == uuid), {})

    @staticmethod
    def _can_rectify(row: dict | None) -> str | None:
        if row is None or row.get("good") or row.get("status") == "已被更正":
            return "选中一条有效的不良信息"
        return None

    def _can_draft(self, row: dict | None) -> str | None:
        return None if row is not None else "选中一条信用信息"

    def _can_reduce(self, row: dict | None) -> str | None:
        return None if row and row.get("record") and row.get("points") else "在“本年度记分”中选中一条记分"

    @staticmethod
    def _can_shorten(row: dict | None) -> str | None:
        if row is None or row.get("state") != "生效":
            return "在“已执行的措施”中选中一项生效的措施"
        if not row.get("months") or not row.get("record"):
            return f"“{row['name']}”没有按月确定的期限，不能缩减"
        return None

    @staticmethod
    def _can_lift(row: dict | None) -> str | None:
        if row is None or row.get("state") != "生效":
            return "在“已执行的措施”中选中一项生效的措施"
        if row.get("record"):
            return "依规则产生的措施须通过缩减期限、减免记分或更正所依据的记录来提前结束"
        return None

    @staticmethod
    def _can_impose(row: dict | None) -> str | None:
        return None if row and row.get("status") == "optional" else "选中一项状态为“可选”的措施"

    def _can_appeal_record(self, row: dict | None) -> str | None:
        if row is None or row.get("good") or row.get("status") == "已被更正":
            return "选中一条有效的不良信息（记分或责任认定）"
        return self._appellant()

    def _can_appeal_measure(self, row: dict | None) -> str | None:
        return "在“已执行的措施”中选中一项措施" if row is None else self._appellant()

    def _appellant(self) -> str | None:
        if self._subject().get("type") != "practitioner":
            return "申诉（济医保发〔2025〕6号 四（八））适用于定点医药机构相关人员"
        return None

    @staticmethod
    def _can_refer(row: dict | None) -> str | None:
        return None if row and row.get("state") == "待处理" and not row.get("assessor") else \
            "选中一项待处理、尚未送评估鉴定的申诉"

    @staticmethod
    def _can_conclude(row: dict | None) -> str | None:
        return None if row and row.get("state") == "评估鉴定中" else "选中一项评估鉴定中的申诉"

    @staticmethod
    def _can_decide_appeal(row: dict | None) -> str | None:
        if row is None or row.get("state") == "已办结":
            return "选中一项未办结的申诉"
        return "已送评估鉴定，请先登记鉴定结论" if row.get("state") == "评估鉴定中" else None

    # -- the dialogs ------------------------------------------------------------------------------

    def _subject(self) -> dict:
        return self.window.data["subject"]

    def _rectify(self, row: dict) -> None:
        w = self.window
        self._show(RectifyDialog(w.runner, w.actor, self._subject()["name"], row, w), "登记纠正失信行为")

    def _draft(self, row: dict) -> None:
        w, s = self.window, self._subject()
        dialog = DraftDialog(w.runner, w.actor, w, subject=(s["uuid"], s["name"]), choices=record_choices(w.data, row),
                             notes=record_notes(w.data, row["uuid"]))
        self._show(dialog, "起草告知书")

    def _reduce(self, row: dict) -> None:
        w = self.window
        self._show(ReducePointsDialog(w.runner, w.actor, self._subject()["name"], row, int(w.data["points"]["total"]),
                                      self._record(row["record"]).get("entered_by"), w), "减免记分")

    def _shorten(self, row: dict) -> None:
        w = self.window
        self._show(ShortenMeasureDialog(w.runner, w.actor, self._subject()["name"], row,
                                        self._record(row["record"]).get("entered_by"), w), "缩减暂停期限")

    def _lift(self, row: dict) -> None:
        w = self.window
        self._show(LiftMeasureDialog(w.runner, w.actor, self._subject()["name"], row, w), "提前结束措施")

    def _impose(self, row: dict) -> None:
        w = self.window
        self._show(ImposeMeasureDialog(w.runner, w.actor, self._subject(), row, w), "采取措施")

    def _appeal(self, row: dict, *, is_measure: bool) -> None:
        w, s = self.window, self._subject()
        places = [(r["institution"]["name"], r["institution"]["uuid"]) for r in w.data.get("registrations", ())
                  if r.get("institution")]
        self._show(FileAppealDialog(w.runner, w.actor, s, row, is_measure=is_measure, institutions=places, parent=w),
                   "登记申诉")

    def _decide_appeal(self, row: dict) -> None:
        w = self.window
        measure = next((m for m in w.data.get("measure_history", ()) if m["measure"] == row.get("measure")), None)
        record_uuid = row.get("record") or (measure or {}).get("record")
        entry = next((e for e in w.data["points"]["entries"] if e.get("record") == record_uuid), None)
        self._show(DecideAppealDialog(w.runner, w.actor, row, record=self._record(row.get("record")) or None,
                                      points=int(entry["points"]) if entry else None, measure=measure,
                                      year_total=int(w.data["points"]["total"]), parent=w), "申诉决定")
