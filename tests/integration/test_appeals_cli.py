"""`credit-desk appeal`: the whole appeal of 济医保发〔2025〕6号 四（八） from the command line, and the bureau's own
time limits set with `notice settings`."""
from __future__ import annotations

from test_casework_cli import confirmed_points, deadline, inst, make_county, out, pid
from test_cli import run  # noqa: F401  (fixture)


def test_jinan_4_8_an_appeal_filed_referred_concluded_and_revoked_from_the_command_line(run):  # noqa: F811
    cli = make_county(run)
    record = confirmed_points(cli, pid(2), "pq_agreement_serious", "2026-02-20", "宁医保协〔2026〕7号", "主要")
    code, _, err = cli("appeal", "file", "--record", record, "--received", "2026-02-19", "--reason", "不服",
                       user="clerk")
    assert code == 2 and "收到申诉日期" in err
    filed = out(cli("appeal", "file", "--record", record, "--received", "2026-03-02", "--reason", "不是主要责任者",
                    "--by-institution", inst(1), user="clerk"))
    assert filed["deadline"] == deadline(cli, "2026-03-02", 15) and filed["matter"] == "记分管理"
    [listed] = out(cli("appeal", "list", "--open", "--json"))
    assert listed["appellant"] == "所在机构" and listed["deadline_basis"].startswith("本局规定")
    out(cli("appeal", "refer", filed["uuid"], "--to", "市医学会专家组", "--question", "责任程度", "--on", "2026-03-03",
            user="reviewer"))
    code, _, err = cli("appeal", "decide", filed["uuid"], "--outcome", "撤销", "--answer", "撤销", "--basis", "鉴定",
                       user="reviewer")
    assert code == 1 and "鉴定结论" in err
    out(cli("appeal", "conclude", filed["uuid"], "--conclusion", "非主要责任者", "--on", "2026-03-05", user="reviewer"))
    code, _, err = cli("appeal", "decide", filed["uuid"], "--outcome", "撤销", "--answer", "撤销", "--basis", "鉴定",
                       user="clerk")
    assert code == 1  # a clerk does not decide
    done = out(cli("appeal", "decide", filed["uuid"], "--outcome", "撤销", "--answer", "依鉴定结论撤销记分",
                   "--basis", "专家组鉴定意见", "--on", "2026-03-06", user="reviewer"))
    assert done["state"] == "已办结" and done["outcome"] == "撤销"
    assert out(cli("explain", pid(2), "--as-of", "2026-03-31", "--json"))["points"]["total"] == 0
    assert out(cli("show", pid(2), "--json"))["appeals"][0]["effect"].startswith("撤销该记录的全部")
    [notice] = out(cli("notices", "--subject", pid(2), "--json"))  # the written answer, to review, sign and issue
    assert (notice["type_name"], notice["state"], notice["payload"]["outcome"]) == ("申诉处理决定书", "draft", "撤销")


def test_the_bureaus_time_limits_are_set_with_notice_settings_and_shown_as_its_own(run):  # noqa: F811
    cli = make_county(run)
    shown = out(cli("notice", "settings"))
    assert (shown["appeal_handling_days"], shown["choice_days"]) == (15, 10)
    code, _, err = cli("notice", "settings", "--choice-days", "0", "--reason", "试")
    assert code == 2 and "确定处理期限的办理时限" in err
    saved = out(cli("notice", "settings", "--choice-days", "20", "--appeal-handling-days", "30", "--reason", "局务会"))
    assert (saved["appeal_handling_days"], saved["choice_days"]) == (30, 20)
