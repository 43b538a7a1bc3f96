"""Grade distribution (等级分布) as pandas frames from SQL, and the subjects behind each count.

Four views: by subject type, by institution (the practitioners registered there, 登记备案), by
township, and year over year. Current counts come from ``subject_standing`` (each subject's newest
evaluation). Year over year evaluates every subject as of each 31 December with the policy engine
(the evaluation is dynamic and defined for any date, 磐医保〔2021〕43号 第十三条): the stored history
only has rows where someone ran an evaluation, so a year nobody evaluated would be missing or
show a stale grade. The year-end grades use today's knowledge (corrections since count) and the
indicator tree in force now; the current year is evaluated as of today.

Every count has a matching :class:`Cell`, and :func:`cell_page` lists exactly the subjects counted.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import aliased

from models.db.tables import Registration, Subject, SubjectStanding
from models.services import evaluation, standing
from models.services.base import Actor, UnitOfWork, query
from models.services.county import current_county
from models.services.subjects import TYPE_NAMES, mask_id

if TYPE_CHECKING:
    import pandas as pd

GRADES = ("优秀", "良好", "中等", "较差", "差")
NO_GRADE = "无等级"  # evaluated, but the indicator tree does not grade this type of subject
NOT_EVALUATED = "未评价"  # no evaluation stored yet
COLUMNS = GRADES + (NO_GRADE, NOT_EVALUATED)
DIMENSIONS = {"type": "主体类型", "institution": "定点医药机构", "kind": "机构类别", "township": "乡镇（街道）",
              "year": "年度"}
# 定点医疗机构 and 定点零售药店 are graded and supervised apart (淮医保发〔2020〕104号 二); key → name, kinds.
KIND_GROUPS = {"medical": ("定点医疗机构", ("hospital", "clinic")), "pharmacy": ("定点零售药店", ("pharmacy",)),
               "": ("（未填写机构类别）", ())}
NO_TOWNSHIP = "（未填写）"
YEARS_SHOWN = 5


@dataclass(frozen=True)
class Cell:
    """One count of a distribution: the subjects of ``key`` with ``grade`` ("" for every grade)."""

    dimension: str
    key: str
    grade: str = ""
    subject_type: str = "practitioner"
    ids: tuple[int, ...] | None = None  # year cells: the subjects that had this grade at that year end
    title: str = ""


@dataclass(frozen=True)
class Distribution:
    dimension: str
    subject_type: str
    frame: pd.DataFrame = field(compare=False)  # rows: categories (display names), columns: COLUMNS, counts
    keys: tuple[str, ...]  # per row, the key its cells carry
    as_of: date | None  # newest evaluation among the counted subjects (year view: the last date evaluated)
    year_ids: dict = field(default_factory=dict, compare=False)  # (year, grade) → subject ids

    def cell(self, row: int, grade: str = "") -> Cell:
        key, label = self.keys[row], self.frame.index[row]
        ids = None
        if self.dimension == "year" and self.year_ids:  # empty when the tree grades nobody of this type
            ids = tuple(self.year_ids.get((key, grade), ())) if grade else tuple(
                i for (year, _g), part in self.year_ids.items() if year == key for i in part)
        what = TYPE_NAMES[key] if self.dimension == "type" else TYPE_NAMES[self.subject_type]
        title = " · ".join(([] if self.dimension == "type" else [str(label)]) + [what, grade or "全部等级"])
        return Cell(self.dimension, key, grade, self.subject_type, ids, title)

    def with_totals(self) -> pd.DataFrame:
        """For display and export: a 合计 column and row."""
        out = self.frame.copy()
        out["合计"] = out.sum(axis=1)
        out.loc["合计"] = out.sum(axis=0)
        return out


def local_subjects(county_code: str):
    """Subjects this county keeps; other counties' shared files (一医一档 across regions) are theirs to count."""
    return or_(Subject.origin_county.is_(None), Subject.origin_county == county_code)


def grade_label():
    return case((SubjectStanding.subject_id.is_(None), literal(NOT_EVALUATED)),
                (SubjectStanding.grade.is_(None), literal(NO_GRADE)), else_=SubjectStanding.grade)


