"""The policy engine's inputs from the database: the county's profile, a subject's live records, the
handler's choices. Only models.services.standing evaluates with them; everything else reads the standing."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import policy
from models.db.tables import CreditRecord, MeasureChoiceRow
from models.db.tables_exchange import ReceivedPolicyPack
from models.policy.packs import pack_from_dict, with_received_packs
from models.policy.score import StaffFacts, tree_for
from models.services.base import UnitOfWork, query
from models.services.county import current_county
from models.services.indicators import with_bureau_indicators
from models.services.profiles import profile

RED_LIST_YEARS = 3  # 磐医保〔2021〕43号 第二十一条: 优秀 three years or more


def profile_for(uow: UnitOfWork) -> policy.Profile:
    """The county's profile with the packs the city sent and the bureau's own indicator tree."""
    return with_bureau_indicators(uow, _with_received(uow, profile(current_county(uow).profile)))


def _with_received(uow: UnitOfWork, prof: policy.Profile) -> policy.Profile:
    rows = list(uow.session.scalars(select(ReceivedPolicyPack).order_by(ReceivedPolicyPack.id)))
    if not rows:
        return prof
    received = []
    for row in rows:
        raw = json.loads(row.content)
        received.append((pack_from_dict(raw, f"收到的政策包 {row.pack_id}"), raw.get("successor_of")))
    return with_received_packs(prof, received)


@query
def catalogue(uow: UnitOfWork) -> list[dict]:
    return policy.catalogue_json(profile_for(uow))


def subject_facts(s) -> policy.SubjectFacts:
    return policy.SubjectFacts(uuid=s.uuid, type=s.type, name=s.name, id_number=s.id_number, credit_code=s.credit_code,
                               institution_kind=getattr(s, "institution_kind", None))


def record_fact(r: CreditRecord) -> policy.RecordFact:
    # Records of one finding share the case number: that is "one decision" for the 12-point rule.
    # Casework decisions reach the engine here: a completed repair (信用修复, 鲁 第十二条 自动修复)
    # stops the record counting from its date, 减免记分 (济 四(七)) lowers its points, and a
    # rectification (纠正并承诺) dates the correction for 鲁 第十二条.
    done = [p for p in getattr(r, "repairs", ()) if p.state == "已修复"]
    corrected = [c.corrected_on for c in getattr(r, "rectifications", ())]
    return policy.RecordFact(
        uuid=r.uuid, kind=r.kind, decision_date=r.decision_date, amount=r.amount, responsibility=r.responsibility,
        decision_type=r.decision_type, decision_id=r.case_no or r.uuid,
        repaired_on=min((p.repaired_on for p in done if p.repaired_on), default=None),
        points_reduction=sum(p.points_reduction for p in done), corrected_on=min(corrected, default=None),
        source=r.source,
    )


def among(column, ids: list[int]):
    """``column IN ids``, or a range when the sorted ids are dense: a county-wide batch of 2,000 ids then costs
    one indexed range scan instead of 2,000 bound parameters (rows in the gaps are simply not asked for)."""
    if len(ids) > 50 and ids[-1] - ids[0] < 2 * len(ids):
        return column.between(ids[0], ids[-1])
    return column.in_(ids)


def _live_records(uow: UnitOfWork, subject_ids: list[int] | None) -> dict[int, list[CreditRecord]]:
    """Records that count: every record not superseded by a correction."""
    superseded = select(CreditRecord.supersedes_id).where(CreditRecord.supersedes_id.is_not(None))
    stmt = select(CreditRecord).where(CreditRecord.id.not_in(superseded)).options(
        selectinload(CreditRecord.repairs), selectinload(CreditRecord.rectifications))  # read by record_fact
    if subject_ids is not None:
        stmt = stmt.where(among(CreditRecord.subject_id, sorted(subject_ids)))
    grouped: dict[int, list[CreditRecord]] = defaultdict(list)
    for r in uow.session.scalars(stmt):
        grouped[r.subject_id].append(r)
    return grouped


def _choices(uow: UnitOfWork, record_ids: list[int]) -> dict[int, list[policy.MeasureChoice]]:
    grouped: dict[int, list[policy.MeasureChoice]] = defaultdict(list)
    if not record_ids:
        return grouped
    rows = uow.session.scalars(select(MeasureChoiceRow).where(MeasureChoiceRow.record_id.in_(record_ids))
                               .order_by(MeasureChoiceRow.id))
    for c in rows:  # a later choice for the same record replaces the earlier one in the engine's map
        grouped[c.record.subject_id].append(policy.MeasureChoice(ref=c.record.uuid, months=c.months, reason=c.reason,
                                                                 start=c.start))
    return grouped


@lru_cache(maxsize=256)
def _empty_year(prof: policy.Profile, type_: str, institution_kind: str | None, year: int,
                staff: StaffFacts | None) -> str | None:
    """The year-end grade of a file with no record decided by then: the same for every subject of the type (and
    kind of institution, and staff figures) under these rules, so computed once."""
    facts = policy.SubjectFacts(uuid="", type=type_, name="", id_number=None, credit_code=None,
                                institution_kind=institution_kind)
    return policy.evaluate(facts, [], date(year, 12, 31), prof, staff=staff).grade


def evaluate_rows(prof: policy.Profile, s, rows: list[CreditRecord], choices, as_of: date, *,
                  staff: StaffFacts | None = None, adjustments=None, fixed: dict[int, str] | None = None
                  ) -> policy.Evaluation:
    """The engine on one subject's rows (``s`` is a Subject or a row with its identifying columns).

    ``staff``: an institution's staff aggregates; ``adjustments``: objection decisions on single lines;
    ``fixed``: the published yearly ratings of the subject (year → grade), which the red list uses instead of
    the year-end grade the file gives (磐医保〔2021〕43号 第二十一条 on the 年度信用评价结果)."""
    facts = subject_facts(s)
    recs = [record_fact(r) for r in rows]
    history = ()
    if (recs or fixed) and tree_for(prof, facts.type, facts.institution_kind, as_of) is not None:
        # Yearly grades at each year's end feed the red list (磐 第二十一条); a published rating wins.
        fixed = fixed or {}
        first = min((r.decision_date for r in rows), default=None)
        history = tuple(
            policy.YearGrade(year=y, grade=fixed.get(y) or (
                _empty_year(prof, facts.type, facts.institution_kind, y, staff)
                if (first is None or first.year > y) and not adjustments else
                policy.evaluate(facts, recs, date(y, 12, 31), prof, staff=staff, adjustments=adjustments).grade))
            for y in range(as_of.year - RED_LIST_YEARS, as_of.year)
        )
    return policy.evaluate(facts, recs, as_of, prof, choices=choices, history=history, staff=staff,
                           adjustments=adjustments)
