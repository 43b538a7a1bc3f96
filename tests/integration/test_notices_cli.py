"""`credit-desk notice …` and `credit-desk cert …` as a bureau would run them: a test certificate, a points
notice from draft to issue, delivery, and `notice verify` telling the issued file from a changed one."""
from __future__ import annotations

from datetime import date, timedelta

from test_casework_cli import enter_finding, make_county, out, pid
from test_cli import run  # noqa: F401  (fixture)

CERT_PASSWORD = "试用口令12345"


def test_a_points_notice_from_draft_to_verified_file(run, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("CREDIT_DESK_CERT_PASSWORD", CERT_PASSWORD)
    make_county(run)
    for name, roles in (("signer", "签发人"), ("office", "录入员")):
        assert run("users", "add", name, "--roles", roles)[0] == 0
    code, _, err = run("notice", "issue", "x", user="office")
    assert code == 1 and "尚未安装本局签章证书" in err
    made = out(run("cert", "make-test", "--out", str(tmp_path / "cert")))
    assert "仅供试用" in made and (tmp_path / "cert" / "ca.pem").exists()
    code, _, err = run("cert", "install", str(tmp_path / "cert" / "signer.p12"), "--test", user="clerk")
    assert code == 1 and "管理员" in err
    installed = out(run("cert", "install", str(tmp_path / "cert" / "signer.p12"), "--test"))
    assert "宁阳县医疗保障局" in installed["subject"] and installed["test_only"]

    finding = enter_finding(run, date.today() - timedelta(days=10))
    out(run("finding", "confirm", finding, user="reviewer"))
    record = next(p["record"] for p in out(run("finding", "show", finding))["persons"] if p["name"] == "张医生")
    code, _, err = run("notice", "draft", "points_notice", "--record", record, user="clerk")
    assert code == 1 and "申诉期限" in err and "四（八）未规定" in err  # no period may be invented
    out(run("notice", "settings", "--appeal-days", "15", "--phone", "0538-5621234", "--reason", "局务会议决定"))
    draft = out(run("notice", "draft", "points_notice", "--record", record, user="clerk"))
    assert draft["state"] == "draft" and draft["subject"] == "张医生"
    preview = tmp_path / "draft.pdf"
    assert run("notice", "preview", draft["uuid"], "--out", str(preview), user="clerk")[0] == 0
    assert preview.read_bytes().startswith(b"%PDF")

    code, _, err = run("notice", "review", draft["uuid"], user="both")  # 录入员,审核员 but not the drafter
    assert code == 0, err
    code, _, err = run("notice", "issue", draft["uuid"], user="office")
    assert code == 1 and "已审核" in err  # not signed off yet
    out(run("notice", "sign-off", draft["uuid"], user="signer"))
    issued = out(run("notice", "issue", draft["uuid"], user="office"))
    number = issued[0]["doc_number"]
    assert number == f"宁医保记〔{date.today().year}〕1号"

    code, _, err = run("notice", "deliver", draft["uuid"], "--on", date.today().isoformat(), "--method", "飞鸽传书",
                       user="clerk")
    assert code == 2 and err.startswith("错误：送达方式")
    delivered = out(run("notice", "deliver", draft["uuid"], "--on", date.today().isoformat(), "--method", "直接送达",
                        "--recipient", "张医生", user="clerk"))
    assert delivered["method"] == "直接送达"

    pdf = tmp_path / "issued.pdf"
    assert run("notice", "export", draft["uuid"], "--out", str(pdf), user="clerk")[0] == 0
    code, said, _ = run("notice", "verify", str(pdf), user=None)
    assert code == 0 and said.startswith("真实有效") and number in said
    data = bytearray(pdf.read_bytes())
    at = data.index(b"stream", 2000) + 40
    data[at] ^= 1
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    code, said, _ = run("notice", "verify", str(changed), user=None)
    assert code == 1 and "改动" in said
    shown = out(run("notice", "code", issued[0]["verify_code"].lower(), user=None))
    assert shown["doc_number"] == number and shown["subject"] == "张医生"
    listed = run("notice", "list", "--state", "issued", user="clerk")[1]
    assert number in listed and pid(1) not in listed


def test_blank_forms_and_settings(run, tmp_path):  # noqa: F811
    make_county(run)
    form = tmp_path / "f.pdf"
    assert run("notice", "form", "objection_form", "--subject", pid(1), "--out", str(form), user=None)[0] == 0
    assert form.read_bytes().startswith(b"%PDF")
    code, _, err = run("notice", "settings", "--series", "credit_result", "--reason", "x")
    assert code == 2 and "类型代字" in err
    conf = out(run("notice", "settings", "--prefix", "宁阳医保", "--reason", "局务会决定"))
    assert conf["prefix"] == "宁阳医保"
    assert out(run("notice", "settings"))["prefix"] == "宁阳医保"


def test_an_unforeseen_failure_reads_as_chinese_and_the_log_keeps_no_personal_data(run, monkeypatch, tmp_path,
                                                                                   caplog):  # noqa: F811
    """Issue 12 item 6: no traceback reaches the user; the log names the failure's type and place, never the ID
    number, name or phone that the failing data held."""
    import logging

    import reports.issuing

    make_county(run)
    secret = "身份证370921198001010010 张三 电话13800000000"

    def broken(db, data, **kw):
        raise RuntimeError(secret)

    monkeypatch.setattr(reports.issuing, "verify_pdf", broken)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with caplog.at_level(logging.ERROR, logger="creditdesk.notices"):
        code, said, err = run("notice", "verify", str(pdf), user=None)
    assert code == 1 and "处理时出错" in err and "日志" in err
    assert "Traceback" not in err + said and secret not in err + said
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "_verify" in logged
    for private in ("370921198001010010", "张三", "13800000000"):
        assert private not in logged
