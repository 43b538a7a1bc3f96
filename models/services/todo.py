"""The work list (待办): every open case with its next deadline, working days left, overdue and
provisional (暂定) flags, soonest first; cases without a legal deadline come last."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from models.db.tables import Subject, SubjectStanding
from models.db.tables_appeals import Appeal
from models.db.tables_casework import Finding, FindingWithdrawal, MeasureRow, Objection, Repair
from models.services import appeals, standing
from models.services.base import UnitOfWork, query
from models.services.notice_settings import settings
from models.services.users import display_names
from models.services.workdays import calendar_from_db

ENDING_SOON_DAYS = 30  # setting: how far ahead the list shows measures about to end


def choice_basis(days: int) -> str:
    """No document fixes how soon the handler chooses a suspension's length after the decision that
    triggered it; the work list holds the bureau to its own limit (系统设置 → 办理时限) and says that it is one."""
    return f"本局规定：决定作出后{days}个工作日内确定期限（无法定期限）"


@dataclass(frozen=True)
class TodoItem:
    kind: str  # finding | measure_choice | objection | appeal | repair | public_notice | measure_ending
    title: str
    case: str  # uuid of the case (or of the subject for a pending measure choice)
    subject: str
    next_step: str
    deadline: date | None
    workdays_left: int | None
    overdue: bool
    provisional: bool
    basis: str = ""
    since: date | None = None  # waiting since (a pending measure choice: the triggering decision's date)


@query
def work_list(uow: UnitOfWork, *, today: date | None = None) -> list[TodoItem]:
    day = today or date.today()
    cal = calendar_from_db(uow)
    choice_days = settings(uow)["choice_days"]

    def item(kind, title, case, subject, step, due, basis="", provisional=False, since=None):
        left = None if due is None else cal.workdays_between(day, due)
        prov = provisional or (due is not None and cal.provisional_between(day, due))
        return TodoItem(kind, title, case, subject, step, due, left, due is not None and due < day, prov, basis, since)

    items = []
    waiting = list(uow.session.scalars(select(Finding).where(Finding.state == "待确认",
                                                             ~Finding.id.in_(select(FindingWithdrawal.finding_id)))))
    people = display_names(uow, {f.entered_by for f in waiting})
    for f in waiting:
        items.append(item("finding", f"违规认定 {f.case_no}（{f.institution.name}，{len(f.persons)}名责任人员）", f.uuid,
                          f.institution.name, f"待审核确认（录入人 {people.get(f.entered_by, f.entered_by)}）", None))
    pending = select(SubjectStanding.subject_id).where(SubjectStanding.pending_choices > 0)
    for s in uow.session.scalars(select(Subject).where(Subject.id.in_(pending))):
        for m in standing.of(uow, s, day)["measures"]:
            if m["status"] == "pending_choice":
                since = date.fromisoformat(m["start"])
                due = cal.add_workdays(since, choice_days)
                items.append(item("measure_choice", f"{s.name}：{m['name']}待确定期限",
                                  s.uuid, s.name, "在法定幅度内选择期限并写明理由（measure choose）", due.date,
                                  choice_basis(choice_days), due.provisional, since))
    for o in uow.session.scalars(select(Objection).where(Objection.state == "待复核")):
        items.append(item("objection", f"{o.subject.name} 的异议（{o.received_on.isoformat()}收到）", o.uuid,
                          o.subject.name, "复核并书面反馈（附件2）", o.review_deadline, o.basis, o.provisional))
    for a in uow.session.scalars(select(Appeal).where(Appeal.state.in_(appeals.OPEN))):
        step = (f"评估鉴定中，待{a.assessor}出具结论后作出决定" if a.state == "评估鉴定中"
                else "作出申诉决定（维持、变更或撤销）并书面答复")
        items.append(item("appeal", f"{a.subject.name} 的申诉（{a.matter}，{a.received_on.isoformat()}收到）", a.uuid,
                          a.subject.name, step, a.deadline, appeals.limit_text(a.handling_days), a.provisional))
    for r in uow.session.scalars(select(Repair).where(Repair.state.in_(("已受理", "公示中")))):
        if r.state == "已受理":
            items.append(item("repair", f"{r.subject.name} 的信用修复申请（{r.applied_on.isoformat()}）", r.uuid,
                              r.subject.name, "作出修复决定" + ("（已延长）" if r.extended_to else ""),
                              r.extended_to or r.decision_deadline, r.basis, r.provisional))
        else:
            items.append(item("public_notice", f"{r.subject.name} 的信用修复公示", r.uuid, r.subject.name,
                              "公示期满无异议后予以修复（tick 自动处理）", r.notice_end, r.basis))
    horizon = day + timedelta(days=ENDING_SOON_DAYS)
    for m in uow.session.scalars(select(MeasureRow).where(MeasureRow.state == "生效",
                                                          MeasureRow.planned_end.is_not(None),
                                                          MeasureRow.planned_end <= horizon)):
        items.append(item("measure_ending", f"{m.subject.name}：{m.name}即将期满", m.uuid, m.subject.name,
                          "期满后恢复（tick 自动处理）", m.planned_end, m.basis))
    return sorted(items, key=lambda i: (i.deadline is None, i.deadline or day, i.kind, i.title))
