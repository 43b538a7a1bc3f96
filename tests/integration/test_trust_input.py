"""Input as it really arrives: pasted control characters, Notepad's GBK, repeated imports, clerks' Excel files.

Each is either read correctly or refused with a Chinese message naming the field; nothing is stored
twice (Panan 第十二条: information must be accurate; a doubled record doubles the points).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from test_excel_import import count, run, xlsx
from test_exchange_support import credit_code, id_number

HOSPITAL = credit_code(1)
VIOLATION_HEAD = ["身份证号或统一社会信用代码", "姓名或名称", "信息类别", "决定日期", "案件编号", "决定类型", "金额", "责任程度"]


@pytest.fixture
def doctor(db, admin):
    from models.services import subjects

    subjects.add_subject(db, actor=admin, data={"type": "institution", "name": "宁阳县人民医院", "credit_code": HOSPITAL})
    subjects.add_subject(db, actor=admin, data={"type": "practitioner", "name": "张伟", "id_number": id_number(1),
                                                "institutions": [HOSPITAL]})
    return id_number(1)


def record(number: str, case_no: str = "宁医保协〔2026〕1号", **extra) -> dict:
    return {"subject": number, "kind": "refuse_penalty", "decision_date": "2026-03-02", "responsibility": "主要",
            "case_no": case_no, "decision_type": "协议处理", **extra}


@pytest.mark.parametrize("field, label", [("name", "姓名"), ("address", "地址")])
def test_a_nul_or_other_control_character_is_refused_naming_the_field(db, admin, field, label):
    """PostgreSQL refuses U+0000: one NUL would block every later package to the city."""
    from models.services import subjects
    from models.validation import ValidationError

    data = {"type": "insured", "name": "王五", "id_number": id_number(7), "insurance_type": "居民", field: "王\x00五"}
    with pytest.raises(ValidationError) as refused:
        subjects.add_subject(db, actor=admin, data=data)
    assert refused.value.field == label and "控制字符（U+0000）" in refused.value.problem
    data[field] = "王五\x1b[31m"
    with pytest.raises(ValidationError, match=r"U\+001B"):
        subjects.add_subject(db, actor=admin, data=data)


def test_a_note_keeps_its_line_breaks_but_not_a_nul(db, clerk, doctor):
    from models.services import records
    from models.validation import ValidationError

    assert records.add_record(db, actor=clerk, data=record(doctor, note="第一行\n第二行\t备注")).value.note == "第一行\n第二行\t备注"
    with pytest.raises(ValidationError, match="备注：含有不可见的控制字符"):
        records.add_record(db, actor=clerk, data=record(doctor, "宁医保协〔2026〕2号", note="坏\x00"))


@pytest.mark.parametrize("value", ["1" * 40, "99999999999999999999.99", "1e400", "1000000000000"])
def test_an_amount_beyond_what_the_database_holds_is_refused(value):
    from models.validation import ValidationError, amount

    with pytest.raises(ValidationError, match="金额"):
        amount(value)


def test_json_with_an_unknown_field_or_the_wrong_type_is_refused_naming_the_field(db, clerk, doctor):
    from models.services import records
    from models.validation import ValidationError

    with pytest.raises(ValidationError) as refused:
        records.add_record(db, actor=clerk, data=record(doctor, points=12))
    assert refused.value.field == "points" and "不是可用的字段" in refused.value.problem
    with pytest.raises(ValidationError, match="案件编号（case_no）：应为文本"):
        records.add_record(db, actor=clerk, data=record(doctor, case_no={"no": 1}))
    with pytest.raises(ValidationError, match="输入：应为一个 JSON 对象"):
        records.add_record(db, actor=clerk, data=["not", "an", "object"])


def cli(db_path: Path, *args, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "CREDIT_DESK_PASSWORD": "abc12345"}
    return subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db_path), *args], input=stdin,
                          capture_output=True, env=env, cwd=cwd or Path(__file__).resolve().parents[2], timeout=120)


def test_a_json_file_saved_as_gbk_by_notepad_is_read(db, clerk, doctor, tmp_path):
    path = tmp_path / "记录.json"
    path.write_bytes(json.dumps(record(doctor, note="超量开药"), ensure_ascii=False).encode("gbk"))
    done = cli(Path(db.sqlite_file), "--user", "clerk", "record", "add", "--json", str(path))
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["note"] == "超量开药"


def test_deeply_nested_json_gets_a_message_not_a_traceback(db, clerk, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000)
    done = cli(Path(db.sqlite_file), "--user", "clerk", "record", "add", "--json", str(path))
    err = done.stderr.decode()
    assert done.returncode == 2 and "嵌套层数过深" in err and "Traceback" not in err


def test_the_same_json_array_imported_twice_stores_every_record_once(db, clerk, doctor, tmp_path):
    from models.db.tables import CreditRecord

    path = tmp_path / "records.json"
    path.write_text(json.dumps([record(doctor), record(doctor, "宁医保协〔2026〕2号")], ensure_ascii=False), encoding="utf-8")
    first = cli(Path(db.sqlite_file), "--user", "clerk", "record", "add", "--json", str(path))
    again = cli(Path(db.sqlite_file), "--user", "clerk", "record", "add", "--json", str(path))
    assert first.returncode == 0 and again.returncode == 0, again.stderr.decode()
    assert "第1条" in again.stderr.decode() and "已经录入过" in again.stderr.decode()
    assert count(db, CreditRecord) == 2


def test_the_same_record_twice_in_one_array_is_refused(db, clerk, doctor):
    from models.db.tables import CreditRecord
    from models.services import records
    from models.services.base import run_batch
    from models.validation import ValidationError

    with pytest.raises(ValidationError, match="第2条：与第1条重复"):
        run_batch(db, fn=records.add_record, items=[record(doctor), record(doctor)], actor=clerk)
    assert count(db, CreditRecord) == 0


def test_attachments_are_only_files_inside_the_json_files_folder(db, clerk, doctor, tmp_path):
    """A path out of the folder would let a JSON file send /etc/shadow to the city with the record."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x")
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "决定书.pdf").write_bytes(b"%PDF-1.4 scan")
    (folder / "link.pdf").symlink_to(secret)
    for n, attachment in enumerate(("../secret.txt", str(secret), "link.pdf", "/etc/passwd"), 2):
        path = folder / "record.json"
        path.write_text(json.dumps({**record(doctor, f"宁医保协〔2026〕{n}号"), "attachments": [attachment]}), encoding="utf-8")
        done = cli(Path(db.sqlite_file), "--user", "clerk", "record", "add", "--json", str(path))
        assert done.returncode == 2 and "不在 JSON 文件所在的文件夹内" in done.stderr.decode(), (attachment, done.stderr)
    path.write_text(json.dumps({**record(doctor), "attachments": ["决定书.pdf"]}), encoding="utf-8")
    assert cli(Path(db.sqlite_file), "--user", "clerk", "record", "add", "--json", str(path)).returncode == 0


