"""Whole cases through the command line on a temporary database: finding → points → measure →
registration status at every institution → expiry; objections; credit repair; four-eyes; audit."""
import json
import sqlite3
from datetime import date, timedelta

import pytest
from stdnum.cn import ric, uscc

from models.policy import add_months
from test_cli import PASSWORD, run  # noqa: F401  (fixture)


def inst(n: int) -> str:
    first = f"12370921MB{n:07d}"
    return first + uscc.calc_check_digit(first)


def pid(n: int) -> str:
    first = f"37092119800101{n:03d}"
    return first + ric.calc_check_digit(first + "0")


def out(result):
    code, stdout, err = result
    assert code == 0, err
    return json.loads(stdout) if stdout.strip().startswith(("{", "[")) else stdout


def make_county(run, profile="shandong"):  # noqa: F811
    assert run("init", "--county-code", "370921", "--county-name", "宁阳县", "--profile", profile, user=None)[0] == 0
    for name, roles in (("clerk", "录入员"), ("reviewer", "审核员"), ("both", "录入员,审核员")):
        assert run("users", "add", name, "--roles", roles)[0] == 0
    for n, name in ((1, "宁阳县第一人民医院"), (2, "宁阳县中医院")):
        run("subject", "add", stdin=json.dumps({"type": "institution", "name": name, "credit_code": inst(n)}))
    people = [("张医生", [inst(1), inst(2)]), ("李医生", [inst(1)]), ("王药师", [inst(1)])]
    for n, (name, where) in enumerate(people, 1):
        out(run("subject", "add", stdin=json.dumps({"type": "practitioner", "name": name, "id_number": pid(n),
                                                     "institutions": where, "registered_on": "2025-01-02"})))
    return run


@pytest.fixture
def shandong(run):  # noqa: F811
    return make_county(run)


@pytest.fixture
def panan(run):  # noqa: F811
    return make_county(run, "panan")


def audit(path):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    return [dict(r) for r in con.execute("SELECT * FROM audit_log ORDER BY id")]


def statuses(cli, who):
    return [r["status"] for r in out(cli("show", who, "--json"))["registrations"]]


def enter_finding(cli, decided: date, user="clerk"):
    finding = out(cli("finding", "add", user=user, stdin=json.dumps({
        "institution": inst(1), "case_no": "宁医保罚〔2026〕21号", "decision_type": "行政处罚",
        "decision_date": decided.isoformat(), "amount": "56000.00", "article": "《医疗保障基金使用监督管理条例》第三十八条",
        "source": "日常稽核"})))
    for n, level in ((1, "主要"), (2, "重要"), (3, "一般")):
        out(cli("finding", "person", finding["uuid"], "--person", pid(n), "--responsibility", level,
                "--kind", "pq_admin_penalty", user=user))
    return finding["uuid"]


