"""定点医药机构信用评价一览: every institution with its kind, township and standing (grade, score, measures, lists),
its registered staff's points and its open warnings, for the screen and its Excel export.

Everything is read from ``subject_standing`` and ``credit_warnings`` in one statement; nothing is evaluated here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from models.db.tables import Registration, Subject, SubjectStanding
from models.db.tables_warnings import CreditWarning
from models.queries.statistics import KIND_GROUPS, NO_GRADE, NOT_EVALUATED, kind_group, local_subjects
from models.services.base import UnitOfWork, query
from models.services.county import current_county
from models.services.subjects import INSTITUTION_KINDS


@dataclass(frozen=True)
class InstitutionRating:
    uuid: str
    name: str
    credit_code: str
    group: str  # 定点医疗机构 / 定点零售药店
    kind: str  # 医院 / 诊所 / 零售药店
    township: str
    grade: str
    score: Decimal | None
    measures: int
    lists: str
    staff: int  # registered practitioners (登记备案)
    staff_with_points: int
    staff_points: int  # their points of the year, added up
    warnings: int  # open warnings of the institution itself
    as_of: date | None


@query
def institution_ratings(uow: UnitOfWork) -> list[InstitutionRating]:
    """By kind group, then township and name."""
    staff_standing = aliased(SubjectStanding)
    year_start = date(date.today().year, 1, 1)
    points = case((staff_standing.as_of >= year_start, staff_standing.points_total), else_=0)
    staff = (select(Registration.institution_id.label("sid"), func.count().label("n"),
                    func.sum(case((points > 0, 1), else_=0)).label("with_points"), func.sum(points).label("points"))
             .outerjoin(staff_standing, staff_standing.subject_id == Registration.practitioner_id)
             .group_by(Registration.institution_id).subquery())
    warned = (select(CreditWarning.subject_id.label("sid"), func.count().label("n"))
              .where(CreditWarning.cleared_on.is_(None)).group_by(CreditWarning.subject_id).subquery())
    group = kind_group()
    first = case({key: n for n, key in enumerate(KIND_GROUPS)}, value=group)  # 医疗机构, 零售药店, 未填写
    rows = uow.session.execute(
        select(Subject.uuid, Subject.name, Subject.credit_code, group.label("group"), Subject.institution_kind,
               Subject.township, SubjectStanding, staff.c.n.label("staff"), staff.c.with_points, staff.c.points,
               warned.c.n.label("warned"))
        .outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
        .outerjoin(staff, staff.c.sid == Subject.id).outerjoin(warned, warned.c.sid == Subject.id)
        .where(Subject.type == "institution", local_subjects(current_county(uow).code))
        .order_by(first, func.coalesce(Subject.township, ""), Subject.sort_key, Subject.id))
    return [_rating(r) for r in rows]


def _rating(r) -> InstitutionRating:
    st = r.SubjectStanding
    lists = "、".join(name for name, on in (("红名单", st and st.red), ("黑名单", st and st.black)) if on)
    return InstitutionRating(
        r.uuid, r.name, r.credit_code or "", KIND_GROUPS[r.group][0], INSTITUTION_KINDS.get(r.institution_kind or "", ""),
        r.township or "", (st.grade or NO_GRADE) if st else NOT_EVALUATED, st.score if st else None,
        st.measures if st else 0, lists, int(r.staff or 0), int(r.with_points or 0), int(r.points or 0),
        int(r.warned or 0), st.as_of if st else None)
