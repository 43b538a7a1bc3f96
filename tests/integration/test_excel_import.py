"""Excel rosters and violation lists as institutions and the audit system really send them."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from test_exchange_support import credit_code, id_number

HOSPITAL = credit_code(1)
ROSTER_HEAD = ["姓名", "身份证号", "人员类别", "执业注册号", "执业机构统一社会信用代码", "登记备案日期", "服务承诺", "承诺日期",
               "联系电话"]


def xlsx(rows: list[list], *, merges: tuple[str, ...] = (), text_columns: tuple[int, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    for r in ws.iter_rows(min_row=1):
        for c in r:
            if c.column - 1 in text_columns and isinstance(c.value, str):
                c.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def hospital(db, admin):
    from models.services import subjects

    subjects.add_subject(db, actor=admin, data={"type": "institution", "name": "宁阳县人民医院", "credit_code": HOSPITAL})
    return HOSPITAL


def run(db, actor, kind, data, **kw):
    from models.services import excel_import

    return excel_import.import_file(db, actor=actor, kind=kind, data=data, filename=f"{kind}.xlsx", **kw).value


def count(db, model) -> int:
    from sqlalchemy import func, select

    from models.services.base import UnitOfWork

    with UnitOfWork(db) as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_real_world_roster_defects_are_named_per_row_and_nothing_is_written_by_default(db, admin, hospital):
    from models.db.tables import Registration, Subject

    good = id_number(1)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in id_number(2))  # ３７０９２１…
    rows = [["宁阳县人民医院执业人员名册（2026年3月）"], ROSTER_HEAD,
            ["张伟 ", good + "  ", "医师", "ZY001", HOSPITAL + " ", "2024/1/2", "个人", "", "13800000001"],
            ["李娜", fullwidth, "护士", "", HOSPITAL, "2024年3月5日", "", "", ""],
            ["王芳", 4.10123456789012e17, "药师", "", HOSPITAL, "", "", "", ""],  # typed as a number in Excel
            ["赵强", id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1"), "医师", "", HOSPITAL, "", "", "", ""],
            ["张伟", good, "医师", "ZY001", HOSPITAL, "2024/1/2", "个人", "", "13800000001"],  # the same row again
            [None] * 9,
            ["孙丽", id_number(4), "牙医", "", HOSPITAL, "", "", "", ""],
            ["周杰", "4.10123E+17", "医师", "", HOSPITAL, "", "", "", ""]]  # text copied from what Excel showed
    before = count(db, Subject)
    outcome = run(db, admin, "roster", xlsx(rows, merges=("A1:I1",)))
    assert (outcome.rows, outcome.valid, outcome.imported) == (7, 2, 0)  # the empty row is not a row
    errors = {(e["row"], e["field"]): e["problem"] for e in outcome.errors}
    assert "4.10123E+17" in errors[(5, "身份证号")]
    assert "校验位不正确" in errors[(6, "身份证号")]
    assert errors[(7, "整行")] == "与第3行重复，只导入一次"
    assert "“牙医”不是可选值" in errors[(9, "人员类别")]
    assert "被 Excel 转成科学计数法的号码" in errors[(10, "身份证号")]
    assert count(db, Subject) == before  # errors and no choice made: nothing at all
    chosen = run(db, admin, "roster", xlsx(rows, merges=("A1:I1",)), valid_only=True)
    assert chosen.imported == 2 and count(db, Subject) == before + 2 and count(db, Registration) == 2


def test_merged_two_row_header_and_template_layout_are_both_understood(db, admin, hospital):
    from models.services import excel_import

    rows = [["医师名册"], ["姓名", "身份证号码", "执业信息", None, "执业机构代码"], [None, None, "执业证书编码", "备案日期", None],
            ["张伟", id_number(1), "ZY9", "2023-05-06", HOSPITAL]]
    out = run(db, admin, "roster", xlsx(rows, merges=("A1:E1", "A2:A3", "B2:B3", "C2:D2", "E2:E3")))
    assert (out.valid, out.imported, out.errors) == (1, 1, [])
    headers, _ = excel_import.template("roster")
    assert list(headers) == ROSTER_HEAD


def test_an_empty_sheet_and_a_sheet_without_the_needed_columns_are_refused_clearly(db, admin):
    from models.validation import ValidationError

    with pytest.raises(ValidationError, match="第一个工作表是空的"):
        run(db, admin, "roster", xlsx([]))
    with pytest.raises(ValidationError, match="找不到必需的列：身份证号、执业机构统一社会信用代码"):
        run(db, admin, "roster", xlsx([["姓名", "电话"], ["张伟", "1"]]))
    with pytest.raises(ValidationError, match="无法读取：文件不是 .xlsx 格式") as refused:
        run(db, admin, "roster", b"not an xlsx file")
    assert not re.search(r"[A-Za-z]+(Error|Exception|File)\b", str(refused.value))  # no class name on screen


def test_a_known_practitioner_on_a_new_roster_is_registered_there_too(db, admin, hospital):
    """多点执业 (济医保发〔2025〕6号 四（三）): the second institution's roster adds a registration."""
    from models.db.tables import Registration
    from models.services import subjects

    second = credit_code(2)
    subjects.add_subject(db, actor=admin, data={"type": "institution", "name": "宁阳县中医院", "credit_code": second})
    run(db, admin, "roster", xlsx([ROSTER_HEAD, ["张伟", id_number(1), "医师", "", HOSPITAL, "", "", "", ""]]))
    again = run(db, admin, "roster", xlsx([ROSTER_HEAD, ["张伟", id_number(1), "医师", "", HOSPITAL, "", "", "", ""],
                                           ["张伟", id_number(1), "医师", "", second, "", "", "", ""]]))
    assert again.outcomes == {"unchanged": 1, "registered": 1}
    assert count(db, Registration) == 2