def test_finding_to_suspension_at_both_institutions_and_back_to_normal(shandong):
    """济医保发〔2025〕6号 四(五)(六)(三): three responsible persons → points by level; 9 points → 暂停
    chosen inside 1–6 months; 状态联动 at every institution; expiry by tick restores 正常."""
    cli = shandong
    decided = date.today() - timedelta(days=10)
    finding = enter_finding(cli, decided)
    # Nothing counts before the reviewer confirms.
    assert out(cli("show", pid(1), "--json"))["points"]["total"] == 0
    confirmed = out(cli("finding", "confirm", finding, user="reviewer"))
    assert confirmed["state"] == "已确认"
    totals = {n: out(cli("explain", pid(n), "--json", "--as-of", decided.isoformat()))["points"]["total"]
              for n in (1, 2, 3)}
    assert totals == {1: 9, 2: 8, 3: 7}  # 主要 = top of the 7–9 band, 重要 the middle, 一般 the bottom
    shown = out(cli("finding", "show", finding))
    assert sorted((n["practitioner"], n["institution"]) for n in shown["notifications"]) == sorted([
        ("张医生", "宁阳县第一人民医院"), ("张医生", "宁阳县中医院"), ("李医生", "宁阳县第一人民医院"),
        ("王药师", "宁阳县第一人民医院")])
    record = next(p["record"] for p in shown["persons"] if p["name"] == "张医生")
    file = out(cli("show", pid(1), "--json"))
    assert [m["status"] for m in file["measures"] if m["kind"] == "suspend_payment_qualification"] == ["pending_choice"]
    assert statuses(cli, pid(1)) == ["正常", "正常"]

    code, _, err = cli("measure", "choose", record, "--months", "7", "--reason", "情节严重", user="reviewer")
    assert code == 2 and "幅度" in err
    out(cli("measure", "choose", record, "--months", "3", "--reason", "首次违规，积极整改", user="reviewer"))
    assert statuses(cli, pid(1)) == ["暂停", "暂停"]
    assert statuses(cli, pid(2)) == ["正常"]  # 8 points: no measure
    [measure] = out(cli("measure", "list", pid(1), "--json"))
    end = add_months(decided, 3)
    assert (measure["state"], measure["start"], measure["planned_end"]) == ("生效", decided.isoformat(), end.isoformat())

    out(cli("tick", "--today", end.isoformat()))  # the last day is still inside the period
    assert statuses(cli, pid(1)) == ["暂停", "暂停"]
    out(cli("tick", "--today", (end + timedelta(days=1)).isoformat()))
    assert statuses(cli, pid(1)) == ["正常", "正常"]
    assert out(cli("measure", "list", pid(1), "--json"))[0]["state"] == "期满"
    history = out(cli("show", pid(1), "--json"))["registrations"][0]["history"]
    assert [(h["status"], h["effective_on"]) for h in history] == [
        ("正常", "2025-01-02"), ("暂停", decided.isoformat()), ("正常", (end + timedelta(days=1)).isoformat())]

    trail = audit(cli.path)
    actions = {a["action"] for a in trail}
    assert {"finding.add", "finding.person", "finding.confirm", "record.add", "points.notify", "measure.choose",
            "measure.impose", "registration.status", "measure.end", "casework.tick"} <= actions
    for a in trail:
        assert a["actor"] and a["at"] and a["after"] is not None, a
    for a in (a for a in trail if a["action"] in ("finding.confirm", "registration.status", "measure.end")):
        assert a["before"] is not None, a
    confirm = next(a for a in trail if a["action"] == "finding.confirm")
    assert confirm["actor"] == "reviewer" and json.loads(confirm["before"]) == {"state": "待确认"}


def test_the_same_user_cannot_enter_and_confirm_a_finding(shandong):
    """Four-eyes (DOMAIN §1): the reviewer who confirms is not the person who entered it."""
    finding = enter_finding(shandong, date.today() - timedelta(days=3), user="both")
    code, _, err = shandong("finding", "confirm", finding, user="both")
    assert code == 1 and "双人复核" in err and "both" in err
    assert out(shandong("finding", "show", finding))["state"] == "待确认"
    assert out(shandong("finding", "confirm", finding, user="reviewer"))["state"] == "已确认"


def add_record(cli, who, kind, decided, case):
    data = {"subject": who, "kind": kind, "decision_date": decided, "case_no": case, "decision_type": "协议处理"}
    return out(cli("record", "add", stdin=json.dumps(data), user="clerk"))["uuid"]


def confirmed_points(cli, who, kind, decided, case, resp):
    """Points enter a file through a confirmed finding (济医保发〔2025〕6号 四（五）（六))."""
    finding = out(cli("finding", "add", user="clerk", stdin=json.dumps({
        "institution": inst(1), "case_no": case, "decision_type": "协议处理", "decision_date": decided,
        "article": "服务协议第二十条"})))["uuid"]
    out(cli("finding", "person", finding, "--person", who, "--responsibility", resp, "--kind", kind, user="clerk"))
    [person] = out(cli("finding", "confirm", finding, user="reviewer"))["persons"]
    return person["record"]


