"""Packs, profiles and the catalogue the DB side relies on."""
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from models.policy import PolicyError, catalogue, catalogue_all, catalogue_json, load_packs
from models.policy.packs import pack_from_dict
from policy_fixtures import profile

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "pq_agreement_minor": ("practitioner", False, (1, 3)), "pq_agreement_serious": ("practitioner", False, (4, 6)),
    "pq_admin_penalty": ("practitioner", False, (7, 9)), "pq_fraud": ("practitioner", False, (10, 12)),
    "criminal_fraud": ("practitioner", False, None), "refuse_penalty": ("practitioner", False, None),
    "kickback": ("practitioner", False, None), "bad_other": ("practitioner", False, None),
    "insured_illegal_use": ("insured", False, None), "insured_criminal_fraud": ("insured", False, None),
    "inst_agreement_handling": ("institution", False, None), "inst_admin_penalty": ("institution", False, None),
    "commendation": ("practitioner", True, None), "verified_report": ("practitioner", True, None),
    "credit_commitment": ("practitioner", True, None), "good_other": ("practitioner", True, None),
    "outstanding_practitioner": ("practitioner", True, None),
}


def test_shandong_catalogue_has_every_code_the_db_side_uses():
    kinds = {k.code: k for k in catalogue(profile("shandong"))}
    for code, (subject, good, band) in REQUIRED.items():
        assert (kinds[code].subject_type, kinds[code].good, kinds[code].band) == (subject, good, band), code
    assert kinds["insured_illegal_use"].needs_amount
    assert kinds["insured_illegal_use"].basis == "鲁医保发〔2024〕25号 第九条（2）—（4）"
    assert kinds["refuse_penalty"].basis == "参照磐医保〔2021〕43号 第十一条（一）"


def test_every_pack_kind_is_in_the_union_catalogue():
    assert set(REQUIRED) <= {k.code for k in catalogue_all(load_packs())}


def test_panan_catalogue_leaves_out_shandong_only_insured_kinds():
    codes = {k.code for k in catalogue(profile("panan"))}
    assert "insured_illegal_use" not in codes
    assert {"refuse_penalty", "kickback", "bad_other", "commendation", "pq_fraud"} <= codes


def test_bases_from_two_packs_are_joined():
    kinds = {k.code: k for k in catalogue(profile("shandong"))}
    assert kinds["outstanding_practitioner"].basis == (
        "鲁医保发〔2024〕25号 第八条（1）；医保发〔2024〕23号、济医保发〔2025〕6号 四（九）")


def test_catalogue_json_shape_and_sample_score_effects():
    rows = {r["code"]: r for r in catalogue_json(profile("panan"))}
    assert rows["pq_admin_penalty"]["band"] == [7, 9]
    assert rows["pq_admin_penalty"]["score_effect"] == "-100"
    assert rows["inst_admin_penalty"]["score_effect"] is None
    assert "示例" in rows["pq_fraud"]["note"]
    json.dumps(rows, ensure_ascii=False)


def test_15_shandong_pack_validity_dates():
    pack = load_packs()["shandong-2024-25"]
    assert (pack.document_number, pack.effective_from, pack.effective_to) == (
        "鲁医保发〔2024〕25号", date(2024, 8, 10), date(2026, 8, 9))
    assert pack.covers(date(2026, 8, 9)) and not pack.covers(date(2026, 8, 10))


def test_profiles_list_their_packs_in_order():
    assert [p.id for p in profile("shandong").packs] == [
        "shandong-2024-25", "payment-qualification-2024-23", "shandong-2019-opinion", "huaian-2020-104",
        "panan-2021-43"]
    assert [p.id for p in profile("panan").packs] == ["panan-2021-43", "payment-qualification-2024-23",
                                                      "huaian-2020-104"]


def test_a_pack_with_an_end_before_its_start_is_refused_in_chinese():
    raw = {"id": "x", "title": "测试", "jurisdiction": "测试", "effective_from": "2025-01-01",
           "effective_to": "2024-01-01", "version": "1"}
    with pytest.raises(PolicyError, match="有效期截止日早于施行日"):
        pack_from_dict(raw)


def test_a_pack_missing_its_start_date_is_refused():
    with pytest.raises(PolicyError, match="缺少字段 'effective_from'"):
        pack_from_dict({"id": "x", "title": "测试", "jurisdiction": "测试", "version": "1"})


def test_policy_engine_imports_no_database_and_no_qt():
    code = ("import sys, models.policy\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'PySide6')\n"
            "       or m.startswith(('models.db', 'models.services'))]\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
