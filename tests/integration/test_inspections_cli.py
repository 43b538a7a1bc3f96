"""`credit-desk inspection …`: a draw from the command line, reproducible by its seed, readable back,
exported to Excel with ID numbers as text; refusals as one Chinese line with exit 2 or 1."""
from __future__ import annotations


import pytest
from python_calamine import CalamineWorkbook

from test_casework_cli import make_county, out
from test_cli import run  # noqa: F401  (fixture)


@pytest.fixture
def county(run):  # noqa: F811
    make_county(run)
    assert run("users", "add", "leader", "--roles", "签发人")[0] == 0
    for name, number in (("张建国", "37092120190001"), ("李明", "37092120190002"), ("王芳", "37092120190003")):
        assert run("inspection", "inspector", "add", name, "--cert", number, "--unit", "基金监管科")[0] == 0
    assert run("evaluate")[0] == 0
    return run


def draw(run, *extra, user="reviewer"):  # noqa: F811
    return out(run("inspection", "draw", "--ratio", "1", "--type", "practitioner", *extra, "--json", user=user))


def test_same_seed_same_draw_from_the_command_line(county):
    first, again = draw(county, "--seed", "2026"), draw(county, "--seed", "2026")
    assert first["number"] != again["number"] and first["seed"] == again["seed"] == "2026"
    assert [(i["uuid"], i["certificates"]) for i in first["items"]] == [(i["uuid"], i["certificates"]) for i in again["items"]]
    assert first["population"] == 3 and first["items"]
    assert all(len(i["certificates"]) == 2 for i in first["items"])


def test_show_reads_a_stored_draw_back_and_verify_re_derives_it(county, tmp_path):
    made = draw(county, "--title", "2026年第三季度医保医师抽查")
    shown = out(county("inspection", "show", made["number"], "--json", "--xlsx", str(tmp_path / "draw.xlsx")))
    assert shown == made and shown["title"] == "2026年第三季度医保医师抽查"
    code, text, _ = county("inspection", "verify", made["number"], user=None)
    assert code == 0 and "一致" in text and made["seed"] in text
    sheet = CalamineWorkbook.from_path(str(tmp_path / "draw.xlsx")).get_sheet_by_index(0).to_python()
    assert made["seed"] in sheet[0][0] and sheet[1][0] == "序号"
    assert [row[2] for row in sheet[2:]] == [i["id"] for i in made["items"]]  # 18 digits kept as text
    listed = out(county("inspection", "list", "--json", user=None))
    assert [d["number"] for d in listed] == [made["number"]]


def test_refusals_are_one_line_with_the_field_and_the_exit_code(county):
    code, _, err = county("inspection", "draw", "--ratio", "abc", "--type", "practitioner", user="reviewer")
    assert code == 2 and err.count("\n") == 1 and "基础抽查比例" in err
    code, _, err = county("inspection", "draw", "--ratio", "0.1", "--type", "医生", user="reviewer")
    assert code == 2 and "抽查对象" in err
    code, _, err = county("inspection", "draw", "--ratio", "0.1", "--type", "practitioner", user="clerk")
    assert code == 1 and "审核员、签发人" in err
    code, _, err = county("inspection", "show", "2020-999", user="clerk")
    assert code == 1 and "2020-999" in err
    assert out(county("inspection", "list", "--json", user=None)) == []


def test_the_roster_is_kept_by_the_signer_or_admin_and_off_keeps_the_person(county):
    code, _, err = county("inspection", "inspector", "add", "赵六", "--cert", "37092120190004", user="clerk")
    assert code == 1 and "维护执法检查人员名录" in err
    code, text, _ = county("inspection", "inspector", "off", "37092120190003", "--reason", "调离", user="leader")
    assert code == 0 and "停止选派" in text
    roster = out(county("inspection", "inspector", "list", "--json"))
    assert [(r["name"], r["active"]) for r in roster][-1] == ("王芳", False) and len(roster) == 3
    for item in draw(county, "--seed", "5")["items"]:
        assert "37092120190003" not in item["certificates"]
    code, _, err = county("inspection", "inspector", "off", "37092120190003", user="leader")
    assert code == 2 and "原因" in err
