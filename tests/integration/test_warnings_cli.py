"""`credit-desk warnings` (信用预警, 淮医保发〔2020〕104号 三（五）): after tick, 7 and 8 points of 9 are warned and 9 is
not; a reviewer acknowledges with a note, a clerk is refused; the admin loads the bureau's own rules."""
import json
from datetime import date, timedelta

from test_casework_cli import enter_finding, make_county, out, pid
from test_cli import run  # noqa: F401  (fixture)


def test_warnings_are_listed_after_tick_and_acknowledged_by_a_reviewer(run, tmp_path):  # noqa: F811
    cli = make_county(run)
    finding = enter_finding(cli, date.today() - timedelta(days=3))  # 9, 8 and 7 points (pq_admin_penalty 7—9)
    out(cli("finding", "confirm", finding, user="reviewer"))
    out(cli("tick", user="reviewer"))
    rows = out(cli("warnings", "list", "--json"))
    near = {w["subject"]["name"]: w for w in rows if w["rule"] == "points_near_suspension"}
    assert set(near) == {"李医生", "王药师"}  # 8 and 7 points; 张医生 has 9: suspended, not "approaching"
    assert near["李医生"]["level"] == "关注" and "累计记分8分" in near["李医生"]["text"]
    assert near["李医生"]["source"] == "subject_standing" and near["李医生"]["raised_on"] == date.today().isoformat()
    code, _out, err = cli("warnings", "ack", near["李医生"]["uuid"], "--note", "已提醒", user="clerk")
    assert code == 1 and "确认信用预警" in err
    text = out(cli("warnings", "ack", near["李医生"]["uuid"], "--note", "已约谈提醒", user="reviewer"))
    assert text.startswith("已确认：李医生")
    rows = out(cli("warnings", "list", "--subject", pid(2), "--json"))
    assert [(w["state"], w["acknowledged_by"], w["note"]) for w in rows if w["rule"] == "points_near_suspension"] == [
        ("已确认", "reviewer", "已约谈提醒")]


def test_the_bureau_replaces_the_sample_rules_with_a_reason(run, tmp_path):  # noqa: F811
    cli = make_county(run)
    rules = out(cli("warnings", "rules", "--json"))
    assert rules["sample"] and all(r["basis"] for r in rules["rules"])
    rules["rules"][0]["params"]["points_from"] = 8
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    code, _out, err = cli("warnings", "rules", "--load", str(path))
    assert code == 2 and "--reason" in err
    assert out(cli("warnings", "rules", "--load", str(path), "--reason", "本局2026年预警办法")).startswith("已载入")
    now = out(cli("warnings", "rules", "--json"))
    assert not now["sample"] and now["rules"][0]["params"]["points_from"] == 8
