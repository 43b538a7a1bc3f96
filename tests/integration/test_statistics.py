"""等级分布: counts by grade per subject type, institution, township and year end, and the subjects
behind every count. Grades follow 磐医保〔2021〕43号 第十五条 with the sample indicator tree:
a practitioner without records scores 900 (优秀); 行政处罚 −100 → 800 (良好); 行政处罚 and a
minor agreement handling → 770 (中等); 拒不履行处罚 and 收受回扣 → 650 (差)."""
from __future__ import annotations

from datetime import date

import pytest

from models.queries import statistics as st
from models.services import records, standing, subjects
from points_path import confirmed_points
from test_credit_file import inst_code, person_id

AS_OF = date(2026, 6, 30)
TOWNS = {1: "城关街道", 2: "柳桥镇"}


def add_record(db, clerk, who: str, kind: str, day: str, n: int) -> None:
    case_no = f"宁医保罚〔{day[:4]}〕{n}号"
    if kind.startswith("pq_"):
        confirmed_points(db, clerk, who, kind, day, "一般", case_no, decision_type="行政处罚")
        return
    records.add_record(db, actor=clerk, data={"subject": who, "kind": kind, "decision_date": day, "case_no": case_no,
                                              "decision_type": "行政处罚"})


@pytest.fixture
def county(db, clerk, admin):
    """Two institutions in two townships; five practitioners, one of them at both; two insured persons."""
    for n, town in TOWNS.items():
        subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": f"{town}卫生院",
                                                    "credit_code": inst_code(n), "township": town})
    people = {"good": [1], "fair": [1], "middle": [2], "poor": [2], "both": [1, 2]}
    ids = {}
    for n, (key, at) in enumerate(people.items(), start=1):
        ids[key] = person_id(n)
        subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": f"医师{key}", "id_number": ids[key],
                                                    "institutions": [inst_code(i) for i in at]})
    for n in (20, 21):
        subjects.add_subject(db, actor=clerk, data={"type": "insured", "name": f"参保人{n}", "id_number": person_id(n),
                                                    "insurance_type": "居民", "township": TOWNS[1]})
    add_record(db, clerk, ids["fair"], "pq_admin_penalty", "2026-03-01", 1)
    add_record(db, clerk, ids["middle"], "pq_admin_penalty", "2026-03-02", 2)
    add_record(db, clerk, ids["middle"], "pq_agreement_minor", "2026-03-03", 3)
    add_record(db, clerk, ids["poor"], "refuse_penalty", "2026-04-01", 4)
    add_record(db, clerk, ids["poor"], "kickback", "2026-04-02", 5)
    add_record(db, clerk, ids["poor"], "bad_other", "2026-04-03", 7)
    add_record(db, clerk, ids["poor"], "pq_agreement_minor", "2026-04-04", 8)  # 900 − 100 − 60 − 40 − 30 = 670: 差
    # Inside the window of 2025-12-31, outside that of AS_OF: 良好 at the end of 2025, 优秀 now.
    add_record(db, clerk, ids["both"], "pq_admin_penalty", "2025-03-01", 6)
    standing.evaluate_all(db, actor=admin, as_of=AS_OF)
    return ids


def counts(dist: st.Distribution, row: str) -> dict:
    values = dist.frame.loc[row].to_dict()
    return {k: v for k, v in values.items() if v}


def test_counts_by_type_follow_each_subjects_newest_evaluation(db, clerk, county):
    """The sample trees grade practitioners and institutions (their staff's points weigh in, 淮医保发〔2020〕104号
    三（四））: insured persons have a standing but no grade; a subject entered just now has its standing at once."""
    subjects.add_subject(db, actor=clerk, data={"type": "insured", "name": "新参保人", "id_number": person_id(22),
                                                "insurance_type": "职工"})
    dist = st.distribution(db, dimension="type")
    assert counts(dist, "医保医（药）师") == {"优秀": 2, "良好": 1, "中等": 1, "差": 1}
    assert counts(dist, "参保人") == {st.NO_GRADE: 3}
    assert counts(dist, "定点医药机构") == {"差": 2}  # graded from their own records and their staff
    assert dist.as_of == max(AS_OF, date.today())  # entering a record re-evaluates that subject as of today
    assert dist.with_totals().loc["合计", "合计"] == 10


