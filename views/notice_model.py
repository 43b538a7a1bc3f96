"""The notice register as a table model that pages through the database on the worker
(``PagedTableModel``); a new filter replaces the query and starts again from the first page."""
from __future__ import annotations

from models.services import notice_register
from views.table_model import Column, PagedTableModel

COLUMNS = (
    Column("doc_number", "文号", lambda r: r.doc_number or "（未编号）"),
    Column("type_name", "文书", lambda r: r.type_name),
    Column("subject", "对象", lambda r: r.subject),
    Column("state_name", "状态", lambda r: r.state_name),
    Column("issued_on", "成文日期", lambda r: r.issued_on),
    Column("verify_code", "验证码", lambda r: r.verify_code),
    Column("delivered_on", "送达日期", lambda r: r.delivered_on),
    Column("deadline", "异议/申诉截止", lambda r: r.deadline),
    Column("created_at", "起草日期", lambda r: r.created_at),
)


class NoticeRegisterModel(PagedTableModel):
    def __init__(self, runner, parent=None):
        super().__init__(runner, COLUMNS, parent=parent)
        self.muted = lambda row: row.state_name in ("已作废", "已退回")
        self.filter = notice_register.RegisterFilter()

    def set_filter(self, f: notice_register.RegisterFilter) -> None:
        self.filter = f

        def fetch(db, *, offset: int, limit: int, sort=None, descending=False):  # the register has one order
            return notice_register.page(db, filter=f, offset=offset, limit=limit)

        self.set_query(fetch, lambda db: notice_register.count(db, filter=f))
