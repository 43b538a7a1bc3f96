"""The subject list as a paged table model: columns, search and filters, xlsx export on the worker."""
from __future__ import annotations

from dataclasses import replace

from models.queries import subject_list
from models.queries.subject_list import SubjectQuery, SubjectRow
from models.services.base import Actor
from reports.xlsx import write_table
from views.table_model import Column, PagedTableModel

TYPE_CHOICES = (("全部类型", None), ("医保医（药）师", "practitioner"), ("参保人", "insured"),
                ("定点医药机构", "institution"))
GRADE_CHOICES = (("全部等级", None), *((g, g) for g in subject_list.GRADES), (subject_list.UNGRADED, subject_list.UNGRADED))


def subject_columns(basis: dict[str, str] | None = None) -> tuple[Column, ...]:
    """``basis``: the legal basis of grades and points in force (subject_list.column_basis), for tooltips."""
    basis = basis or {}

    def grade_tip(r: SubjectRow) -> str | None:
        if r.as_of is None:
            return "尚未评价：运行信用评价后显示等级"
        if r.grade is None:
            return f"评价日期 {r.as_of.isoformat()}：无千分制等级（指标体系不适用于该类信用主体，或无有效规定）"
        return f"评价日期 {r.as_of.isoformat()}；依据：{basis.get('grade') or '—'}" + (
            "（示例指标体系）" if basis.get("sample") else "")

    def points_tip(r: SubjectRow) -> str | None:
        return f"本年度累计记分；依据：{basis['points']}" if basis.get("points") and r.points else None

    return (
        Column("name", "名称/姓名", lambda r: r.name, sort="name"),
        Column("type", "类型", lambda r: r.type_name),
        Column("number", "证件号码", lambda r: r.number,
               tooltip=lambda r: "身份证号已部分隐藏：查看完整号码需要审核员、签发人或管理员角色"
               if "*" in r.number else None),
        Column("category", "类别", lambda r: r.category),
        Column("township", "乡镇（街道）", lambda r: r.township, hidden=True),
        Column("grade", "信用等级", lambda r: r.grade or ("—" if r.as_of else "未评价"), tooltip=grade_tip),
        Column("score", "信用分", lambda r: r.score, sort="score", numeric=True, tooltip=grade_tip),
        Column("points", "本年记分", lambda r: r.points, sort="points", numeric=True, tooltip=points_tip),
        Column("measures", "生效措施", lambda r: r.measures, sort="measures", numeric=True),
        Column("as_of", "评价日期", lambda r: r.as_of, hidden=True),
    )


class SubjectListModel(PagedTableModel):
    """Rows of ``subject_list`` for the current search and filters, a page at a time."""

    def __init__(self, runner, actor: Actor, columns=None, parent=None):
        super().__init__(runner, columns or subject_columns(), parent=parent)
        self.actor = actor
        self.query = SubjectQuery()

    def set_filter(self, q: SubjectQuery) -> None:
        actor = self.actor
        self.query = q

        def fetch(db, *, offset, limit, sort, descending):
            return subject_list.subject_page(db, actor=actor, q=replace(q, sort=sort or "name", descending=descending),
                                             offset=offset, limit=limit)

        def count(db):
            return subject_list.subject_count(db, actor=actor, q=q)

        self.set_query(fetch, count)

    def current_query(self) -> SubjectQuery:
        """The list as the user sees it, order included (what an export writes)."""
        return replace(self.query, sort=self.sort_key or "name", descending=self.descending)


def export_subjects(db, *, actor: Actor, q: SubjectQuery, columns: list[Column], path: str, progress=None) -> int:
    """Runs on the worker: the whole list (not only the loaded pages) streamed into an xlsx file.

    Returns the number of rows, or -1 when the user cancelled (the file is then removed).
    """
    total = subject_list.subject_count(db, actor=actor, q=q)
    rows = subject_list.stream_subjects(db, actor=actor, q=q)
    try:
        return write_table(path, [c.title for c in columns], ([c.value(r) for c in columns] for r in rows),
                           sheet="信用主体", title=f"信用主体名单（共{total}个）", progress=progress, total=total)
    finally:
        rows.close()  # a cancelled export ends the read transaction at once
