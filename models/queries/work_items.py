"""The workbench's list: the open cases of the work list (models/services/todo.py) with the subject each
concerns, and the notices on their way to being issued."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date

from sqlalchemy import select

from models.db.tables import Subject
from models.db.tables_appeals import Appeal
from models.db.tables_casework import Finding, MeasureRow, Notice, Objection, Repair
from models.services import todo, warnings
from models.services.base import Actor, UnitOfWork, query
from models.services.notices import DOC_TYPES, STATES
from models.services.users import display_names

KIND_NAMES = {"finding": "违规认定", "measure_choice": "措施期限", "objection": "异议", "appeal": "申诉",
              "repair": "信用修复", "public_notice": "修复公示", "measure_ending": "措施期满", "notice": "告知书",
              "warning": "信用预警"}
# The work list names command-line steps; on screen the same steps have these places.
SCREEN_STEPS = {"（measure choose）": "（信用档案 → 措施与名单 → 确定处理期限）",
                "（tick 自动处理）": "（工作台 → 处理到期事项）"}
NOTICE_STEPS = {"draft": "待审核（审核员，起草人以外）", "reviewed": "待签发（签发人）", "signed_off": "待编号印发"}
# The permission the next step of each kind of case needs: the workbench shows a user what they can do.
NEXT_STEP_PERMISSION = {"finding": "finding.confirm", "measure_choice": "measure.choose",
                        "objection": "objection.decide", "appeal": "appeal.decide", "repair": "repair.decide",
                        "public_notice": "casework.tick", "measure_ending": "casework.tick"}
# Never one's own case.
FOUR_EYES = {"finding.confirm", "objection.decide", "appeal.decide", "repair.decide", "notice.review"}
NOTICE_PERMISSION = {"draft": "notice.review", "reviewed": "notice.sign_off", "signed_off": "notice.issue"}
# Where each kind of case keeps its subject.
_SUBJECT_OF = {"finding": (Finding, Finding.institution_id), "objection": (Objection, Objection.subject_id),
               "appeal": (Appeal, Appeal.subject_id),
               "repair": (Repair, Repair.subject_id), "public_notice": (Repair, Repair.subject_id),
               "measure_ending": (MeasureRow, MeasureRow.subject_id), "notice": (Notice, Notice.subject_id)}


@dataclass(frozen=True)
class WorkItem:
    kind: str
    kind_name: str
    title: str
    case: str
    subject: str  # the subject's name
    subject_uuid: str | None  # to open the credit file
    next_step: str
    deadline: date | None
    workdays_left: int | None
    overdue: bool
    provisional: bool
    basis: str
    entered_by: str | None  # who entered the case: the four-eyes rule keeps them from deciding it
    permission: str = ""  # what the next step needs (models.actors.PERMISSIONS)
    since: date | None = None  # waiting since (a pending measure choice: the triggering decision's date)
    people: dict[str, str] = field(default_factory=dict)  # login name → display name, for the screen

    def for_actor(self, actor: Actor) -> bool:
        """The signed-in user can take the next step (role, and not their own case: 双人复核)."""
        return actor.can(self.permission) and not (self.permission in FOUR_EYES and self.entered_by == actor.username)


def _subject_uuid(uow: UnitOfWork, kind: str, case: str) -> tuple[str | None, str | None]:
    if kind == "measure_choice":  # the work list names the subject itself
        return case, None
    model, column = _SUBJECT_OF[kind]
    row = uow.session.execute(select(Subject.uuid, model).join(model, column == Subject.id)
                              .where(model.uuid == case)).first()
    if row is None:
        return None, None
    return row[0], getattr(row[1], "entered_by", None) or getattr(row[1], "decided_by", None)


def _notices(uow: UnitOfWork) -> list[WorkItem]:
    rows = uow.session.scalars(select(Notice).where(Notice.state.in_(tuple(NOTICE_STEPS))).order_by(Notice.id))
    return [WorkItem("notice", KIND_NAMES["notice"],
                     f"{DOC_TYPES.get(n.type, (n.type,))[0]}：{n.subject.name}（{STATES.get(n.state, n.state)}）",
                     n.uuid, n.subject.name, n.subject.uuid, NOTICE_STEPS[n.state], None, None, False, False, "",
                     n.created_by, NOTICE_PERMISSION[n.state]) for n in rows]


@query
def work_items(uow: UnitOfWork, *, actor: Actor, today: date | None = None) -> list[WorkItem]:
    """Soonest deadline first (as the work list), then the notices to review, sign and issue."""
    items = []
    for t in todo.work_list.in_uow(uow, today=today):
        subject_uuid, entered_by = _subject_uuid(uow, t.kind, t.case)
        step = t.next_step
        for command, place in SCREEN_STEPS.items():
            step = step.replace(command, place)
        items.append(WorkItem(**(asdict(t) | {"next_step": step}), kind_name=KIND_NAMES.get(t.kind, t.kind),
                              subject_uuid=subject_uuid, entered_by=entered_by,
                              permission=NEXT_STEP_PERMISSION.get(t.kind, "")))
    items += _notices(uow) + _warnings(uow)
    people = display_names(uow, {i.entered_by for i in items})
    return [replace(i, people=people) for i in items]


def _warnings(uow: UnitOfWork) -> list[WorkItem]:
    """Open warnings nobody has acknowledged yet, highest level first."""
    return [WorkItem("warning", KIND_NAMES["warning"], f"{w.level}：{w.subject}，{w.text}", w.uuid, w.subject,
                     w.subject_uuid, "确认预警并记录处理意见（信用档案 → 信用预警）", None, None, False, False, w.basis,
                     None, "warning.ack")
            for w in warnings.list_warnings.in_uow(uow) if not w.acknowledged_by]
