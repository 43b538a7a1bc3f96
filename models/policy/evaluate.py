"""evaluate(): one subject, its records, a date → points, score, grade, measures, lists, and
the sentences that explain them. Pure: the same facts always give the same Evaluation,
whatever order the records come in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from models.policy.applicable import lapsed_text, uncovered
from models.policy.catalogue import kind_index
from models.policy.coherence import Sanction, withhold_incentives
from models.policy.errors import PolicyError
from models.policy.facts import MeasureChoice, RecordFact, SubjectFacts, YearGrade
from models.policy.lists import kind_lists, red_list
from models.policy.measures import clean_years_incentive, grade_measures, kind_measures, loss_measures
from models.policy.packs import Profile, basis
from models.policy.points import points_part
from models.policy.results import (STATUS_TEXT, ListEntry, Measure, PointsSummary, RuleStatus)
from models.policy.score import (InspectionRatio, LeafScore, StaffFacts, compute_score, counted_consequences,
                                  counted_records, grade_of, in_force, inspection_ratio, tree_for)
from models.policy.validity import valid_until

TWO = Decimal("0.01")


@dataclass(frozen=True)
class Evaluation:
    subject: SubjectFacts
    as_of: date
    points: PointsSummary
    score: Decimal | None
    grade: str | None
    inspection_ratio: InspectionRatio | None
    measures: tuple[Measure, ...]
    lists: tuple[ListEntry, ...]
    explanations: tuple[str, ...]
    rule_status: RuleStatus
    score_is_sample: bool = False
    sanctions: tuple[Sanction, ...] = ()
    valid_until: date | None = None  # the first later day on which the result can change without new facts
    tree: tuple[str, str, bool, str] | None = None  # the indicator tree used: (id, version, sample, title)
    lines: tuple[LeafScore, ...] = ()  # its third-level lines, each with its score (异议可针对单项)

    def to_json(self) -> dict:
        return evaluation_json(self)


@dataclass(frozen=True)
class _Scored:
    score: Decimal | None = None
    grade: str | None = None
    ratio: InspectionRatio | None = None
    notes: tuple[str, ...] = ()
    tree: tuple[str, str, bool, str] | None = None
    lines: tuple[LeafScore, ...] = ()
    sample: bool = False


def _score(profile: Profile, subject: SubjectFacts, records: list[RecordFact], as_of: date, measures, lists,
           staff: StaffFacts | None, adjustments) -> _Scored:
    ind = tree_for(profile, subject.type, subject.institution_kind, as_of)
    if ind is None:
        if subject.type == "institution" and profile.trees:
            return _Scored(notes=("该机构未登记机构类别（医院、诊所或零售药店），或评价日没有适用于该类机构的指标体系，"
                                  "不评定信用等级。",))
        return _Scored()
    counted = counted_records(ind, records, as_of)
    # A repaired record stops counting, and so do the measures and list entries it caused.
    repaired = {r.uuid for r in records if r.repaired_on and r.repaired_on <= as_of}
    good = frozenset(k.code for k in kind_index(profile).values() if k.good)
    adjust = {code: delta for (tree, version, code), delta in (adjustments or {}).items()
              if (tree, version) == (ind.id, ind.version)}
    total, leaves = compute_score(ind, counted, counted_consequences(
        ind, [m for m in measures if m.record not in repaired], [li for li in lists if li.record not in repaired],
        as_of), staff=staff, adjustments=adjust, good=good)
    notes = [f"信用分{total}分，依据{ind.cite()}，计入评价日前{ind.window_months}个月内"
             f"{len(counted)}条记录及期间的处理措施。"]
    if subject.type == "institution" and staff is not None:
        notes.append(f"{staff.text()}（淮医保发〔2020〕104号 三（四）：医保医师考评结果与定点医疗机构考核挂钩）。")
    notes += [f"指标{leaf.code}“{leaf.name}”得{leaf.score}分（满分{leaf.weight}分），涉及 {'、'.join(leaf.records)}。"
              for leaf in leaves if leaf.records]
    notes += [f"指标{leaf.code}“{leaf.name}”经异议复核变更{leaf.adjustment:+}分。" for leaf in leaves if leaf.adjustment]
    done = dict(tree=(ind.id, ind.version, ind.sample, ind.title or ind.id), lines=tuple(leaves), sample=ind.sample)
    found = in_force(profile, "grades", as_of)
    if found is None:
        return _Scored(total, notes=tuple(notes + ["评价日没有有效的信用等级规则，不评定等级。"]), **done)
    entry, rule = found
    grade = grade_of(rule, total)
    notes.append(f"信用分{total}分，等级为{grade}，依据{basis(entry, rule)}。")
    insp = in_force(profile, "inspection", as_of)
    ratio = inspection_ratio(*insp, grade) if insp else None
    if ratio:
        notes.append(f"“双随机、一公开”抽查：{ratio.text}，依据{ratio.basis}。")
    return _Scored(total, grade, ratio, tuple(notes), **done)


def evaluate(subject: SubjectFacts, records: Iterable[RecordFact], as_of: date, profile: Profile,
             choices: Iterable[MeasureChoice] = (), history: Iterable[YearGrade] = (),
             staff: StaffFacts | None = None, adjustments=None) -> Evaluation:
    """``staff``: the standing of an institution's registered practitioners; ``adjustments``: changes objection
    decisions made to single indicator lines, {(tree id, version, leaf code): points}."""
    records = list(records)
    later = [r.decision_date for r in records if r.decision_date > as_of]  # facts after as_of change it on their day
    records = sorted((r for r in records if r.decision_date <= as_of), key=lambda r: (r.decision_date, r.uuid))
    if len({r.uuid for r in records}) != len(records):
        raise PolicyError("记录编号（uuid）重复")
    kinds = kind_index(profile)
    for rec in records:
        spec = kinds.get(rec.kind)
        if spec is None:
            raise PolicyError(f"记录 {rec.uuid}：配置“{profile.name}”中没有记录类别“{rec.kind}”")
        if spec.subject_type != subject.type:
            raise PolicyError(f"记录 {rec.uuid}：类别“{spec.name}”不适用于该主体类型")
    choice_map = {c.ref: c for c in choices}
    gaps = tuple(u for u in (uncovered(profile, kinds, r) for r in records) if u is not None)
    gap_notes = tuple(lapsed_text(profile.entry(pack), g.decision_date) + f"（记录 {g.record}），目前没有有效规定可依，"
                      "须加载后续政策包。" for g in gaps for pack in g.packs)
    summary, pts = points_part(profile, kinds, records, as_of, choice_map)
    facts = [pts, kind_measures(profile, kinds, records, as_of), loss_measures(profile, records, as_of, choice_map),
             kind_lists(profile, kinds, records, as_of)]
    scored = _score(profile, subject, records, as_of, [m for p in facts for m in p.measures],
                    [li for p in facts for li in p.lists], staff, adjustments)
    score, grade, ratio, score_notes = scored.score, scored.grade, scored.ratio, scored.notes
    parts = [*facts, clean_years_incentive(profile, kinds, subject, records, as_of), grade_measures(profile, grade, as_of),
             red_list(profile, history, grade, as_of)]
    measures, lists, sanctions, withheld = withhold_incentives(
        profile, tuple(m for p in parts for m in p.measures), tuple(li for p in parts for li in p.lists), as_of)
    covered = tuple((p.id, p.effective_from, p.effective_to) for p in profile.packs)
    status = RuleStatus("no_rule_in_force" if gaps else "in_force", gaps, covered)
    return Evaluation(
        subject=subject, as_of=as_of, points=summary, score=score, grade=grade, inspection_ratio=ratio,
        measures=measures, lists=lists,
        explanations=tuple(dict.fromkeys(gap_notes + score_notes + tuple(x for p in parts for x in p.explanations)
                                         + withheld)),
        rule_status=status, score_is_sample=scored.sample,
        sanctions=sanctions, valid_until=min([valid_until(profile, records, measures, as_of), *later]),
        tree=scored.tree, lines=scored.lines)


# -- JSON contract ------------------------------------------------------------------------

def _d(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(TWO))


def evaluation_json(ev: Evaluation) -> dict:
    s = ev.subject
    subject = {"uuid": s.uuid, "type": s.type, "name": s.name}
    subject["credit_code" if s.type == "institution" else "id_number"] = (
        s.credit_code if s.type == "institution" else s.id_number)
    ratio = ev.inspection_ratio
    return {
        "subject": subject,
        "as_of": ev.as_of.isoformat(),
        "points": {"year": ev.points.year, "total": ev.points.total,
                   "entries": [{"record": e.record, "kind": e.kind, "date": _d(e.decision_date),
                                "points": e.points, "basis": e.basis, "note": e.note} for e in ev.points.entries]},
        "score": _dec(ev.score),
        "score_is_sample": ev.score_is_sample,
        "grade": ev.grade,
        "inspection_ratio": None if ratio is None else {
            "ratio": _dec(ratio.ratio), "relation": ratio.relation, "full_coverage": ratio.full_coverage,
            "text": ratio.text, "basis": ratio.basis},
        "measures": [{"kind": m.kind, "name": m.name, "start": _d(m.start), "end": _d(m.end), "status": m.status,
                      "status_text": STATUS_TEXT[m.status], "basis": m.basis, "record": m.record,
                      "allowed_range": None if m.allowed_range is None else m.allowed_range.as_json(),
                      "chosen": None if m.chosen is None else {"months": m.chosen.months, "reason": m.chosen.reason},
                      "note": m.note} for m in ev.measures],
        "lists": [{"list": li.list, "list_name": li.list_name, "since": _d(li.since), "basis": li.basis,
                   "record": li.record} for li in ev.lists],
        "explanations": list(ev.explanations),
        "sanctions": [{"kind": s.kind, "name": s.name, "since": _d(s.since), "until": _d(s.until), "basis": s.basis,
                       "record": s.record} for s in ev.sanctions],
        "valid_until": _d(ev.valid_until),
        "indicators": None if ev.tree is None else {
            "id": ev.tree[0], "version": ev.tree[1], "sample": ev.tree[2], "title": ev.tree[3],
            "lines": [x.as_json() for x in ev.lines]},
        "rule_status": {
            "status": ev.rule_status.status,
            "uncovered": [{"record": u.record, "kind": u.kind, "decision_date": _d(u.decision_date),
                           "packs": list(u.packs), "rule_types": list(u.rule_types)} for u in ev.rule_status.uncovered],
            "covered": [{"pack": p, "from": _d(a), "to": _d(b)} for p, a, b in ev.rule_status.covered],
        },
    }