def _institution_ids(uow: UnitOfWork, keys) -> list[int]:
    return list(uow.session.scalars(select(Subject.id).where(Subject.type == "institution",
                                                             or_(Subject.uuid.in_(keys), Subject.credit_code.in_(keys)))))


def scope(uow: UnitOfWork, subject_type: str, *, institutions=(), township: str | None = None):
    """``select(Subject.id)`` of the subjects of a type, optionally at these institutions and in a township.

    Practitioners have no address of their own in the file: they belong to the institutions where
    they are registered, and to those institutions' townships. Institutions are given by UUID or credit code.
    """
    stmt = select(Subject.id).where(Subject.type == subject_type, local_subjects(current_county(uow).code))
    if subject_type == "practitioner" and (institutions or township is not None):
        inst = aliased(Subject)
        regs = select(Registration.practitioner_id).join(inst, inst.id == Registration.institution_id)
        if institutions:
            regs = regs.where(inst.id.in_(_institution_ids(uow, institutions)))
        if township is not None:
            regs = regs.where(func.coalesce(inst.township, "") == township)
        stmt = stmt.where(Subject.id.in_(regs))
    else:
        if institutions:
            stmt = stmt.where(Subject.id.in_(_institution_ids(uow, institutions)))
        if township is not None:
            stmt = stmt.where(func.coalesce(Subject.township, "") == township)
    return stmt


def _pivot(rows, index_name: str) -> pd.DataFrame:
    import pandas as pd  # here, not at the top: the main window imports this module at start-up (~0.4 s)

    frame = pd.DataFrame(rows, columns=["key", "label", "grade", "n"])
    if frame.empty:
        return pd.DataFrame(columns=list(COLUMNS), dtype="int64")
    table = frame.pivot_table(index=["key", "label"], columns="grade", values="n", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=list(COLUMNS), fill_value=0).astype("int64")
    table.columns.name = None
    return table.rename_axis(["key", index_name])


def _newest(uow: UnitOfWork, ids_stmt) -> date | None:
    return uow.session.scalar(select(func.max(SubjectStanding.as_of)).where(SubjectStanding.subject_id.in_(ids_stmt)))


def _finish(dimension: str, subject_type: str, table: pd.DataFrame, as_of: date | None, **extra) -> Distribution:
    keys = tuple(str(k) for k in table.index.get_level_values("key"))
    return Distribution(dimension, subject_type, table.droplevel("key"), keys, as_of, **extra)


def _by_type(uow: UnitOfWork) -> Distribution:
    local = local_subjects(current_county(uow).code)
    rows = uow.session.execute(
        select(Subject.type, Subject.type, grade_label(), func.count())
        .outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id).where(local)
        .group_by(Subject.type, grade_label())).all()
    table = _pivot([(k, TYPE_NAMES[k], g, n) for k, _l, g, n in rows], "主体类型")
    table = table.reindex([(k, TYPE_NAMES[k]) for k in TYPE_NAMES], fill_value=0)
    return _finish("type", "", table, _newest(uow, select(Subject.id).where(local)))


def _by_institution(uow: UnitOfWork) -> Distribution:
    """Practitioners registered at each institution; one registered at two counts at both (多点执业)."""
    inst = aliased(Subject)
    local = local_subjects(current_county(uow).code)
    rows = uow.session.execute(
        select(inst.uuid, inst.name, grade_label(), func.count(func.distinct(Subject.id)))
        .select_from(Registration).join(Subject, Subject.id == Registration.practitioner_id)
        .join(inst, inst.id == Registration.institution_id)
        .outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
        .where(local).group_by(inst.uuid, inst.name, grade_label())).all()
    table = _pivot(rows, "定点医药机构")
    # Most staff first: the chart shows the biggest institutions, the table all of them.
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    return _finish("institution", "practitioner", table, _newest(uow, scope(uow, "practitioner")))


def kind_group():
    """The institution's group key (:data:`KIND_GROUPS`) from its kind."""
    return case(*((Subject.institution_kind.in_(kinds), literal(key)) for key, (_n, kinds) in KIND_GROUPS.items() if kinds),
                else_=literal(""))