def deadline(cli, start, days):
    return out(cli("workdays", "add", "--from", start, "--days", str(days), "--json", user=None))["deadline"]


def test_an_objection_one_working_day_late_is_refused_with_the_deadline(shandong):
    """鲁医保发〔2024〕25号 第十条: within 15 working days of receiving the notice."""
    cli = shandong
    record = confirmed_points(cli, pid(2), "pq_agreement_serious", "2026-02-20", "宁医保协〔2026〕7号", "主要")
    last = deadline(cli, "2026-03-02", 15)
    late = deadline(cli, last, 1)
    code, _, err = cli("objection", "file", "--subject", pid(2), "--record", record, "--delivered", "2026-03-02",
                       "--received", late, "--reason", "不是主要责任者", user="clerk")
    assert code == 1 and last in err and "逾期1个工作日" in err and "第十条" in err
    filed = out(cli("objection", "file", "--subject", pid(2), "--record", record, "--delivered", "2026-03-02",
                    "--received", last, "--reason", "不是主要责任者", user="clerk"))
    assert filed["filing_deadline"] == last and filed["review_deadline"] == deadline(cli, last, 15)
    [item] = out(cli("todo", "--json", "--today", last))
    assert (item["kind"], item["deadline"], item["workdays_left"], item["overdue"]) == (
        "objection", filed["review_deadline"], 15, False)
    after = (date.fromisoformat(filed["review_deadline"]) + timedelta(days=1)).isoformat()
    assert out(cli("todo", "--json", "--today", after))[0]["overdue"] is True

    code, _, err = cli("objection", "decide", filed["uuid"], "--outcome", "变更", "--answer", "改为一般责任",
                       "--change", '{"responsibility": "一般"}', user="clerk")
    assert code == 1  # a clerk does not decide
    decided = out(cli("objection", "decide", filed["uuid"], "--outcome", "变更", "--answer", "经复核，改为一般责任者",
                      "--change", '{"responsibility": "一般"}', "--on", last, user="reviewer"))
    assert decided["state"] == "已办结" and decided["correction"]
    assert out(cli("explain", pid(2), "--as-of", "2026-03-31", "--json"))["points"]["total"] == 4
    [notice] = out(cli("notices", "--subject", pid(2), "--json"))
    assert notice["type"] == "objection_answer" and notice["state"] == "draft"
    assert notice["payload"]["outcome"] == "变更" and notice["payload"]["in_time"] is True
    file = out(cli("show", pid(2), "--json"))
    assert {r["status"] for r in file["records"]} == {"有效", "已被更正"}  # the original stays in the file


def test_an_objection_under_panan_has_ten_working_days(panan):
    """磐医保〔2021〕43号 第十六条: 10 working days from publication."""
    record = add_record(panan, pid(2), "kickback", "2026-02-20", "磐医保罚〔2026〕1号")
    last = deadline(panan, "2026-03-02", 10)
    code, _, err = panan("objection", "file", "--subject", pid(2), "--record", record, "--delivered", "2026-03-02",
                         "--received", deadline(panan, last, 1), "--reason", "事实不清", user="clerk")
    assert code == 1 and last in err and "第十六条" in err


def grade(cli, who, day):
    return out(cli("explain", who, "--as-of", day, "--json"))["grade"]


def test_repair_asked_five_months_after_the_finding_is_refused_with_the_reason(panan):
    """磐医保〔2021〕43号 第二十四条（一）: not before six months; refusal → 附件4 draft."""
    cli = panan
    record = add_record(cli, pid(3), "kickback", "2026-03-02", "磐医保罚〔2026〕2号")
    app = out(cli("repair", "apply", record, "--applied", "2026-08-03", "--materials", "整改报告",
                  "--commitment", "今后严格遵守", user="clerk"))
    assert app["eligible"] is False
    assert "未满6个月" in app["reasons"][0] and "2026-09-03" in app["reasons"][0]
    code, _, err = cli("repair", "decide", app["uuid"], "--grant", "--reason", "整改到位", user="reviewer")
    assert code == 1 and "未满6个月" in err
    refused = out(cli("repair", "decide", app["uuid"], "--refuse", "--reason", "申请时未满6个月", user="reviewer"))
    assert refused["state"] == "不予修复"
    [notice] = out(cli("notices", "--json"))
    assert notice["type"] == "repair_refused" and "未满6个月" in notice["payload"]["reasons"][0]
    assert notice["payload"]["objection_deadline"]  # 5 working days to object (附件4)


