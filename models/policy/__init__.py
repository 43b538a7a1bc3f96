"""Policy engine (政策规则引擎): pure functions from facts to results. No DB, no Qt.

Glossary: pack = 政策包 (one document), profile = 配置 (a county's ordered packs), kind = 记录类别,
record = 信用记录, points = 记分, score = 信用分, grade = 信用等级, measure = 措施, list = 名单,
repair = 信用修复, objection = 异议, appeal = 申诉, working day = 工作日.

Public API (all results are frozen dataclasses; money and scores are Decimal):

Loading
    load_packs(directory=None) -> PackSet
    load_profile(name, packs=None, directory=None) -> Profile        # "shandong", "panan"
    catalogue(profile) -> list[KindSpec]; catalogue_json(profile) -> list[dict]
    catalogue_all(packs) -> list[KindSpec]                            # every kind of every pack
    KindSpec(code, name, subject_type, good, band, score_effect, needs_amount, basis, note)

Facts (built by the DB side)
    SubjectFacts(uuid, type, name, id_number=None, credit_code=None, since=None)
    RecordFact(uuid, kind, decision_date, amount=None, responsibility=None, decision_type=None,
               decision_id=None, repaired_on=None, points_reduction=0, corrected_on=None)
    MeasureChoice(ref, months, reason, start=None)    # ref = uuid of the triggering record
    YearGrade(year, grade, decided_on=None)           # prior formal yearly grades (red list)

Evaluation
    evaluate(subject, records, as_of, profile, choices=(), history=()) -> Evaluation
    Evaluation(subject, as_of, points: PointsSummary, score, grade, inspection_ratio,
               measures: tuple[Measure], lists: tuple[ListEntry], explanations: tuple[str],
               rule_status: RuleStatus, score_is_sample).to_json() -> dict
    PointsSummary(year, total, entries: tuple[PointsEntry(record, kind, decision_date, points, basis, note)])
    Measure(kind, name, start, end, status, basis, record, allowed_range, chosen, note)
        status: in_effect | ended | pending_choice | optional | per_agreement
    ListEntry(list: "red"|"black", list_name, since, basis, record)
    RuleStatus(status: "in_force"|"no_rule_in_force", uncovered: tuple[Uncovered], covered)

Procedures and repair
    procedure_deadline(profile, procedure, subject_type, event, calendar=None, configured_days=None)
        -> ProcedureDeadline(procedure, working_days, deadline, latest, text, basis) | None
        procedure: objection_filing | objection_review | repair_decision | repair_public_notice
                   | repair_refusal_objection | appeal
    repair_eligibility(profile, finding, application_date, later_records=(), excluded_by_law=False)
        -> RepairEligibility(eligible, reasons, basis, earliest_application)
    repair_instruments(profile) -> list[(instrument, basis)]

Boundaries, dates, working days, sampling
    Bound(value, word), Range(lower, upper), within(value, range), pick_tier(value, tiers)
    add_months(start, n)                              # calendar months, 《民法典》第二百零二条
    WorkCalendar(extra_years={year: YearSchedule(holidays, workdays)}, use_package=True)
        .add_workdays(start, n) -> Deadline(date, provisional, missing_years)
        .workdays_between(a, b) -> int;  .is_workday(day);  .has_schedule(year)
    add_workdays(start, n, calendar=None); workdays_between(a, b, calendar=None)
    parse_year_schedules(text) -> dict[int, YearSchedule]; format_year_schedules(schedules)
    draw_inspection(candidates, base_ratio, seed, profile, as_of, inspectors=(), per_subject=2)
        -> InspectionDraw

Errors are PolicyError (a ValueError) with a Chinese message.
"""
from models.policy.boundaries import Bound, Range, Tier, pick_tier, within
from models.policy.catalogue import KindSpec, catalogue, catalogue_all, catalogue_json
from models.policy.dates import add_months, add_years
from models.policy.errors import PolicyError
from models.policy.evaluate import Evaluation, evaluate, evaluation_json
from models.policy.facts import MeasureChoice, RecordFact, SubjectFacts, YearGrade
from models.policy.packs import PackSet, Profile, load_packs, load_profile
from models.policy.procedures import PROCEDURES, ProcedureDeadline, procedure_deadline
from models.policy.repair import RepairEligibility, repair_eligibility, repair_instruments
from models.policy.sampling import Candidate, InspectionDraw, Selection, draw_inspection
from models.policy.results import ListEntry, Measure, PointsEntry, PointsSummary, RuleStatus, Uncovered
from models.policy.workdays import (Deadline, WorkCalendar, YearSchedule, add_workdays, format_year_schedules,
                                    parse_year_schedules, workdays_between)
