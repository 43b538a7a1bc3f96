"""Measures after they start: repair decisions of 济医保发〔2025〕6号 四(七), automatic restoration
(鲁医保发〔2024〕25号 第十二条), revocation after an objection, the work list, the schema."""
import json
import sqlite3
from datetime import date, timedelta

import pytest

from models.policy import add_months
from test_casework_cli import audit, enter_finding, make_county, out, pid, statuses
from test_cli import run  # noqa: F401  (fixture)


@pytest.fixture
def county(run):  # noqa: F811
    make_county(run)
    assert run("users", "add", "signer", "--roles", "签发人")[0] == 0
    return run


def suspended(cli, months=6, days_ago=40):
    """张医生 confirmed with 9 points and a suspension of ``months`` chosen by the reviewer."""
    decided = date.today() - timedelta(days=days_ago)
    finding = enter_finding(cli, decided)
    out(cli("finding", "confirm", finding, user="reviewer"))
    record = next(p["record"] for p in out(cli("finding", "show", finding))["persons"] if p["name"] == "张医生")
    out(cli("measure", "choose", record, "--months", str(months), "--reason", "情节较重", user="reviewer"))
    [measure] = out(cli("measure", "list", pid(1), "--json"))
    return decided, record, measure


def test_shortening_a_suspension_ends_it_early_and_restores_every_registration(county):
    """四(七) 缩减暂停期限: a decision with its reason, by someone other than the person who chose it."""
    decided, record, measure = suspended(county)
    assert statuses(county, pid(1)) == ["暂停", "暂停"]
    code, _, err = county("measure", "shorten", measure["measure"], "--months", "1", "--reason", "积极配合", user="reviewer")
    assert code == 1 and "双人复核" in err
    out(county("measure", "shorten", measure["measure"], "--months", "1", "--reason", "积极配合、全面改正", user="signer"))
    [after] = out(county("measure", "list", pid(1), "--json"))
    assert (after["state"], after["planned_end"]) == ("修复提前结束", add_months(decided, 1).isoformat())
    assert statuses(county, pid(1)) == ["正常", "正常"]
    shown = out(county("explain", pid(1), "--json"))
    [m] = [m for m in shown["measures"] if m["kind"] == "suspend_payment_qualification"]
    assert m["end"] == add_months(decided, 1).isoformat() and m["status"] == "ended"


def test_reducing_points_below_nine_ends_the_suspension(county):
    """四(七) 减免记分: 9 − 1 = 8 points, no longer a suspension; the record and its history stay."""
    decided, record, _ = suspended(county)
    code, _, err = county("repair", "reduce", record, "--points", "10", "--reason", "主动退回", user="signer")
    assert code == 2 and "1至9分" in err
    out(county("repair", "reduce", record, "--points", "1", "--reason", "主动退回违规费用并参与培训", user="signer"))
    result = out(county("explain", pid(1), "--as-of", decided.isoformat(), "--json"))
    assert result["points"]["total"] == 8 and "减免1分" in result["points"]["entries"][0]["note"]
    assert [m["state"] for m in out(county("measure", "list", pid(1), "--json"))] == ["修复提前结束"]
    assert statuses(county, pid(1)) == ["正常", "正常"]


def test_correction_and_commitment_within_the_period_restore_credit_when_it_ends(county):
    """鲁医保发〔2024〕25号 第十二条 (in force 2024-08-10 to 2026-08-09): corrected and committed within
    the period → credit restored automatically when the measure ends, recorded as a repair decision."""
    finding = enter_finding(county, date(2026, 6, 1))
    out(county("finding", "confirm", finding, user="reviewer"))
    record = next(p["record"] for p in out(county("finding", "show", finding))["persons"] if p["name"] == "张医生")
    out(county("measure", "rectify", record, "--on", "2026-06-15", "--commitment", "已退回全部违规费用", user="clerk"))
    out(county("measure", "choose", record, "--months", "1", "--reason", "首次违规", user="reviewer"))
    out(county("tick"))
    assert [m["state"] for m in out(county("measure", "list", pid(1), "--json"))] == ["期满"]
    [auto] = [a for a in audit(county.path) if a["action"] == "repair.auto"]
    assert json.loads(auto["after"])["repaired_on"] == "2026-07-02" and "第十二条" in json.loads(auto["after"])["basis"]
    before = out(county("explain", pid(1), "--as-of", "2026-07-01", "--json"))["score"]
    after = out(county("explain", pid(1), "--as-of", "2026-07-02", "--json"))["score"]
    assert (before, after) == ("700.00", "900.00")  # the repaired record and its suspension no longer count


def test_an_objection_that_lowers_the_points_revokes_the_suspension(county):
    decided, record, _ = suspended(county, months=3, days_ago=5)
    filed = out(county("objection", "file", "--subject", pid(1), "--record", record, "--delivered",
                       decided.isoformat(), "--received", decided.isoformat(), "--reason", "仅为重要责任者",
                       user="clerk"))
    out(county("objection", "decide", filed["uuid"], "--outcome", "变更", "--answer", "改为重要责任者",
               "--change", '{"responsibility": "重要"}', user="reviewer"))
    assert [m["state"] for m in out(county("measure", "list", pid(1), "--json"))] == ["撤销"]
    assert statuses(county, pid(1)) == ["正常", "正常"]


def test_the_work_list_shows_every_open_case_with_its_deadline(county):
    decided = date.today() - timedelta(days=3)
    finding = enter_finding(county, decided)
    items = out(county("todo", "--json"))
    assert [i["kind"] for i in items] == ["finding"] and items[0]["deadline"] is None
    out(county("finding", "confirm", finding, user="reviewer"))
    assert {i["kind"] for i in out(county("todo", "--json"))} == {"measure_choice"}
    record = next(p["record"] for p in out(county("finding", "show", finding))["persons"] if p["name"] == "张医生")
    out(county("measure", "choose", record, "--months", "1", "--reason", "首次", user="reviewer"))
    [ending] = out(county("todo", "--json"))
    assert ending["kind"] == "measure_ending" and ending["deadline"] == add_months(decided, 1).isoformat()
    text = county("todo")[1]
    assert "即将期满" in text and "剩余" in text


def test_casework_rows_cannot_be_deleted(county):
    suspended(county, days_ago=5)
    con = sqlite3.connect(county.path)
    for table in ("measures", "findings", "finding_persons", "points_notifications"):
        with pytest.raises(sqlite3.IntegrityError, match="不可删除"):
            con.execute(f"DELETE FROM {table}")