def test_a_17_digit_id_is_named_as_a_format_problem(db, clerk, doctor):
    from models.services import records
    from models.validation import ValidationError

    with pytest.raises(ValidationError, match="为17位：身份证号和统一社会信用代码都应为18位"):
        records.add_record(db, actor=clerk, data=record(doctor[:17]))


# -- Excel as clerks make it ---------------------------------------------------------------------

def violations(rows: list[list], **kw) -> bytes:
    return xlsx([VIOLATION_HEAD, *rows], **kw)


def row(number: str, name: str = "张伟", case: int = 1) -> list:
    return [number, name, "refuse_penalty", "2026-03-02", f"宁医保协〔2026〕{case}号", "协议处理", "", "主要"]


def test_a_row_whose_name_does_not_match_the_id_is_an_error(db, clerk, doctor):
    outcome = run(db, clerk, "violations", violations([row(doctor, "李娜")]))
    assert outcome.imported == 0
    assert outcome.errors[0]["field"] == "姓名或名称" and "“李娜”与该号码登记的“张伟”不一致" in outcome.errors[0]["problem"]


def test_the_same_excel_file_imported_twice_is_recognised_and_writes_nothing(db, admin, clerk, doctor):
    from models.db.tables import CreditRecord
    from models.services import users

    users.add_user(db, actor=admin, username="wangli", display_name="王丽", password="abc12345", roles="录入员")
    colleague = users.authenticate(db, username="wangli", password="abc12345")
    data = violations([row(doctor, case=1), row(doctor, case=2)])
    assert run(db, colleague, "violations", data).imported == 2
    again = run(db, clerk, "violations", data)
    assert again.imported == 0 and "已于" in again.message and "未重复导入" in again.message
    assert "由王丽导入过" in again.message and "wangli" not in again.message  # the colleague's name, no digest
    assert "SHA-256" not in again.message
    # A new file repeating a row already held: that row is skipped, the new one taken.
    third = run(db, clerk, "violations", violations([row(doctor, case=2), row(doctor, case=3)]))
    assert (third.imported, third.outcomes.get("already")) == (1, 1) and "1 行此前已导入过" in third.message
    assert count(db, CreditRecord) == 3


