"""`credit-desk rating …`, `inspection outcome …` and `indicators versions|export --kind`: the yearly rating
(磐医保〔2021〕43号 第十四、二十一条) from the command line with four eyes, outcomes of a draw of institutions,
the institution trees."""
from __future__ import annotations

import json
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from test_casework_cli import make_county, out
from test_cli import run  # noqa: F401  (fixture)
from test_credit_file import inst_code

TODAY = date.today().isoformat()


@pytest.fixture
def county(run):  # noqa: F811
    make_county(run)
    assert run("users", "add", "leader", "--roles", "签发人")[0] == 0
    out(run("subject", "add", stdin=json.dumps({"type": "institution", "name": "宁阳县人民医院", "credit_code": inst_code(7),
                                                "institution_kind": "hospital"})))
    return run


def test_the_trees_of_each_kind_of_subject_are_listed_with_their_versions(county):
    versions = out(county("indicators", "versions", "--json", user=None))
    assert {(v["kind"], v["id"], v["version"], v["sample"]) for v in versions} == {
        ("practitioner", "sample", "1", True), ("medical", "sample-medical", "1", True),
        ("pharmacy", "sample-pharmacy", "1", True)}
    pharmacy = out(county("indicators", "export", "--kind", "pharmacy", user=None))
    assert pharmacy["id"] == "sample-pharmacy" and pharmacy["institution_kinds"] == ["pharmacy"]


def _rating(cli):
    return out(cli("rating", "list", "--json", user=None))[0]


def test_a_yearly_rating_is_drafted_reviewed_signed_and_published_by_three_people(county, tmp_path):
    code, _, err = county("rating", "draft", "--year", TODAY[:4], "--as-of", TODAY, user="both")
    assert code == 0, err
    mine = _rating(county)
    code, _, err = county("rating", "review", mine["uuid"], user="both")
    assert code == 1 and "须由另一人复核" in err and err.count("\n") == 1
    assert county("rating", "draft", "--year", TODAY[:4], "--as-of", TODAY, user="clerk")[0] == 0
    rating = _rating(county)
    code, _, err = county("rating", "signoff", rating["uuid"], user="leader")
    assert code == 1 and "应为“已复核”" in err
    assert county("rating", "review", rating["uuid"], user="reviewer")[0] == 0
    assert county("rating", "signoff", rating["uuid"], user="leader")[0] == 0
    code, text, err = county("rating", "publish", rating["uuid"], "--to", f"{int(TODAY[:4]) + 1}-12-31", user="leader")
    assert code == 0 and "已发布" in text and f"{int(TODAY[:4]) + 1}-12-31" in text, err
    shown = out(county("rating", "show", rating["uuid"], "--json", "--xlsx", str(tmp_path / "r.xlsx"), user=None))
    assert shown["state"] == "已发布" and shown["drafted_by"] == "clerk" and shown["reviewed_by"] == "reviewer"
    assert len(shown["lines"]) == 3 and all(x["信用等级"] != "无等级" for x in shown["lines"])
    sheet = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_index(0).to_python()
    assert "信用评价结果" in sheet[0][0] and sheet[1][1] == "统一社会信用代码/身份证号"
    assert inst_code(7) in [row[1] for row in sheet[2:]]  # the code kept as text


def test_an_inspection_outcome_from_the_command_line_reaches_the_institutions_file(county, tmp_path):
    for name, number in (("张建国", "37092120190001"), ("李明", "37092120190002")):
        assert county("inspection", "inspector", "add", name, "--cert", number)[0] == 0
    rules = out(county("inspection", "risk", "export", user=None))
    assert rules["sample"] and "示例" in rules["note"]
    rules.update(id="宁阳县", sample=False, otherwise={"level": "一般", "factor": "10"})  # a special check of all
    (tmp_path / "risk.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    assert county("inspection", "risk", "set", str(tmp_path / "risk.json"), "--reason", "专项检查")[0] == 0
    drawn = out(county("inspection", "draw", "--ratio", "1", "--type", "institution", "--seed", "1", "--json",
                       user="reviewer"))
    assert drawn["selected"] == drawn["population"] == 3
    (item,) = [i for i in drawn["items"] if i["name"] == "宁阳县人民医院"]
    code, text, err = county("inspection", "outcome", drawn["number"], str(item["position"]), "--result", "违规",
                             "--on", TODAY, "--amount", "8000.00", "--note", "串换药品", user="clerk")
    assert code == 0 and "已记入信用档案" in text, err
    listed = out(county("inspection", "outcomes", drawn["number"], "--json", user=None))
    assert [o["outcome"] for o in listed if o["position"] == item["position"]] == ["违规"]
    explained = out(county("explain", inst_code(7), "--json", user="reviewer"))
    line = next(x for x in explained["indicators"]["lines"] if x["code"] == "A1a")
    assert line["score"] == "50" and any(f"抽查{drawn['number']}" in i for i in line["items"])
    code, _, err = county("inspection", "outcome", drawn["number"], str(item["position"]), "--result", "合格",
                          "--on", TODAY, user="clerk")
    assert code == 1 and "不能重复登记" in err
