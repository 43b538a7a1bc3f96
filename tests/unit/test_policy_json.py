"""The evaluation's dict form: the contract the DB side, reports and exchange read."""
import json
from datetime import date

from models.policy import MeasureChoice, evaluate
from policy_fixtures import DOCTOR, INSTITUTION, INSURED, profile, rec


def test_contract_keys_dates_and_two_decimal_amounts():
    records = [rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要")]
    out = evaluate(DOCTOR, records, date(2025, 7, 1), profile(), [MeasureChoice("a", 2, "初次")]).to_json()
    assert set(out) >= {"subject", "as_of", "points", "score", "grade", "inspection_ratio", "measures", "lists",
                        "explanations", "rule_status", "sanctions", "valid_until"}
    assert out["subject"] == {"uuid": "p-1", "type": "practitioner", "name": "王医生",
                              "id_number": "370921198001010012"}
    assert out["as_of"] == "2025-07-01"
    # Sample tree: 900 − 100 (行政处罚) − 100 (暂停医保支付资格 in the window) = 700.
    assert out["score"] == "700.00" and out["grade"] == "较差"
    assert out["inspection_ratio"]["ratio"] == "1.20"
    assert out["valid_until"] == "2025-08-03"  # the day after the suspension's last day
    assert [s["kind"] for s in out["sanctions"]] == ["suspend_payment_qualification"]
    assert out["points"] == {"year": 2025, "total": 9, "entries": [
        {"record": "a", "kind": "pq_admin_penalty", "date": "2025-06-02", "points": 9,
         "basis": "医保发〔2024〕23号、济医保发〔2025〕6号 四（五）、四（六）", "note": None}]}
    suspension = next(m for m in out["measures"] if m["kind"] == "suspend_payment_qualification")
    assert (suspension["start"], suspension["end"]) == ("2025-06-02", "2025-08-02")
    assert out["rule_status"]["status"] == "in_force"
    json.dumps(out, ensure_ascii=False)


def test_institution_is_identified_by_credit_code():
    out = evaluate(INSTITUTION, [rec("x", "inst_admin_penalty", date(2025, 6, 2))], date(2025, 7, 1),
                   profile()).to_json()
    assert out["subject"]["credit_code"] == "91370921MA3C00000X" and "id_number" not in out["subject"]
    assert out["lists"][0]["basis"] == "参照淮医保发〔2020〕104号 三（五）"


def test_every_explanation_is_chinese_and_names_an_article_or_record():
    records = [rec("r", "insured_illegal_use", date(2025, 3, 3), amount="120000.5")]
    out = evaluate(INSURED, records, date(2025, 4, 1), profile()).to_json()
    assert out["explanations"] == [
        "记录 r：基金损失120,000.50元，应暂停医疗费用联网结算6个月以上、不满9个月，待经办人选择期限，"
        "依据鲁医保发〔2024〕25号 第九条（3）。"]
    assert out["measures"][0]["note"] == "基金损失120,000.50元，可选期限：6个月以上、不满9个月"
