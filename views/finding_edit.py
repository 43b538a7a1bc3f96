"""修改 a pending finding: its author corrects the decision before anyone confirmed it, with a reason."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from models.queries.finding_list import FindingRow
from models.services import findings
from models.services.base import Actor
from views.forms import FormErrors, ServiceDialog, error_label


class AmendFindingDialog(ServiceDialog):
    def __init__(self, runner, actor: Actor, row: FindingRow, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.row = row
        self.setWindowTitle(f"修改违规认定 {row.case_no}")
        self.setMinimumWidth(520)
        self.case_no = QLineEdit(row.case_no)
        self.decision_date = QLineEdit(row.decision_date.isoformat(), placeholderText="YYYY-MM-DD")
        self.amount = QLineEdit("" if row.amount is None else f"{row.amount}", placeholderText="元，最多两位小数")
        self.article = QLineEdit(row.article)
        self.reason = QLineEdit(placeholderText="必填：为什么修改，例如 决定日期录错")
        self.errors = FormErrors(error_label())
        form = QFormLayout()
        for label, widget, field in (("案件编号(&N)：", self.case_no, "案件编号"), ("决定日期(&T)：", self.decision_date, "决定日期"),
                                     ("基金损失金额(&M)：", self.amount, "基金损失金额"), ("违反条款(&A)：", self.article, "违反条款"),
                                     ("修改原因(&R)：", self.reason, "修改原因")):
            self.errors.add_row(form, label, widget, field)
        self.lay_out(form, "保存修改(&S)")
        self.reason.setFocus()

    def submit(self) -> None:
        self.errors.clear()
        changes = {"case_no": self.case_no.text(), "decision_date": self.decision_date.text(),
                   "amount": self.amount.text(), "article": self.article.text()}
        self.run_service(findings.amend_finding, finding=self.row.uuid, changes=changes, reason=self.reason.text())