def test_merged_cells_among_the_data_rows_are_named(db, clerk, doctor):
    rows = [row(doctor, case=1), row(doctor, case=2), row(doctor, case=3)]
    outcome = run(db, clerk, "violations", violations(rows, merges=("B2:B4",)))
    assert outcome.imported == 0
    assert {e["row"] for e in outcome.errors} == {2, 3, 4}
    assert all("B2:B4 是合并单元格" in e["problem"] for e in outcome.errors)


def test_a_header_far_below_the_top_and_data_on_another_sheet_are_named(db, clerk, doctor):
    from models.validation import ValidationError

    low = xlsx([["说明"]] * 20 + [VIOLATION_HEAD, row(doctor)])
    with pytest.raises(ValidationError, match="表头在第21行"):
        run(db, clerk, "violations", low)
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表由稽核系统导出"])
    sheet = book.create_sheet("违规清单")
    for r in (VIOLATION_HEAD, row(doctor)):
        sheet.append(r)
    import io

    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError, match="数据在工作表“违规清单”上"):
        run(db, clerk, "violations", out.getvalue())


def test_a_formula_saved_without_its_value_is_named(db, clerk, doctor):
    data = violations([row(doctor, case=1), [doctor, "张伟", "refuse_penalty", "2026-03-02", "=CONCAT(\"宁\",\"2\")",
                                            "协议处理", "", "主要"]])
    outcome = run(db, clerk, "violations", data)  # openpyxl writes formulas without a cached result
    assert [e["row"] for e in outcome.errors] == [3]
    assert "E3 是公式，但文件中没有保存计算结果" in outcome.errors[0]["problem"]


def test_the_template_formats_id_and_code_columns_as_text(tmp_path):
    from models.services import excel_import

    path = excel_import.write_template("violations", tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path).active
    head = [c.value for c in sheet[2]]
    for name in ("身份证号或统一社会信用代码", "案件编号"):
        letter = openpyxl.utils.get_column_letter(head.index(name) + 1)
        assert sheet.column_dimensions[letter].number_format == "@", name
    letter = openpyxl.utils.get_column_letter(head.index("金额") + 1)
    assert sheet.column_dimensions[letter].number_format != "@"


def test_a_report_that_cannot_be_written_fails_before_anything_is_imported(db, clerk, doctor, tmp_path):
    from models.db.tables import CreditRecord

    path = tmp_path / "v.xlsx"
    path.write_bytes(violations([row(doctor)]))
    done = cli(Path(db.sqlite_file), "--user", "clerk", "excel", "import", "violations", str(path),
               "--report", str(tmp_path / "missing-folder" / "r.xlsx"))
    assert done.returncode == 2 and "错误报告：无法写入" in done.stderr.decode()
    assert count(db, CreditRecord) == 0


def test_a_roster_row_whose_name_does_not_match_a_known_practitioner_is_an_error(db, admin, doctor):
    from models.db.tables import Registration

    from test_excel_import import ROSTER_HEAD

    second = credit_code(2)
    from models.services import subjects

    subjects.add_subject(db, actor=admin, data={"type": "institution", "name": "宁阳县中医院", "credit_code": second})
    outcome = run(db, admin, "roster", xlsx([ROSTER_HEAD, ["李娜", doctor, "医师", "", second, "", "", "", ""]]))
    assert outcome.imported == 0 and count(db, Registration) == 1
    assert outcome.errors[0]["field"] == "姓名" and "与该身份证号登记的“张伟”不一致" in outcome.errors[0]["problem"]


# -- A violation list checked a column at a time ---------------------------------------------------

def insured(db, admin, serial: int, name: str) -> str:
    from models.services import subjects

    subjects.add_subject(db, actor=admin, data={"type": "insured", "name": name, "id_number": id_number(serial),
                                                "insurance_type": "居民"})
    return id_number(serial)


def loss(number: str, name: str, amount: str, case: int) -> list:
    return [number, name, "insured_illegal_use", "2026-03-02", f"宁医保罚〔2026〕{case}号", "行政处罚", amount, ""]


def test_every_bad_cell_of_a_row_is_named_with_its_row_and_column(db, admin, clerk, doctor):
    """A clerk fixes a file once: two bad cells in one row are two errors, each naming its column."""
    other = insured(db, admin, 7, "李娜")
    rows = [row(doctor, case=1),
            [doctor, "张伟", "refuse_penalty", "2026-02-30", "宁医保协〔2026〕\x7f2号", "协议处理", "", "主要"],
            loss(other, "李娜", "12.345", 3),
            loss(other, "王芳", "", 4)]
    outcome = run(db, clerk, "violations", violations(rows))
    assert outcome.imported == 0 and (outcome.rows, outcome.invalid) == (4, 3)
    errors = {(e["row"], e["field"]): e["problem"] for e in outcome.errors}
    assert "不是有效日期" in errors[(3, "决定日期")]
    assert "控制字符（U+007F）" in errors[(3, "案件编号")]
    assert "超过两位小数" in errors[(4, "金额")]
    assert "须填写造成的医保基金损失金额" in errors[(5, "金额")]
    assert "“王芳”与该号码登记的“李娜”不一致" in errors[(5, "姓名或名称")]
    assert [e["row"] for e in outcome.errors] == sorted(e["row"] for e in outcome.errors)  # in the file's order


