"""The command line as scripts use it: documented JSON fields, one-line Chinese errors, nothing half-written."""
import io
import json
import sqlite3

import pytest
from stdnum.cn import ric, uscc

from desktop.cli import gui_database, main

PASSWORD = "abc12345"
HOSPITAL = "12370921MB0000001" + uscc.calc_check_digit("12370921MB0000001")
DOCTOR = "37092119800101001" + ric.calc_check_digit("370921198001010010")


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("CREDIT_DESK_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("CREDIT_DESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("CREDIT_DESK_NEW_PASSWORD", PASSWORD)

    def invoke(*args, stdin=None, user="admin"):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        prefix = ["--db", str(path)] + (["--user", user] if user else [])
        code = main([*prefix, *args])
        out, err = capsys.readouterr()
        return code, out, err

    invoke.path = path
    return invoke


@pytest.fixture
def county(run):
    code, out, err = run("init", "--county-code", "370921", "--county-name", "宁阳县", "--profile", "shandong", user=None)
    assert code == 0, err
    return run


def count(path, table):
    return sqlite3.connect(path).execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize(("argv", "database"), [
    ([], (None,)), (["gui"], (None,)), (["--db", "县局.sqlite3"], ("县局.sqlite3",)),
    (["--db", "县局.sqlite3", "gui"], ("县局.sqlite3",)), (["--db=县局.sqlite3", "gui"], ("县局.sqlite3",)),
    (["--help"], None), (["gui", "--help"], None), (["--version"], None), (["--db"], None), (["--db", "--version"], None),
    (["--user", "admin", "gui"], None), (["--db", "x.sqlite3", "show", "370921"], None), (["gui", "extra"], None),
])
def test_a_shortcut_starting_the_window_skips_the_command_parser_and_nothing_else_does(argv, database):
    """Start-up (issue 13): ``credit-desk [--db PATH] [gui]`` opens the window at once; every other command
    line, help and mistakes included, is read by the full parser and answered by it."""
    assert gui_database(argv) == database


def test_init_with_a_bad_county_code_writes_nothing(run):
    code, _, err = run("init", "--county-code", "3709", "--county-name", "宁阳县", user=None)
    assert code == 2
    assert err.strip().count("\n") == 0 and "行政区划代码" in err
    assert count(run.path, "county") == 0 and count(run.path, "users") == 0


def test_unknown_profile_is_refused_with_the_choices(run):
    code, _, err = run("init", "--county-code", "370921", "--county-name", "宁阳县", "--profile", "beijing", user=None)
    assert code == 2 and "政策配置" in err and "shandong" in err and "panan" in err


def test_subject_and_record_from_json_then_show(county, tmp_path):
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps({"type": "institution", "name": "宁阳县第一人民医院", "credit_code": HOSPITAL}), "utf-8")
    assert county("subject", "add", "--json", str(inst))[0] == 0
    doctor = {"type": "practitioner", "name": "张三", "id_number": DOCTOR, "institutions": [HOSPITAL]}
    assert county("subject", "add", stdin=json.dumps(doctor))[0] == 0
    assert county("users", "add", "clerk", "--roles", "录入员")[0] == 0
    record = {"subject": DOCTOR, "kind": "bad_other", "decision_date": "2026-02-03", "amount": "1200.50",
              "case_no": "宁医保协〔2026〕5号", "source": "smart_audit", "note": "超量开药"}
    code, out, err = county("record", "add", stdin=json.dumps(record), user="clerk")
    assert code == 0, err
    code, out, _ = county("show", DOCTOR, "--json")
    file = json.loads(out)
    assert file["subject"]["name"] == "张三" and file["subject"]["id_number"] == DOCTOR
    [rec] = file["records"]
    assert (rec["amount"], rec["decision_date"], rec["note"]) == ("1200.50", "2026-02-03", "超量开药")
    assert file["registrations"][0]["institution"]["credit_code"] == HOSPITAL


