"""A notice is a legal act (issue 12 item 1): every document type, rendered on a 成文日期 with the Shandong rules
in force (2026-07-01) and without (today, after 鲁医保发〔2024〕25号 lapsed on 2026-08-09), reads as the bureau's
own words: no code name, login name, UUID, "None" or engine note; every measure notice names the decision's case
number, the article and the remedy period counted from delivery (鲁医保发〔2024〕25号 第十条, 济医保发〔2025〕6号
四（八））. A draft whose facts cannot be completed is refused with the reason, never printed."""
from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest

from models.services.base import ServiceError
from notice_scenario import STAFF, tool

IN_FORCE = date(2026, 7, 1)
MEASURE_NOTICES = ("points_notice", "pq_suspend", "pq_terminate", "settlement_suspend")
REMEDY = re.compile(r"自收到本告知书之日起\d+个工作日内，以书面方式向宁阳县医疗保障局")
MACHINE = [re.compile(p) for p in (
    r"[a-z]{3,}",  # code names (pq_suspend, in_effect), English words, login names
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}",  # UUIDs
    r"None|null|True|False|nan",
    r"须加载|没有有效|未检查|未计算|可配置|政策包",  # the engine's notes to the clerk
)]


def pdf_text(data: bytes) -> str:
    # -nodiag: the seal's rotated characters would otherwise be read into the line under it
    out = subprocess.run([tool("pdftotext"), "-nodiag", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", out.decode("utf-8"))


def machine_text(text: str) -> list[str]:
    found = [m.group(0) for p in MACHINE for m in p.finditer(text)]
    return found + [name for name in STAFF if name in text]


@pytest.fixture(scope="module")
def rendered(issued):
    """doc type → {"today": text of the issued PDF, "in_force": text rendered on 2026-07-01}, with the facts."""
    from models.services import notice_register
    from reports.documents import Stamp, render

    out = {}
    for doc_type, uuid in issued.drafts.items():
        _t, facts = notice_register.facts(issued.db, notice=uuid)
        stamp = Stamp("宁医保信〔2026〕7号", IN_FORCE, "ABCD-EFGH", "370921")
        out[doc_type] = {"facts": facts, "today": pdf_text(issued.files[doc_type].read_bytes()),
                         "in_force": pdf_text(render(doc_type, facts, stamp).pdf)}
    for form in ("objection_form", "repair_form"):
        from reports.issuing import blank_form

        blank = pdf_text(blank_form(issued.db, form=form, subject=issued.subjects["practitioner"]))
        out[form] = {"facts": {}, "today": blank, "in_force": blank}
    return out


def test_every_document_type_is_rendered(rendered):
    assert {"credit_result", "credit_report", "public_list", "points_notice", "pq_suspend", "pq_terminate",
            "settlement_suspend",
            "objection_answer", "repair_refused", "repair_confirmed", "objection_form", "repair_form"} <= set(rendered)


@pytest.mark.parametrize("when", ["today", "in_force"])
def test_no_machine_text_on_any_document(rendered, when):
    for doc_type, r in rendered.items():
        assert machine_text(r[when]) == [], (doc_type, when, machine_text(r[when]))


@pytest.mark.parametrize("doc_type", MEASURE_NOTICES)
@pytest.mark.parametrize("when", ["today", "in_force"])
def test_every_measure_notice_states_case_number_article_and_remedy_period(rendered, doc_type, when):
    r = rendered[doc_type]
    text, facts = r[when], r["facts"]
    assert facts["record"]["case_no"] in text
    basis = (facts.get("measure") or facts)["basis"]
    assert re.sub(r"\s+", "", basis) in text  # the article of the measure (or of the points)
    assert REMEDY.search(text), text[-300:]
    remedy = facts.get("appeal") or facts.get("objection")
    assert f"{remedy['days']}个工作日" in text and re.sub(r"\s+", "", remedy["basis"]) in text


def test_payment_qualification_notice_names_the_decision_and_the_points(rendered):
    """济医保发〔2025〕6号 四（五）（六）: the decision (type, date, case number, violation), its points and the year total."""
    r = rendered["pq_suspend"]
    facts, text = r["facts"], r["today"]
    rec = facts["record"]
    for word in (rec["decision_type"], rec["kind_name"], f"记{facts['points']}分", f"累计记分{facts['year_total']}分"):
        assert word in text


def test_a_period_already_over_on_the_date_of_the_notice_is_stated_as_over(rendered):
    """The suspension 2026-05-08 to 2026-08-08 is announced on 2026-07-01, and said to be over on today's notice."""
    assert "该期限已于2026年8月8日届满" in rendered["pq_suspend"]["today"]
    assert "届满" not in rendered["pq_suspend"]["in_force"]


def test_casework_answers_cite_an_article_not_a_note(rendered):
    """附件2 and 附件5 cite 鲁医保发〔2024〕25号 (第十条, 第十一条) instead of the engine's “no rule” note."""
    assert "本单依据鲁医保发〔2024〕25号第十条作出" in rendered["objection_answer"]["today"]
    assert "依据鲁医保发〔2024〕25号第十一条" in rendered["repair_confirmed"]["today"]
    assert "经办人：李明" in rendered["repair_refused"]["today"]  # the person's name, not the login
    assert "经办人电话：0538-5621234" in rendered["repair_refused"]["today"]


def test_a_credit_result_without_any_rule_fixing_the_objection_period_is_refused_with_the_reason(issued):
    """A subject with no decision on file, evaluated today: no pack in force fixes the objection period
    (鲁医保发〔2024〕25号 lapsed on 2026-08-09), so the draft is refused; nothing reaches paper."""
    from sqlalchemy import text

    from models.services import notices

    with issued.db.session() as s:
        clean = s.execute(text("SELECT uuid FROM subjects WHERE type = 'practitioner' AND id NOT IN "
                               "(SELECT subject_id FROM credit_records) LIMIT 1")).scalar()
    with pytest.raises(ServiceError) as err:
        notices.draft(issued.db, actor=issued.actors["clerk"], type="credit_result", subject=clean)
    assert "异议期限" in str(err.value) and "后续政策包" in str(err.value)
    ok = notices.draft(issued.db, actor=issued.actors["clerk"], type="credit_result", subject=clean, as_of=IN_FORCE)
    assert ok.value.state == "draft"  # evaluated as of a day the rule was in force: complete, accepted