def test_violation_list_from_the_audit_system(db, admin, clerk, hospital):
    from models.db.tables import AuditEntry, CreditRecord
    from models.services import subjects

    subjects.add_subject(db, actor=admin, data={"type": "practitioner", "name": "张伟", "id_number": id_number(1),
                                                "institutions": [HOSPITAL]})
    head = ["身份证号或统一社会信用代码", "姓名或名称", "信息类别", "决定日期", "案件编号", "决定类型", "金额", "责任程度",
            "所在机构统一社会信用代码", "信息来源", "备注"]
    rows = [head,
            [id_number(1), "张伟", "拒不履行医疗保障行政处罚或行政决定", "2026/1/5", "宁医保协〔2026〕1号",
             "协议处理", "", "", HOSPITAL, "", "串换项目"],
            [id_number(1), "张伟", "refuse_penalty", "2026-02-30", "宁医保协〔2026〕2号", "协议处理", "", "", "", "", ""],
            [id_number(1), "张伟", "refuse_penalty", "2026-01-09", "", "协议处理", "", "", "", "", ""]]
    out = run(db, clerk, "violations", xlsx(rows), valid_only=True)
    assert out.imported == 1
    errors = {(e["row"], e["field"]): e["problem"] for e in out.errors}
    assert "不是有效日期" in errors[(3, "决定日期")]
    assert "须填写处罚或处理决定的案件编号" in errors[(4, "案件编号")]
    assert count(db, CreditRecord) == 1
    from sqlalchemy import select

    from models.services.base import UnitOfWork

    with UnitOfWork(db) as uow:
        record = uow.session.scalar(select(CreditRecord))
        assert (record.source, record.kind, record.note) == ("smart_audit", "refuse_penalty", "串换项目")
        entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "excel.import.violations"))
        assert "只导入核对无误的行" in entry.reason and '"skipped_rows": [3, 4]' in entry.after


def test_cli_template_import_and_error_report(db, admin, hospital, tmp_path):
    """The template downloads with text columns; the report opens in another program with row, field, problem."""
    from tests.conftest import PASSWORD

    root = Path(__file__).resolve().parents[2]
    env = {"CREDIT_DESK_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    cli = [sys.executable, "-m", "desktop.cli", "--db", db.url.removeprefix("sqlite:///"), "--user", "admin"]
    template = tmp_path / "名册模板.xlsx"
    done = subprocess.run([*cli, "excel", "template", "roster", "--to", str(template)], capture_output=True, text=True,
                          env=env, cwd=root)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(template)
    ws = book.active
    assert [c.value for c in ws[2]] == ROSTER_HEAD
    ws.append(["张伟", id_number(1), "医师", "", HOSPITAL, "", "", "", ""])
    ws.append(["李娜", "37092119800101002", "医师", "", HOSPITAL, "", "", "", ""])
    book.save(template)
    report = tmp_path / "错误报告.xlsx"
    done = subprocess.run([*cli, "excel", "import", "roster", str(template), "--report", str(report)],
                          capture_output=True, text=True, env=env, cwd=root)
    assert done.returncode == 2 and "未导入任何数据" in done.stderr
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(report).active.iter_rows()]
    assert rows == [["行号", "字段", "问题"], [4, "身份证号", "应为18位，当前为17位"]]
    done = subprocess.run([*cli, "excel", "import", "roster", str(template), "--valid-only"], capture_output=True,
                          text=True, env=env, cwd=root)
    assert done.returncode == 0 and "已导入 1 行" in done.stdout