def test_bad_record_exits_non_zero_with_one_line_and_writes_nothing(county):
    county("users", "add", "clerk", "--roles", "录入员")
    before = count(county.path, "credit_records"), count(county.path, "audit_log")
    code, _, err = county("record", "add", stdin=json.dumps({"subject": DOCTOR, "kind": "nope"}), user="clerk")
    assert code != 0 and len(err.strip().splitlines()) == 1 and "信息类别" in err
    code, _, err = county("record", "add", stdin="{not json", user="clerk")
    assert code == 2 and "JSON" in err
    assert (count(county.path, "credit_records"), count(county.path, "audit_log")) == before


def test_a_list_of_subjects_is_all_or_nothing(county):
    items = [{"type": "institution", "name": "甲医院", "credit_code": HOSPITAL},
             {"type": "institution", "name": "乙医院", "credit_code": HOSPITAL[:-1] + "0"}]
    code, _, err = county("subject", "add", stdin=json.dumps(items))
    assert code == 2 and "第2条" in err
    assert count(county.path, "subjects") == 0


def test_wrong_password_is_refused(county, monkeypatch):
    monkeypatch.setenv("CREDIT_DESK_PASSWORD", "wrong-pass1")
    code, _, err = county("users", "list")
    assert code == 1 and "用户名或密码错误" in err


def test_clerk_cannot_add_users_from_the_command_line(county):
    county("users", "add", "clerk", "--roles", "录入员")
    code, _, err = county("users", "add", "boss", "--roles", "管理员", user="clerk")
    assert code == 1 and "无权" in err


def test_backup_writes_a_readable_copy(county, tmp_path):
    dest = tmp_path / "copy.sqlite3"
    assert county("backup", "--to", str(dest))[0] == 0
    assert sqlite3.connect(dest).execute("SELECT name FROM county").fetchone() == ("宁阳县",)
    [(actor, after)] = sqlite3.connect(county.path).execute(
        "SELECT actor, after FROM audit_log WHERE action = 'backup.make'").fetchall()
    assert actor == "admin" and str(dest) in after


def test_unknown_command_is_explained_in_chinese(run):
    with pytest.raises(SystemExit) as exc:
        run("bogus")
    assert exc.value.code == 2


def test_catalog_json_lists_every_kind_with_its_basis(county):
    code, out, _ = county("catalog", "--json", user=None)
    kinds = {k["code"]: k for k in json.loads(out)}
    assert code == 0
    for k in kinds.values():
        assert set(k) >= {"code", "name", "subject_type", "good", "band", "score_effect", "needs_amount", "basis"}
        assert k["basis"]
    assert kinds["pq_agreement_minor"]["band"] == [1, 3]
    assert kinds["insured_illegal_use"]["needs_amount"] is True


def test_workdays_across_the_2026_national_day_holiday(county):
    """15 working days from 2026-09-25: 国庆 10月1日—7日放假，10月10日（周六）调休上班."""
    code, out, _ = county("workdays", "add", "--from", "2026-09-25", "--days", "15", "--json", user=None)
    assert json.loads(out) == {"from": "2026-09-25", "days": 15, "deadline": "2026-10-22", "provisional": False,
                               "missing_years": []}


def test_a_loaded_2027_schedule_makes_deadlines_final(county, tmp_path):
    code, out, _ = county("workdays", "add", "--from", "2026-12-28", "--days", "5", "--json", user=None)
    assert json.loads(out)["provisional"] is True
    schedule = tmp_path / "2027.csv"
    # Saved by Notepad as “ANSI”, that is GBK on a Chinese Windows: read as it was written.
    schedule.write_text("类型,开始日期,结束日期,说明\n放假,2027-01-01,2027-01-03,元旦\n", "gbk")
    assert county("workdays", "load", str(schedule), "--source", "国办发明电〔2026〕X号")[0] == 0
    code, out, _ = county("workdays", "add", "--from", "2026-12-28", "--days", "5", "--json", user=None)
    assert json.loads(out) == {"from": "2026-12-28", "days": 5, "deadline": "2027-01-05", "provisional": False,
                               "missing_years": []}


