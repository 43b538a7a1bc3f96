"""Whether the policy packs in force still cover today: what the workbench and 本局信息 warn about.

A pack that expired (or will within ``WARN_DAYS``) leaves each of its rule families without a rule
unless another pack of the profile covers the day (``policy.score.in_force``, the engine's own
choice); the warning names what is then not computed, so nobody mistakes a gap for a clean file.
"""
from __future__ import annotations

from datetime import date, timedelta

from models.policy.score import in_force
from models.services.base import UnitOfWork, query
from models.services.evaluation import profile_for

WARN_DAYS = 60
# The rule families of the packs, as a bureau calls what they decide.
RULE_TYPE_NAMES = {
    "points": "医保支付资格记分", "grades": "信用等级", "inspection": "抽查比例", "grade_measures": "等级对应的管理措施",
    "measure_by_kind": "按信息类别的处理措施", "loss_tiers": "按基金损失的处理措施", "list_by_kind": "红黑名单",
    "red_list_run": "守信红名单", "clean_years_incentive": "守信激励", "deadline": "异议和修复的办理期限",
    "auto_restore": "期满自动修复", "points_repair": "记分修复", "instruments": "文书格式", "repair_instruments": "修复文书",
    "boundary_words": "“以上、以下”的计算口径", "sampling": "抽查抽样",
}


def _names(types: list[str]) -> str:
    return "、".join(RULE_TYPE_NAMES.get(t, t) for t in types)


@query
def pack_warnings(uow: UnitOfWork, *, day: date | None = None) -> list[str]:
    """One sentence per pack of the profile that expired or expires within WARN_DAYS days."""
    profile = profile_for(uow)
    today = day or date.today()
    out = []
    for entry in profile.entries:
        pack, end = entry.pack, entry.pack.effective_to
        if entry.reference or end is None or end > today + timedelta(days=WARN_DAYS):
            continue
        types = sorted({rule.type for rule in entry.active_rules()})
        after = max(today, end + timedelta(days=1))
        missing = [t for t in types if in_force(profile, t, after) is None]
        when = f"已于{end.isoformat()}失效" if end < today else f"将于{end.isoformat()}失效（还有{(end - today).days}天）"
        if missing:
            out.append(f"政策包 {pack.cite_as} {when}：{'此后' if end >= today else '目前'}{_names(missing)}"
                       "没有有效规则，不再计算；请载入市局下发的新政策包或变更政策配置。")
        else:
            out.append(f"政策包 {pack.cite_as} {when}；其规则已由本配置中的其他政策包接替。")
    return out
