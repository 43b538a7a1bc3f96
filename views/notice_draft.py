"""起草告知书 without typing an identifier: the subject is picked (or given by the credit file that
opens the dialog) and the documents its file supports are offered by what each record is.

A record with points offers the 记分告知书; a measure decided for a record offers its own notice
(暂停/终止医保支付资格, 暂停联网结算); the subject offers the 信用评价结果告知书 and 信用报告; the
county offers the published lists. The drafting service checks the content (notices.draft).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from models.queries.credit_file import file_with_evaluation
from models.services import findings, notices
from models.services.base import Actor
from views.notice_dialogs import ServiceForm, date_edit, pydate
from views.subject_picker import SubjectPicker

NEEDS_DATE = ("credit_result", "credit_report", "public_list")


@dataclass(frozen=True)
class Choice:
    type: str
    label: str
    record: str | None = None
    list: str | None = None


LISTS = (Choice("public_list", "公布失信（黑）名单", list="black"), Choice("public_list", "公布守信（红）名单", list="red"))


def file_choices(data: dict) -> list[Choice]:
    """What the credit file (views.file_window.load_file) supports, most specific first."""
    types = notices.DRAFT_TYPES
    records = {r["uuid"]: r for r in data.get("records", ())}
    cases = {uuid: r.get("case_no") or "" for uuid, r in records.items()}
    out = []
    for m in data.get("measure_history") or ():
        notice = notices.MEASURE_TYPES.get(m.get("kind"))
        if notice in types and m.get("record"):
            out.append(Choice(notice, f"{types[notice]}　{m.get('name') or ''}　案件 {cases.get(m['record'], '')}",
                              record=m["record"]))
    seen = set()
    for entry in data.get("points", {}).get("entries", ()):
        record = entry.get("record")
        if record and record not in seen and "points_notice" in types:
            seen.add(record)
            kind = records.get(record, {}).get("kind_name") or ""
            out.append(Choice("points_notice", f"{types['points_notice']}　案件 {cases.get(record, '')}　{kind}",
                              record=record))
    out += [Choice(t, types[t]) for t in ("credit_result", "credit_report") if t in types]
    return out


def record_choices(data: dict, record: dict) -> list[Choice]:
    """The notices one record calls for (points, measure); a record without its own notice feeds the
    evaluation, whose 信用评价结果告知书 is offered instead."""
    own = [c for c in file_choices(data) if c.record == record["uuid"]]
    if own or "credit_result" not in notices.DRAFT_TYPES:
        return own
    return [Choice("credit_result", f"{notices.DRAFT_TYPES['credit_result']}（该记录计入信用评价，不单独出具告知书）")]


def record_notes(data: dict, record: str) -> str:
    """The notices already made for the record, its objections and repairs (those two are drafted by
    their decisions: 附件2, 4, 5)."""
    cases = {record} | {c["uuid"] for key in ("objections", "repairs") for c in data.get(key, ()) if c.get("record") == record}
    made = [f"{n['type_name']}（{notices.STATES.get(n['state'], n['state'])}）" for n in data.get("notices", ())
            if (n.get("case") or "").split(":")[-1] in cases or n.get("case") in cases]
    return "该记录已有：" + "；".join(made) + "。异议、修复的文书由复核或修复决定生成，在“告知书”栏目办理。" if made else ""


def finding_choices(db, *, actor: Actor, finding: str) -> list[Choice]:
    """Runs on the worker: the notices a confirmed finding calls for, for each responsible person's record."""
    out = []
    for person in findings.show_finding(db, finding=finding)["persons"]:
        if person["record"]:
            data = file_with_evaluation(db, actor=actor, subject=person["practitioner"])
            # The dialog names the case: the label keeps the person and the document (fits at 1024 pixels).
            out += [replace(c, label=f"{person['name']}：{c.label.rsplit('　', 1)[0]}") for c in file_choices(data)
                    if c.record == person["record"]]
    return out


class DraftDialog(ServiceForm):
    """``subject`` (uuid, name) when opened from a credit file; ``record`` preselects that record's notice.

    ``choices`` (from a record or finding row) replaces what the file offers; ``notes`` says what exists."""

    def __init__(self, runner, actor: Actor, parent: QWidget | None = None, *, subject: tuple[str, str] | None = None,
                 data: dict | None = None, record: str | None = None, choices: list[Choice] | None = None,
                 notes: str = "", subject_label: str = "信用主体："):
        super().__init__(runner, "起草告知书", parent)
        self.actor = actor
        self.subject_uuid = subject[0] if subject else None
        if notes:
            self.errors.add_row(self.form, "", QLabel(notes, wordWrap=True), "已有文书")
        if subject:
            self.picker = None
            self.errors.add_row(self.form, subject_label, QLabel(subject[1]), "信用主体")
        else:
            self.picker = SubjectPicker(runner, actor)
            self.picker.picked.connect(self._picked)
            self.errors.add_row(self.form, "信用主体(&S)：", self.picker, "信用主体")
        self.document = QComboBox()
        self.document.setMinimumContentsLength(30)
        self.as_of = date_edit()
        self.errors.add_row(self.form, "文书(&T)：", self.document, "文书类型")
        self.errors.add_row(self.form, "评价日期(&D)：", self.as_of, "评价日期")
        self.document.currentIndexChanged.connect(self._document_changed)
        self.setMinimumWidth(560)
        self._fill(choices if choices is not None else file_choices(data) if data else [], record)

    def _fill(self, choices: list[Choice], record: str | None = None) -> None:
        self.document.clear()
        for choice in [*choices, *([] if self.subject_uuid or self.picker is None else LISTS)]:
            self.document.addItem(choice.label, choice)
        wanted = next((i for i in range(self.document.count()) if record and self.document.itemData(i).record == record), 0)
        self.document.setCurrentIndex(wanted)
        self._document_changed()

    def _picked(self, row) -> None:
        self.subject_uuid = row.uuid if row else None
        if row is None:
            self._fill([])
            return
        self.runner.service(file_with_evaluation, actor=self.actor, subject=row.uuid, on_done=self._fill,
                            on_error=self._error)

    def _document_changed(self) -> None:
        choice = self.document.currentData()
        self.as_of.setEnabled(choice is not None and choice.type in NEEDS_DATE)
        self.ok.setEnabled(choice is not None)

    def submit(self) -> None:
        choice: Choice | None = self.document.currentData()
        if choice is None:
            self.errors.show("信用主体", "信用主体：请先选择信用主体，再选择文书")
            return
        self.call(notices.draft, actor=self.actor, type=choice.type,
                  subject=self.subject_uuid if choice.type in ("credit_result", "credit_report") else None,
                  record=choice.record, list=choice.list, as_of=pydate(self.as_of))

    def done_message(self) -> str:
        info = self.result_value
        return f"已起草{info.type_name}，送审核员审核后由签发人签发；可在“告知书”栏目查看和办理。"
