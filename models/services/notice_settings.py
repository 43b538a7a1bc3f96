"""The bureau's settings for notices: document-number prefixes, the periods no document fixes, who to call,
where to file, how far back a 成文日期 may lie, and the timestamp service. Each change is kept with who
made it and why (the newest row is in force)."""
from __future__ import annotations

import json

from sqlalchemy import select

from models.db.tables_notices import NoticeSettings
from models.services.base import Actor, Changes, Result, UnitOfWork, query, require, service
from models.services.county import current_county
from models.validation import ValidationError, clean, max_length, required

# type → (document name, 代字 appended to the county prefix). Types sharing a 代字 share a sequence.
DOC_TYPES = {
    "credit_result": ("信用结果告知书", "信"),
    "points_notice": ("记分告知书", "记"),
    "pq_suspend": ("暂停医保支付资格告知书", "资"),
    "pq_terminate": ("终止医保支付资格告知书", "资"),
    "settlement_suspend": ("暂停联网结算告知书", "结"),
    "objection_answer": ("异议信息处理结果反馈单", "异"),
    "appeal_answer": ("申诉处理决定书", "诉"),
    "repair_refused": ("不予信用修复告知书", "复"),
    "repair_confirmed": ("信用修复确认通知书", "修"),
    "credit_report": ("信用报告", "报"),
    "public_list": ("信用名单公告", "公"),
    "credit_warning": ("信用提醒", "提"),
}
DEFAULT_BACKDATE_DAYS = 5  # 成文日期 up to this many days before today needs no recorded reason
# The bureau's own time limits where no document fixes one (本局规定; DOMAIN: a value no document fixes is a
# setting): answering an appeal (济医保发〔2025〕6号 四（八） grants it without a period) and choosing the
# length of a suspension the rules leave to the handler. Working days.
LIMITS = {"appeal_handling_days": ("申诉办理期限", 15), "choice_days": ("确定处理期限的办理时限", 10)}


def default_prefix(county_name: str) -> str:
    """宁阳县 → 宁医保, 磐安县 → 磐医保 (as in 磐医保〔2021〕43号)."""
    return f"{county_name[:1]}医保"


def settings(uow: UnitOfWork) -> dict:
    row = uow.session.scalar(select(NoticeSettings).order_by(NoticeSettings.id.desc()).limit(1))
    stored = json.loads(row.content) if row else {}
    return {"prefix": default_prefix(current_county(uow).name), "series": {}, "appeal_days": None, "phone": "",
            "address": "", "backdate_days": DEFAULT_BACKDATE_DAYS, "timestamp_url": "",
            **{k: default for k, (_name, default) in LIMITS.items()}} | stored


def prefix_for(conf: dict, doc_type: str) -> str:
    return conf["prefix"] + conf["series"].get(doc_type, DOC_TYPES[doc_type][1])


@query
def get_settings(uow: UnitOfWork) -> dict:
    return settings(uow)


def _days(value, field: str, low: int, high: int, blank: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    if not str(value).strip().isdigit() or not low <= int(value) <= high:
        raise ValidationError(field, f"应为{low}至{high}的整数，或留空表示{blank}")
    return int(value)


def _url(value) -> str:
    url = clean(value)
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValidationError("时间戳服务地址", "应以 http:// 或 https:// 开头，或留空表示不加时间戳")
    return max_length(url, 300, "时间戳服务地址")


@service
def set_settings(uow: UnitOfWork, *, actor: Actor, changes: dict, reason: str) -> Result:
    """prefix (县局代字, e.g. 宁医保), series {type: 代字}, appeal_days (申诉期限, 文件未定时本局设置), phone
    (经办人电话), address (受理异议、申诉的地点), backdate_days (成文日期可早于今天的天数), timestamp_url,
    and the bureau's own time limits of ``LIMITS`` (工作日)."""
    require(actor, "notice.settings")
    before = settings(uow)
    after = dict(before)
    if "prefix" in changes:
        after["prefix"] = max_length(required(changes["prefix"], "发文字号代字"), 10, "发文字号代字")
    if "series" in changes:
        unknown = set(changes["series"]) - set(DOC_TYPES)
        if unknown:
            raise ValidationError("文书类型", f"未知的类型：{'、'.join(sorted(unknown))}")
        after["series"] = {**before["series"], **{k: max_length(required(v, "类型代字"), 4, "类型代字")
                                                   for k, v in changes["series"].items()}}
    if "appeal_days" in changes:
        after["appeal_days"] = _days(changes["appeal_days"], "申诉期限", 1, 60, "不设（不能起草需写明申诉期限的告知书）")
    if "backdate_days" in changes:
        days = _days(changes["backdate_days"], "成文日期可提前天数", 0, 60, f"默认{DEFAULT_BACKDATE_DAYS}天")
        after["backdate_days"] = DEFAULT_BACKDATE_DAYS if days is None else days
    for key, (name, default) in LIMITS.items():
        if key in changes:
            days = _days(changes[key], name, 1, 60, f"默认{default}个工作日")
            after[key] = default if days is None else days
    if "phone" in changes:
        after["phone"] = max_length(clean(changes["phone"]), 30, "经办人电话")
    if "address" in changes:
        after["address"] = max_length(clean(changes["address"]), 100, "受理地点")
    if "timestamp_url" in changes:
        after["timestamp_url"] = _url(changes["timestamp_url"])
    uow.session.add(NoticeSettings(content=json.dumps(after, ensure_ascii=False), set_by=actor.username,
                                   reason=required(reason, "变更原因")))
    uow.audit(actor, "notice.settings", "county", None, before=before, after=after, reason=reason)
    return Result(after, Changes(county=True))