def test_a_practitioner_registered_at_two_institutions_counts_at_each(db, county):
    """多点执业: one file, registered (登记备案) at every institution where the person works."""
    dist = st.distribution(db, dimension="institution")
    assert counts(dist, "城关街道卫生院") == {"优秀": 2, "良好": 1}
    assert counts(dist, "柳桥镇卫生院") == {"优秀": 1, "中等": 1, "差": 1}
    town = st.distribution(db, dimension="township", subject_type="practitioner")
    assert counts(town, "城关街道") == {"优秀": 2, "良好": 1} and counts(town, "柳桥镇") == {"优秀": 1, "中等": 1, "差": 1}
    insured = st.distribution(db, dimension="township", subject_type="insured")
    assert counts(insured, "城关街道") == {st.NO_GRADE: 2}


def test_year_end_grade_is_the_evaluation_as_of_31_december(db, county):
    """磐医保〔2021〕43号 第十三条: evaluation is dynamic; a year's grade is the result on its last day."""
    dist = st.distribution(db, dimension="year", subject_type="practitioner", today=AS_OF, years=3)
    assert list(dist.frame.index) == ["2024年末", "2025年末", "2026年（截至6月30日）"]
    assert counts(dist, "2024年末") == {"优秀": 5}
    assert counts(dist, "2025年末") == {"优秀": 4, "良好": 1}
    assert counts(dist, "2026年（截至6月30日）") == {"优秀": 2, "良好": 1, "中等": 1, "差": 1}
    (who,) = st.cell_page(db, actor=_reviewer(db), cell=dist.cell(1, "良好"), offset=0, limit=10)
    assert who[0] == "医师both"


def _reviewer(db):
    from models.services.base import Actor

    return Actor("r", "审核员", frozenset({"reviewer"}))


@pytest.mark.parametrize("dimension,subject_type", [("type", ""), ("institution", "practitioner"),
                                                    ("township", "practitioner"), ("township", "insured"),
                                                    ("year", "practitioner"), ("year", "insured")])
def test_every_count_lists_exactly_the_subjects_counted(db, county, dimension, subject_type):
    dist = st.distribution(db, dimension=dimension, subject_type=subject_type or "practitioner", today=AS_OF)
    for row in range(len(dist.keys)):
        for grade in ("",) + st.COLUMNS:
            cell = dist.cell(row, grade)
            expected = int(dist.frame.iloc[row].sum() if not grade else dist.frame.iloc[row][grade])
            listed = st.cell_page(db, actor=_reviewer(db), cell=cell, offset=0, limit=100)
            assert st.cell_count(db, cell=cell) == len(listed) == expected, (cell.title, grade)
            assert all(r[4] == grade for r in listed) or not grade or dimension == "year"


def test_pages_do_not_overlap_and_cover_the_cell(db, county):
    cell = st.distribution(db, dimension="type").cell(0)
    first = st.cell_page(db, actor=_reviewer(db), cell=cell, offset=0, limit=3)
    rest = st.cell_page(db, actor=_reviewer(db), cell=cell, offset=3, limit=3)
    assert len(first) == 3 and len(rest) == 2
    assert {r[-1] for r in first}.isdisjoint(r[-1] for r in rest)
    assert len(list(st.iter_cell_rows(db, actor=_reviewer(db), cell=cell, chunk=2))) == 5


def test_a_clerk_sees_masked_id_numbers_in_the_list(db, clerk, county):
    cell = st.distribution(db, dimension="type").cell(0, "差")
    (row,) = st.cell_page(db, actor=clerk, cell=cell, offset=0, limit=10)
    assert row[1] == st.mask_id(county["poor"]) and "*" in row[1]
    (row,) = st.cell_page(db, actor=_reviewer(db), cell=cell, offset=0, limit=10)
    assert row[1] == county["poor"]