def test_bad_schedule_file_names_the_line(county, tmp_path):
    schedule = tmp_path / "bad.csv"
    schedule.write_text("放假,2027-13-01,,\n", "utf-8")
    code, _, err = county("workdays", "load", str(schedule))
    assert code == 2 and "第1行" in err


def test_show_and_explain_print_the_evaluation_contract(county):
    county("subject", "add", stdin=json.dumps({"type": "institution", "name": "甲医院", "credit_code": HOSPITAL}))
    county("subject", "add", stdin=json.dumps({"type": "practitioner", "name": "张三", "id_number": DOCTOR,
                                               "institutions": [HOSPITAL]}))
    county("users", "add", "clerk", "--roles", "录入员")
    county("users", "add", "reviewer", "--roles", "审核员")
    code, out, err = county("finding", "add", user="clerk", stdin=json.dumps({
        "institution": HOSPITAL, "case_no": "宁医保罚〔2026〕2号", "decision_type": "行政处罚",
        "decision_date": "2026-03-02", "article": "《医疗保障基金使用监督管理条例》第四十条"}))
    finding = json.loads(out)["uuid"]
    county("finding", "person", finding, "--person", DOCTOR, "--responsibility", "主要", "--kind", "pq_fraud",
           user="clerk")
    assert county("finding", "confirm", finding, user="reviewer")[0] == 0
    for args in (("show", DOCTOR, "--json"), ("explain", DOCTOR, "--as-of", "2026-03-31", "--json")):
        code, out, err = county(*args)
        assert code == 0, err
        data = json.loads(out)
        assert {"subject", "as_of", "points", "score", "grade", "inspection_ratio", "measures", "lists",
                "explanations", "rule_status"} <= set(data)
        assert data["points"]["total"] == 12
        assert any(m["kind"] == "terminate_payment_qualification" for m in data["measures"]), data["measures"]


def test_profile_change_is_for_the_admin_and_needs_a_reason(county):
    county("users", "add", "clerk", "--roles", "录入员")
    assert county("profile", "set", "panan", "--reason", "调整", user="clerk")[0] == 1
    code, out, _ = county("profile", "set", "panan", "--reason", "本县改用磐安规则试点")
    assert code == 0
    assert "panan" in county("profile", "show", user=None)[1]


def test_profile_change_is_refused_when_recorded_kinds_would_have_no_rule(county):
    county("subject", "add", stdin=json.dumps({"type": "insured", "name": "王五", "id_number": DOCTOR,
                                               "insurance_type": "居民"}))
    county("users", "add", "clerk", "--roles", "录入员")
    county("record", "add", user="clerk", stdin=json.dumps({
        "subject": DOCTOR, "kind": "insured_illegal_use", "decision_date": "2026-03-02", "amount": "500.00",
        "case_no": "宁医保罚〔2026〕3号"}))
    code, _, err = county("profile", "set", "panan", "--reason", "试点")
    assert code == 1 and "insured_illegal_use" in err


def test_attachments_are_stored_by_hash_with_the_record(county, tmp_path):
    county("subject", "add", stdin=json.dumps({"type": "institution", "name": "甲医院", "credit_code": HOSPITAL}))
    county("users", "add", "clerk", "--roles", "录入员")
    (tmp_path / "决定书.pdf").write_bytes(b"%PDF-1.4 scan")
    spec = tmp_path / "rec.json"
    spec.write_text(json.dumps({"subject": HOSPITAL, "kind": "inst_admin_penalty", "decision_date": "2026-01-09",
                                "case_no": "宁医保罚〔2026〕4号", "attachments": ["决定书.pdf"]}), "utf-8")
    code, _, err = county("record", "add", "--json", str(spec), user="clerk")
    assert code == 0, err
    [rec] = json.loads(county("show", HOSPITAL, "--json")[1])["records"]
    import hashlib
    assert rec["attachments"] == [{"sha256": hashlib.sha256(b"%PDF-1.4 scan").hexdigest(), "filename": "决定书.pdf"}]