def _by_kind(uow: UnitOfWork) -> Distribution:
    local = local_subjects(current_county(uow).code)
    group = kind_group()
    rows = uow.session.execute(
        select(group, group, grade_label(), func.count()).outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
        .where(local, Subject.type == "institution").group_by(group, grade_label())).all()
    table = _pivot([(k, KIND_GROUPS[k][0], g, n) for k, _l, g, n in rows], "机构类别")
    shown = [(k, name) for k, (name, _kinds) in KIND_GROUPS.items() if k or (k, name) in table.index]
    return _finish("kind", "institution", table.reindex(shown, fill_value=0), _newest(uow, scope(uow, "institution")))


def _by_township(uow: UnitOfWork, subject_type: str) -> Distribution:
    local = local_subjects(current_county(uow).code)
    if subject_type == "practitioner":
        inst = aliased(Subject)
        town = func.coalesce(inst.township, "")
        stmt = (select(town, town, grade_label(), func.count(func.distinct(Subject.id)))
                .select_from(Registration).join(Subject, Subject.id == Registration.practitioner_id)
                .join(inst, inst.id == Registration.institution_id))
    else:
        town = func.coalesce(Subject.township, "")
        stmt = select(town, town, grade_label(), func.count()).where(Subject.type == subject_type)
    rows = uow.session.execute(stmt.outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
                               .where(local).group_by(town, grade_label())).all()
    table = _pivot([(k, k or NO_TOWNSHIP, g, n) for k, _l, g, n in rows], "乡镇（街道）")
    return _finish("township", subject_type, table, _newest(uow, scope(uow, subject_type)))


def year_ends(today: date, count: int = YEARS_SHOWN) -> list[date]:
    """The last ``count - 1`` year ends and today (the current year so far)."""
    return [date(y, 12, 31) for y in range(today.year - count + 1, today.year)] + [today]


def _by_year(uow: UnitOfWork, subject_type: str, days: list[date], progress) -> Distribution:
    prof = evaluation.profile_for(uow)
    ids = list(uow.session.scalars(scope(uow, subject_type).order_by(Subject.id)))
    graded = prof.indicators is not None and subject_type in prof.indicators.subject_types
    year_ids: dict[tuple[str, str], list[int]] = {}
    chunk = 2000
    for start in range(0, len(ids) if graded else 0, chunk):
        part = ids[start:start + chunk]
        for sid, grades in standing.grades_on(uow, part, days).items():  # the standing as of each year's end
            for day, grade in zip(days, grades):
                year_ids.setdefault((str(day.year), grade or NO_GRADE), []).append(sid)
        uow.session.expunge_all()
        if progress and progress(min(start + chunk, len(ids)), len(ids), "按年末计算信用等级") is False:
            raise standing.Cancelled("已取消按年度统计")
    labels = {str(d.year): f"{d.year}年末" if (d.month, d.day) == (12, 31) else f"{d.year}年（截至{d.month}月{d.day}日）"
              for d in days}
    rows = [(y, labels[y], g, len(part)) for (y, g), part in year_ids.items()] if graded else [
        (str(d.year), labels[str(d.year)], NO_GRADE, len(ids)) for d in days]  # nobody of this type is graded
    table = _pivot(rows, "年度").reindex([(str(d.year), labels[str(d.year)]) for d in days], fill_value=0)
    return _finish("year", subject_type, table, days[-1], year_ids={k: tuple(v) for k, v in year_ids.items()})


@query
def distribution(uow: UnitOfWork, *, dimension: str, subject_type: str = "practitioner", today: date | None = None,
                 years: int = YEARS_SHOWN, progress=None) -> Distribution:
    """Counts by grade (columns :data:`COLUMNS`) for one dimension; see the module docstring."""
    if dimension == "type":
        return _by_type(uow)
    if dimension == "institution":
        return _by_institution(uow)
    if dimension == "kind":
        return _by_kind(uow)
    if dimension == "township":
        return _by_township(uow, subject_type)
    if dimension == "year":
        return _by_year(uow, subject_type, year_ends(today or date.today(), years), progress)
    raise ValueError(dimension)


