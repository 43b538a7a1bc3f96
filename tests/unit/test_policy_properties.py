"""Properties: a bad record never helps; evaluation does not depend on record order."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from models.policy import add_workdays, catalogue, evaluate
from models.policy.measures import loss_tier
from policy_fixtures import DOCTOR, profile, rec

BAD = ["pq_agreement_minor", "pq_agreement_serious", "pq_admin_penalty", "pq_fraud", "refuse_penalty", "kickback",
       "bad_other", "criminal_fraud"]
GOOD = ["commendation", "verified_report", "credit_commitment", "good_other", "outstanding_practitioner"]
AS_OF = date(2025, 12, 31)

record_st = st.builds(
    lambda kind, day, resp, dec: (kind, date(2025, 4, 16) + timedelta(days=day), resp, dec),
    st.sampled_from(BAD + GOOD), st.integers(0, 259), st.sampled_from(["一般", "重要", "主要", None]),
    st.sampled_from(["D1", "D2", None]))


def build(specs, name="shandong"):
    known = {k.code for k in catalogue(profile(name))}
    return [rec(f"r{i:03d}", k, d, responsibility=r, decision_id=dec)
            for i, (k, d, r, dec) in enumerate(specs) if k in known]


@settings(max_examples=60, deadline=None)
@given(st.lists(record_st, max_size=8), record_st.filter(lambda s: s[0] in BAD))
def test_adding_a_bad_record_never_raises_the_score_or_lowers_the_points(specs, extra):
    for name in ("shandong", "panan"):
        before = evaluate(DOCTOR, build(specs, name), AS_OF, profile(name))
        after = evaluate(DOCTOR, build(specs + [extra], name), AS_OF, profile(name))
        assert after.score <= before.score
        assert after.points.total >= before.points.total


@settings(max_examples=60, deadline=None)
@given(st.lists(record_st, max_size=8), st.randoms(use_true_random=False))
def test_evaluation_is_independent_of_record_order(specs, rnd):
    records = build(specs)
    shuffled = records[:]
    rnd.shuffle(shuffled)
    assert (evaluate(DOCTOR, records, AS_OF, profile()).to_json()
            == evaluate(DOCTOR, shuffled, AS_OF, profile()).to_json())


@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False))
def test_9_every_loss_falls_in_exactly_one_tier(amount):
    rule = profile().entry("shandong-2024-25").pack.rule("loss_tiers")
    item, months = loss_tier(rule, amount)
    expected = "2" if amount < Decimal(100000) else "3" if amount < Decimal(200000) else "4"
    assert item == expected and months.integers()


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 30)), st.integers(0, 40))
def test_one_more_working_day_is_always_a_later_date(start, n):
    assert add_workdays(start, n + 1).date > add_workdays(start, n).date


choice_st = st.lists(st.tuples(st.integers(0, 7), st.integers(1, 12)), max_size=3)
INCENTIVE_LISTS = ("red",)


@settings(max_examples=120, deadline=None)
@given(st.lists(record_st, max_size=10), choice_st, st.integers(0, 500), st.sampled_from(["shandong", "panan"]))
def test_huaian_3_5_no_result_contradicts_another_for_any_file_and_date(specs, picks, offset, name):
    """淮医保发〔2020〕104号 三（五）: whatever the file and the date, a sanction in effect leaves no incentive and no
    red-list entry; a termination or a black-list entry in the window never leaves an exemplary grade; the
    points add up; the result holds until a later day."""
    from models.policy import MeasureChoice

    records = build(specs, name)
    as_of = date(2025, 4, 16) + timedelta(days=offset)
    first = evaluate(DOCTOR, records, as_of, profile(name))
    pending = [m for m in first.measures if m.status == "pending_choice" and m.allowed_range is not None]
    choices = []
    for index, months in picks:
        if index < len(pending) and months in pending[index].allowed_range:
            choices.append(MeasureChoice(pending[index].record, months, "依情节选择"))
    ev = evaluate(DOCTOR, records, as_of, profile(name), choices)
    if ev.sanctions:
        assert not [m for m in ev.measures if m.incentive]
        assert not [li for li in ev.lists if li.list in INCENTIVE_LISTS]
    black = [li for li in ev.lists if li.list == "black" and li.since <= as_of]
    assert bool(black) == any(s.kind == "list_black" for s in ev.sanctions)
    terminated = [m for m in ev.measures if m.kind == "terminate_payment_qualification"
                  and m.start is not None and m.start > add_months_back(as_of)]
    if ev.grade is not None and (terminated or black):
        assert ev.grade not in ("优秀", "良好")
    assert ev.points.total == sum(e.points or 0 for e in ev.points.entries)
    assert ev.valid_until is not None and ev.valid_until > as_of


def add_months_back(day: date) -> date:
    from models.policy import add_months

    return add_months(day, -12)
