"""The tables of a credit file window: which part of the file, which columns, and the legal basis of each row.

Each table is a ``FileTable``: a title, the key of ``credit-desk show --json`` it reads, its
columns and the row field holding the legal basis (shown on hover and in the side panel).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from models.services.notices import STATES as NOTICE_STATES
from views.table_model import Column

STATUS_NAMES = {"in_effect": "执行中", "ended": "已结束", "pending_choice": "待选择期限", "optional": "可选",
                "per_agreement": "按协议约定"}
LIST_NAMES = {"red": "红名单", "black": "黑名单"}
# Audit actions that concern one credit file, in the words a user reads (the code is shown otherwise).
ACTION_NAMES = {
    "subject.add": "登记信用主体", "registration.add": "登记备案", "registration.status": "登记状态变更",
    "record.add": "录入信用信息", "record.correct": "更正信用信息", "record.rectify": "登记纠正与修复承诺",
    "finding.add": "登记违规认定", "finding.person": "认定责任人员", "finding.confirm": "审核确认违规认定",
    "points.notify": "记分通知", "measure.choose": "确定措施期限", "measure.impose": "措施生效",
    "measure.change": "措施变更", "measure.end": "措施结束", "objection.file": "受理异议",
    "objection.decide": "异议复核决定", "appeal.file": "登记申诉", "appeal.refer": "申诉送评估鉴定",
    "appeal.conclude": "登记鉴定结论", "appeal.decide": "申诉决定", "repair.apply": "受理信用修复申请", "repair.extend": "延长处理期限",
    "repair.grant": "予以修复", "repair.refuse": "不予修复", "repair.notice": "修复公示", "repair.repaired": "修复完成",
    "repair.auto": "期满自动修复", "repair.points": "减免记分", "repair.shorten": "缩减暂停期限",
    "notice.draft": "生成告知书草稿", "warning.ack": "确认信用预警",
}


def col(key: str, title: str, *, numeric: bool = False, value: Callable | None = None, hidden: bool = False) -> Column:
    return Column(key, title, value or (lambda r: r.get(key)), numeric=numeric, hidden=hidden,
                  tooltip=_basis_tip)


def person(key: str, title: str, *, hidden: bool = False) -> Column:
    """Who did it, by the display name colleagues know (views.file_window.name_people adds ``<key>_name``)."""
    return col(key, title, value=lambda r: r.get(f"{key}_name") or r.get(key), hidden=hidden)


def _basis_tip(row: dict) -> str | None:
    basis = row.get("basis")
    return f"依据：{basis}" if basis else None


def _yes(value) -> str:
    return "是" if value else ""


@dataclass(frozen=True)
class FileTable:
    key: str  # a key of the file data (or a dotted path into it)
    title: str
    columns: tuple[Column, ...]
    muted: Callable[[dict], bool] = field(default=lambda _r: False)  # superseded or ended rows
    alarm: Callable[[dict], bool] = field(default=lambda _r: False)

    def rows(self, data: dict) -> list[dict]:
        value = data
        for part in self.key.split("."):
            value = (value or {}).get(part)
        return list(value or [])


REGISTRATIONS = FileTable("registrations", "登记备案", (
    col("other", "机构/人员", value=lambda r: (r.get("institution") or r.get("practitioner") or {}).get("name")),
    col("registered_on", "登记日期"),
    col("status", "状态"),
    col("commitment", "服务承诺", value=lambda r: (r.get("service_commitment") or {}).get("kind") or "未承诺"),
    col("signed_on", "承诺日期", value=lambda r: (r.get("service_commitment") or {}).get("signed_on")),
), alarm=lambda r: r.get("status") != "正常")

RECORDS = FileTable("records", "信用信息", (
    col("decision_date", "决定日期"),
    col("good", "性质", value=lambda r: "守信" if r.get("good") else "不良"),
    col("kind_name", "信息类别"),
    col("responsibility", "责任程度"),
    col("amount", "金额（元）", numeric=True),
    col("case_no", "案件编号"),
    col("source_name", "信息来源"),
    col("status", "状态"),
    person("entered_by", "录入人", hidden=True),
    col("note", "说明"),
), muted=lambda r: r.get("status") == "已被更正")

POINTS = FileTable("points.entries", "本年度记分", (
    col("date", "记分日期"),
    col("kind_name", "违规类别", value=lambda r: r.get("kind_name") or r.get("kind")),
    col("case_no", "案件编号"),
    col("points", "分值", numeric=True),
    col("note", "说明"),
))

EVALUATIONS = FileTable("evaluations", "评价历史（每次结果变化一行）", (
    col("as_of", "评价日期"),
    col("score", "信用分", numeric=True),
    col("grade", "等级"),
    col("points_year", "记分年度", numeric=True),
    col("points_total", "年度记分", numeric=True),
    person("computed_by", "评价人"),
    col("rule_status", "规则状态", value=lambda r: "有效" if r.get("rule_status") == "in_force" else "无有效规定"),
))

MEASURES_NOW = FileTable("measures", "依规定应采取的措施（评价日）", (
    col("name", "措施"),
    col("status", "状态", value=lambda r: r.get("status_text") or STATUS_NAMES.get(r.get("status"), r.get("status"))),
    col("start", "开始"),
    col("end", "结束"),
    col("range", "可选期限", value=lambda r: (r.get("allowed_range") or {}).get("text")),
    col("note", "说明"),
), alarm=lambda r: r.get("status") == "pending_choice")

MEASURE_HISTORY = FileTable("measure_history", "已执行的措施", (
    col("name", "措施"),
    col("state", "状态"),
    col("start", "开始"),
    col("planned_end", "到期"),
    col("months", "月数", numeric=True),
    col("ended_on", "结束于"),
    person("decided_by", "决定人"),
    col("end_reason", "结束原因"),
), muted=lambda r: r.get("state") != "生效")

LISTS = FileTable("lists", "名单", (
    col("list", "名单", value=lambda r: r.get("list_name") or LIST_NAMES.get(r.get("list"))),
    col("since", "列入日期"),
))

FINDINGS = FileTable("findings", "违规认定", (
    col("decision_date", "决定日期"),
    col("case_no", "案件编号"),
    col("institution", "被处理机构"),
    col("decision_type", "决定类型"),
    col("role_name", "身份"),
    col("responsibility", "责任程度"),
    col("kind_name", "违规类别"),
    col("amount", "基金损失（元）", numeric=True),
    col("state", "状态"),
    col("article", "违反条款", hidden=True),
), alarm=lambda r: r.get("state") == "待确认")

OBJECTIONS = FileTable("objections", "异议", (
    col("received_on", "收到日期"),
    col("target", "对象", value=lambda r: "信用信息" if r.get("target") == "record" else "评价结果"),
    col("review_deadline", "复核期限"),
    col("provisional", "暂定", value=lambda r: _yes(r.get("provisional"))),
    col("state", "状态"),
    col("outcome", "结果"),
    col("reason", "异议理由"),
))

APPEALS = FileTable("appeals", "申诉（济医保发〔2025〕6号 四（八））", (
    col("received_on", "收到日期"),
    col("matter", "申诉事项"),
    col("against", "所涉", value=lambda r: r.get("measure_name") or r.get("case_no") or "记分"),
    col("appellant", "申诉人", value=lambda r: r.get("institution") or "本人"),
    Column("deadline", "办理期限", lambda r: r.get("deadline"), tooltip=lambda r: r.get("deadline_basis")),
    col("provisional", "暂定", value=lambda r: _yes(r.get("provisional"))),
    col("state", "状态"),
    col("outcome", "结果"),
    col("effect", "执行情况"),
    col("reason", "申诉理由"),
    col("assessor", "评估鉴定", hidden=True),
    col("answer", "答复意见", hidden=True),
), alarm=lambda r: r.get("state") != "已办结")

REPAIRS = FileTable("repairs", "信用修复与减免", (
    col("applied_on", "申请/决定日期"),
    col("kind_name", "类别"),
    col("case_no", "所涉案件"),
    col("eligible", "符合条件", value=lambda r: "符合" if r.get("eligible") else "不符合"),
    col("deadline", "处理期限", value=lambda r: r.get("extended_to") or r.get("decision_deadline")),
    col("provisional", "暂定", value=lambda r: _yes(r.get("provisional"))),
    col("state", "状态"),
    col("repaired_on", "修复日期"),
    col("points_reduction", "减免分值", numeric=True),
))

NOTIFICATIONS = FileTable("points_notifications", "记分通知（每个登记备案机构）", (
    col("created_at", "通知时间", value=lambda r: (r.get("created_at") or "")[:10]),
    col("practitioner", "人员"),
    col("institution", "通知机构"),
    col("case_no", "案件编号"),
    col("points", "本次记分", numeric=True),
    col("year_total", "年度累计", numeric=True),
))

NOTICES = FileTable("notices", "告知书", (
    col("created_at", "生成时间", value=lambda r: (r.get("created_at") or "")[:10]),
    col("type_name", "文书"),
    col("state", "状态", value=lambda r: NOTICE_STATES.get(r.get("state"), r.get("state"))),
    person("created_by", "生成人"),
))

AUDIT = FileTable("audit", "操作记录", (
    col("at", "时间", value=lambda r: (r.get("at") or "")[:19].replace("T", " ")),
    person("actor", "操作人"),
    col("action", "操作", value=lambda r: ACTION_NAMES.get(r.get("action"), r.get("action"))),
    col("reason", "原因"),
))

WARNINGS = FileTable("warnings", "信用预警", (
    col("raised_on", "预警日期"),
    col("level", "级别"),
    col("rule_name", "预警类别"),
    col("text", "情况"),
    col("state", "状态"),
    person("acknowledged_by", "确认人"),
    col("note", "处理意见"),
    col("cleared_on", "解除日期", hidden=True),
), muted=lambda r: r.get("state") == "已解除", alarm=lambda r: r.get("state") == "待确认")

STAFF = FileTable("staff", "登记备案人员的信用状况", (
    col("name", "姓名"),
    col("id_number", "身份证号", hidden=True),
    col("profession", "人员类别"),
    col("status", "登记状态"),
    col("grade", "信用等级"),
    col("score", "信用分", numeric=True),
    col("points_total", "本年记分", numeric=True),
    col("measures", "执行中的措施"),
    col("lists", "名单"),
    col("as_of", "评价日期"),
), alarm=lambda r: r.get("sanction") or r.get("status") != "正常")  # 暂停/终止, bans, 黑名单: not incentives

# Tab title → tables on it, top to bottom.
TABS: tuple[tuple[str, tuple[FileTable, ...]], ...] = (
    ("信用信息(&I)", (RECORDS,)),
    ("记分与评价(&P)", (POINTS, EVALUATIONS)),
    ("措施与名单(&M)", (MEASURES_NOW, MEASURE_HISTORY, LISTS)),
    ("登记备案(&R)", (REGISTRATIONS,)),
    ("人员信用(&S)", (STAFF,)),
    ("违规认定(&F)", (FINDINGS,)),
    ("异议与修复(&O)", (OBJECTIONS, APPEALS, REPAIRS)),
    ("告知与通知(&N)", (NOTICES, NOTIFICATIONS)),
    ("信用预警(&W)", (WARNINGS,)),
    ("操作记录(&A)", (AUDIT,)),
)