# -- the subjects behind a count ---------------------------------------------------------------

LIST_COLUMNS = ("名称", "证件号码/统一社会信用代码", "类型", "执业机构/乡镇（街道）", "当前等级", "信用分", "本年记分",
                "生效措施", "评价日期", "UUID")


def _cell_where(uow: UnitOfWork, cell: Cell):
    """The condition on subjects (outer-joined to their standing) for a cell that is not a year cell.

    One flat WHERE rather than ``id IN (subquery)``: SQLite can then walk the (type, initials) index
    in the order the list is shown instead of sorting a township's 40,000 insured persons per page.
    """
    if cell.dimension == "type":
        where = scope(uow, cell.key).whereclause
    elif cell.dimension == "institution":
        where = scope(uow, "practitioner", institutions=[cell.key]).whereclause
    elif cell.dimension == "township":
        where = scope(uow, cell.subject_type, township=cell.key).whereclause
    elif cell.dimension == "kind":
        where = scope(uow, "institution").whereclause & (kind_group() == cell.key)
    else:  # a year of a subject type nobody is graded in: every subject, all 无等级
        where = scope(uow, cell.subject_type).whereclause
        return where if cell.grade in ("", NO_GRADE) else literal(False)
    return (where & (grade_label() == cell.grade)) if cell.grade else where


def _with_standing(*columns):
    return select(*columns).select_from(Subject).outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)


@query
def cell_count(uow: UnitOfWork, *, cell: Cell) -> int:
    if cell.ids is not None:
        return len(cell.ids)
    return uow.session.scalar(_with_standing(func.count()).where(_cell_where(uow, cell)))


def _institutions_of(uow: UnitOfWork, ids: list[int]) -> dict[int, str]:
    inst = aliased(Subject)
    rows = uow.session.execute(select(Registration.practitioner_id, inst.name).join(inst, inst.id == Registration.institution_id)
                               .where(Registration.practitioner_id.in_(ids)).order_by(Registration.id))
    found: dict[int, list[str]] = {}
    for pid, name in rows:
        found.setdefault(pid, []).append(name)
    return {pid: "、".join(names) for pid, names in found.items()}


@query
def cell_page(uow: UnitOfWork, *, actor: Actor, cell: Cell, offset: int, limit: int) -> list[tuple]:
    """Rows (:data:`LIST_COLUMNS`) ``offset`` … ``offset + limit`` of the cell, by pinyin initials.

    Year cells hold their ids (the grade then was computed, not stored) and are listed in id order.
    """
    columns = (Subject.id, Subject.name, Subject.id_number, Subject.credit_code, Subject.type, Subject.township,
               grade_label(), SubjectStanding.score, SubjectStanding.points_total, SubjectStanding.measures,
               SubjectStanding.as_of, Subject.uuid)
    stmt = _with_standing(*columns)
    if cell.ids is not None:
        page = sorted(cell.ids)[offset:offset + limit]
        stmt = stmt.where(Subject.id.in_(page)).order_by(Subject.id)
    else:
        stmt = stmt.where(_cell_where(uow, cell)).order_by(Subject.initials, Subject.id).offset(offset).limit(limit)
    rows = uow.session.execute(stmt).all()
    places = _institutions_of(uow, [r.id for r in rows if r.type == "practitioner"])
    full = actor.can("id.view_full")
    return [(r.name, r.credit_code or (r.id_number if full else mask_id(r.id_number)), TYPE_NAMES[r.type],
             places.get(r.id, "") if r.type == "practitioner" else (r.township or ""), r[6], r.score,
             r.points_total, r.measures, r.as_of, r.uuid) for r in rows]


def iter_cell_rows(db, *, actor: Actor, cell: Cell, chunk: int = 5000, progress=None) -> Iterator[tuple]:
    """Every row of a cell, one page per unit of work, for exports that must not hold 200,000 rows at once."""
    total = cell_count(db, cell=cell)
    for offset in range(0, total, chunk):
        yield from cell_page(db, actor=actor, cell=cell, offset=offset, limit=chunk)