def test_the_bureau_replaces_the_sample_indicator_tree(county, tmp_path):
    """磐医保〔2021〕43号 第十三条: 评价指标另行制定 — the sample is replaced by the bureau's own tree."""
    code, out, _ = county("indicators", "export", user=None)
    tree = json.loads(out)
    assert tree["sample"] is True and "示例" in tree["note"]
    tree.update(sample=False, id="ningyang-2026", note="宁阳县医保医师信用评价指标（2026年版）")
    leaf = tree["indicators"][0]["children"][0]["children"][0]
    leaf["effects"]["pq_agreement_minor"] = -50
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), "utf-8")
    assert county("indicators", "load", str(path), "--reason", "局务会审定")[0] == 0
    kinds = {k["code"]: k for k in json.loads(county("catalog", "--json", user=None)[1])}
    assert kinds["pq_agreement_minor"]["score_effect"] == "-50"
    assert json.loads(county("indicators", "export", user=None)[1])["id"] == "ningyang-2026"


def test_an_indicator_tree_whose_weights_do_not_add_up_is_refused(county, tmp_path):
    tree = json.loads(county("indicators", "export", user=None)[1])
    tree["indicators"][0]["weight"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), "utf-8")
    code, _, err = county("indicators", "load", str(path), "--reason", "试")
    assert code == 2 and "指标体系文件" in err


def test_demo_on_an_empty_database_initialises_the_county_and_prints_its_counts(run):
    code, out, err = run("demo", "--scale", "small", "--seed", "3", user=None)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["scale"] == "small" and summary["insured"] > 0 and summary["credit_records"] > 0
    assert count(run.path, "county") == 1
    code, _, err = run("demo", "--scale", "small")
    assert code == 1 and "空数据库" in err


def test_points_do_not_enter_a_file_by_record_add_but_by_a_confirmed_finding(county):
    """济医保发〔2025〕6号 四（五）（六）: points follow a confirmed responsibility finding and are notified to every
    institution; a record of a points kind typed in directly is refused and points to the finding path."""
    county("subject", "add", stdin=json.dumps({"type": "institution", "name": "甲医院", "credit_code": HOSPITAL}))
    county("subject", "add", stdin=json.dumps({"type": "practitioner", "name": "张三", "id_number": DOCTOR,
                                               "institutions": [HOSPITAL]}))
    county("users", "add", "clerk", "--roles", "录入员")
    code, _, err = county("record", "add", user="clerk", stdin=json.dumps({
        "subject": DOCTOR, "kind": "pq_fraud", "decision_date": "2026-03-02", "responsibility": "主要",
        "case_no": "宁医保罚〔2026〕2号", "decision_type": "行政处罚"}))
    assert code == 2 and "信息类别" in err and "违规认定" in err
    code, out, _ = county("show", DOCTOR, "--json")
    assert json.loads(out)["records"] == []


def test_enormous_input_files_are_refused_by_size_naming_the_field(run, tmp_path):  # noqa: F811
    assert run("init", "--county-code", "370921", "--county-name", "宁阳县", user=None)[0] == 0
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as f:
        f.truncate(5 * 2**30)
    code, _, err = run("notice", "verify", str(huge), user=None)
    assert code == 2 and "文件：文件 huge.pdf 有 5120 MB，超过 100 MB 的上限" in err and "Traceback" not in err
    code, _, err = run("sync", "import", str(huge))
    assert code == 2 and "超过 2048 MB 的上限" in err
    code, _, err = run("subject", "add", "--json", str(huge))
    assert code == 2 and "输入文件：文件 huge.pdf 有 5120 MB" in err