def test_amounts_are_stored_to_the_fen_exactly_as_typed_or_refused(db, admin, clerk):
    """金额 is money: 0.29 yuan is 29 fen (a float would make 28), 1,234.5 with a thousands comma is 123450 fen."""
    from decimal import Decimal

    from sqlalchemy import select

    from models.db.tables import CreditRecord
    from models.services.base import UnitOfWork

    person = insured(db, admin, 8, "王芳")
    typed = {"0.29": 29, "100.1": 10010, "1,234.5": 123450, "999999999999.99": 99999999999999, "７": 700}
    rows = [loss(person, "王芳", amount, case) for case, amount in enumerate(typed, 1)]
    rows += [loss(person, "王芳", "-5", 90), loss(person, "王芳", "1000000000000", 91)]
    outcome = run(db, clerk, "violations", violations(rows), valid_only=True)
    assert outcome.imported == len(typed)
    errors = {e["row"]: e["problem"] for e in outcome.errors}
    assert "不能为负数" in errors[len(typed) + 2] and "金额过大" in errors[len(typed) + 3]
    with UnitOfWork(db) as uow:
        stored = dict(uow.session.execute(select(CreditRecord.case_no, CreditRecord.amount)).all())
    assert stored == {f"宁医保罚〔2026〕{case}号": Decimal(fen).scaleb(-2) for case, fen in enumerate(typed.values(), 1)}


def test_a_row_repeated_in_the_same_list_is_taken_once_and_the_repeat_named(db, clerk, doctor):
    from models.db.tables import CreditRecord

    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in doctor)  # ３７０９２１… is the same person
    outcome = run(db, clerk, "violations", violations([row(doctor, case=1), row(fullwidth, case=1), row(doctor, case=2)]),
                  valid_only=True)
    assert outcome.imported == 2 and count(db, CreditRecord) == 2
    assert [(e["row"], e["problem"]) for e in outcome.errors] == [(3, "与第2行重复，只导入一次")]


def test_a_number_of_another_type_or_unknown_is_named_and_the_others_are_taken(db, admin, clerk, doctor):
    person = insured(db, admin, 9, "赵强")
    rows = [row(doctor, case=1), row(person, "赵强", case=2), row(id_number(10), "孙丽", case=3)]
    outcome = run(db, clerk, "violations", violations(rows), valid_only=True)
    assert outcome.imported == 1
    errors = {(e["row"], e["field"]): e["problem"] for e in outcome.errors}
    assert "不适用于参保人" in errors[(3, "信息类别")]
    assert f"找不到号码为“{id_number(10)}”的医保医（药）师" in errors[(4, "身份证号或统一社会信用代码")]


def test_an_excel_file_that_unpacks_to_a_zip_bomb_is_refused_before_it_is_read(db, clerk, doctor):
    """A few kilobytes that unpack to gigabytes would exhaust the clerk's memory: refused from the zip directory."""
    import io
    import zipfile

    from models.db.tables import CreditRecord
    from models.validation import ValidationError

    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(violations([row(doctor)]))) as good, \
            zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as bomb:
        for part in good.infolist():
            bomb.writestr(part, good.read(part))
        bomb.writestr("xl/media/image1.png", bytes(20 * 2**20))  # 20 MB of zeros packs to about 20 KB
    with pytest.raises(ValidationError, match="xl/media/image1.png 解压后超过压缩前的 100 倍"):
        run(db, clerk, "violations", packed.getvalue())
    assert count(db, CreditRecord) == 0


def test_a_points_kind_in_a_violation_list_is_refused_and_sent_to_the_finding_path(db, clerk, doctor):
    """济医保发〔2025〕6号 四（五）（六）: points come only from a finding a second person confirmed, which notifies every
    institution where the person is registered; a list from the audit system cannot give points directly."""
    from models.db.tables import CreditRecord

    points = [doctor, "张伟", "pq_agreement_minor", "2026-03-02", "宁医保协〔2026〕9号", "协议处理", "", "主要"]
    outcome = run(db, clerk, "violations", violations([row(doctor, case=1), points]), valid_only=True)
    assert outcome.imported == 1 and count(db, CreditRecord) == 1
    [error] = outcome.errors
    assert (error["row"], error["field"]) == (3, "信息类别") and "须作为违规认定录入" in error["problem"]
