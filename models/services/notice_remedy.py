"""What a notice says about the subject's remedy (异议 or 申诉) and the legal basis of casework answers.

A notice states the period in working days counted from delivery, where and how to file, and the
article that grants it (鲁医保发〔2024〕25号 第十条, 磐医保〔2021〕43号 第十六条, 济医保发〔2025〕6号
四（八）). The rule is the one in force on the day of the decision the notice reports; when no pack in
force on that day fixes it, the rule in force on the day of the decision's underlying record is used
(the procedure belongs to the decision made under it). Where neither fixes a period the draft is
refused with the reason, never printed without one: the law gives no period we could print.

The register counts the deadline of a delivered notice with the days printed on it
(``delivery_deadline``), so the paper and the register never disagree.
"""
from __future__ import annotations

from datetime import date

from models import policy
from models.services import evaluation
from models.services.base import ServiceError, UnitOfWork, day_text
from models.services.workdays import calendar_from_db

# Wording of a citation that is a note from the engine rather than an article: never printed.
MACHINE_MARKS = ("没有有效", "须加载", "未检查", "未计算", "可配置")
PROCEDURE_NAMES = {"objection_filing": "异议期限", "appeal": "申诉期限", "repair_refusal_objection": "异议期限",
                   "objection_review": "异议复核", "repair_decision": "信用修复处理"}


def found_rule(uow: UnitOfWork, procedures: tuple[str, ...], subject_type: str, days: tuple[date | None, ...],
               configured_days: int | None = None) -> policy.ProcedureDeadline | None:
    """The first rule for any of ``procedures`` in force on any of ``days`` (in that order of preference)."""
    profile = evaluation.profile_for(uow)
    for day in days:
        if day is None:
            continue
        for procedure in procedures:
            found = policy.procedure_deadline(profile, procedure, subject_type, day, configured_days=configured_days)
            if found is not None:
                return found
    return None


def _lapsed(days: tuple[date | None, ...]) -> str:
    shown = list(dict.fromkeys(day_text(d) for d in days if d))
    return "、".join(shown) + ("均" if len(shown) > 1 else "") + "没有有效的政策文件规定"


def remedy(uow: UnitOfWork, *, procedures: tuple[str, ...], subject_type: str, days: tuple[date | None, ...],
           about: str, verb: str, where: str, configured_days: int | None = None) -> dict:
    """{days, basis, about, verb, where}: what the notice prints, or a refusal naming what is missing."""
    found = found_rule(uow, procedures, subject_type, days, configured_days)
    name = PROCEDURE_NAMES.get(procedures[0], "救济期限")
    if found is None:
        raise ServiceError(f"{name}：{_lapsed(days)}，告知书无法写明{verb}期限和依据；"
                           "请管理员加载后续政策包后再起草")
    if not found.working_days:
        raise ServiceError(f"{name}：{found.basis}未规定{verb}期限，须由本局设置；"
                           "请管理员在“告知书设置”中填写申诉期限（工作日）后再起草")
    return {"days": found.working_days, "basis": found.basis, "about": about, "verb": verb, "where": where,
            "procedure": found.procedure}


def citation(uow: UnitOfWork, text: str | None, *, procedures: tuple[str, ...], subject_type: str,
             days: tuple[date | None, ...]) -> str:
    """The articles in ``text`` (“；”-separated) that are citations; the engine's notes are dropped. With
    none left, the rule for ``procedures`` in force on ``days``; with none at all, a refusal."""
    cites = [c for c in (text or "").split("；") if c and "〔" in c and not any(m in c for m in MACHINE_MARKS)]
    if cites:
        return "、".join(dict.fromkeys(cites))
    found = found_rule(uow, procedures, subject_type, days)
    if found is None:
        name = PROCEDURE_NAMES.get(procedures[0], "处理")
        raise ServiceError(f"{name}的依据：{_lapsed(days)}，文书无法写明依据；请管理员加载后续政策包后再起草")
    return found.basis


def delivery_deadline(uow: UnitOfWork, printed: dict | None, delivered_on: date):
    """The deadline a delivered notice opens, counted from delivery with the days printed on it."""
    if not printed or not printed.get("days"):
        return None
    return calendar_from_db(uow).add_workdays(delivered_on, int(printed["days"]))