def test_a_granted_repair_after_public_notice_changes_the_grade(panan):
    """磐医保〔2021〕43号 第二十四条: decision in 10 working days (extendable), 5 working days public notice,
    then repaired: the record stays in the file but stops counting."""
    cli = panan
    record = add_record(cli, pid(3), "kickback", "2026-03-02", "磐医保罚〔2026〕3号")
    app = out(cli("repair", "apply", record, "--applied", "2026-09-10", "--materials", "整改报告",
                  "--commitment", "今后严格遵守", user="clerk"))
    assert app["eligible"] is True and app["decision_deadline"] == deadline(cli, "2026-09-10", 10)
    extended = out(cli("repair", "extend", app["uuid"], "--reason", "需向多家机构核实", user="reviewer"))
    assert extended["extended_to"] == deadline(cli, "2026-09-10", 40)  # 10 + at most 30 (docs 差异4)
    assert cli("repair", "extend", app["uuid"], "--reason", "再次", user="reviewer")[0] == 1
    code, _, err = cli("repair", "decide", app["uuid"], "--grant", "--reason", "x", user="clerk")
    assert code == 1
    granted = out(cli("repair", "decide", app["uuid"], "--grant", "--reason", "整改到位", "--on", "2026-09-14",
                      user="reviewer"))
    notice_end = deadline(cli, "2026-09-14", 5)
    assert (granted["state"], granted["notice_end"]) == ("公示中", notice_end)
    before = grade(cli, pid(3), "2026-10-31")
    out(cli("tick", "--today", notice_end))
    assert grade(cli, pid(3), "2026-10-31") == before == "良好"
    day_after = (date.fromisoformat(notice_end) + timedelta(days=1)).isoformat()
    out(cli("tick", "--today", day_after))
    assert grade(cli, pid(3), "2026-10-31") == "优秀"
    assert grade(cli, pid(3), notice_end) == "良好"  # as of a date before the repair nothing changed
    assert [r["kind"] for r in out(cli("show", pid(3), "--json"))["records"]] == ["kickback"]
    assert [n["type"] for n in out(cli("notices", "--json"))] == ["repair_confirmed"]


def test_a_verified_fraud_report_raises_the_score(shandong):
    """磐医保〔2021〕43号 第十条（二） 举报经查实 counts as good information (sample indicator B2b)."""
    before = out(shandong("explain", pid(1), "--as-of", "2026-06-30", "--json"))["score"]
    out(shandong("good", "add", pid(1), "--kind", "举报经查实", "--date", "2026-05-06", "--note", "举报某药店串换药品",
                 user="clerk"))
    after = out(shandong("explain", pid(1), "--as-of", "2026-06-30", "--json"))["score"]
    assert (before, after) == ("900.00", "915.00")
    code, _, err = shandong("good", "add", pid(1), "--kind", "kickback", "--date", "2026-05-06", user="clerk")
    assert code == 2 and "守信" in err


def test_an_objection_after_the_shandong_pack_expired_says_no_period_was_checked(shandong):
    """鲁医保发〔2024〕25号 第十五条: valid to 2026-08-09; no silent fallback to another pack's period."""
    record = add_record(shandong, pid(2), "kickback", "2026-08-20", "宁医保罚〔2026〕30号")
    filed = out(shandong("objection", "file", "--subject", pid(2), "--record", record, "--delivered", "2026-09-01",
                         "--received", "2026-11-02", "--reason", "事实不清", user="clerk"))
    assert filed["filing_deadline"] is None and "须加载后续政策包" in filed["basis"]
