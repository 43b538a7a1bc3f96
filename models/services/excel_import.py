"""Excel rosters (执业人员名册) and violation lists (智能审核/稽核系统导出的违规清单).

Both are checked as a set, every row by the checks of the forms, and written in bulk
(excel_violations.py, excel_roster.py): one bad row costs only itself. The user then takes nothing,
or only the valid rows, in one transaction, and each affected subject's standing is brought up to
date once. A file already
imported (same content) and rows already held (same natural key) are recognised and skipped.
Cells are read once as text with calamine (excel_read.py): an ID number Excel already turned into
4.10123E+17 is named as such, never guessed.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import xlsxwriter
from sqlalchemy import select

from models.db.tables_exchange import ExcelImport
from models.services import excel_read, excel_roster, excel_violations, standing
from models.services.base import Actor, Changes, Result, UnitOfWork, day_text, require, service
from models.services.county import current_county
from models.services.excel_columns import paused_collector
from models.services.excel_read import CODE_FIELDS, Sheet
from models.services.excel_violations import Cancelled
from models.services.users import display_names
from models.validation import ValidationError, fold

SHEETS = {"roster": "执业人员名册", "violations": "违规清单"}
KIND_NAMES = {"roster": "执业人员名册", "violations": "违规清单"}
REPORT_HEADERS = ("行号", "字段", "问题")

# Canonical field → (template header, other headers seen in exported files).
COLUMNS = {
    "roster": {
        "name": ("姓名", "人员姓名"),
        "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
        "profession": ("人员类别", "执业类别", "人员类型"),
        "practice_reg_no": ("执业注册号", "执业证书编码", "执业证书编号"),
        "institution": ("执业机构统一社会信用代码", "机构统一社会信用代码", "统一社会信用代码", "执业机构代码"),
        "registered_on": ("登记备案日期", "备案日期", "登记日期"),
        "commitment": ("服务承诺", "承诺方式"),
        "commitment_date": ("承诺日期",),
        "phone": ("联系电话", "手机号码", "电话"),
    },
    "violations": {
        "subject": ("身份证号或统一社会信用代码", "身份证号", "统一社会信用代码", "证件号码", "主体证件号码"),
        "name": ("姓名或名称", "姓名", "名称", "主体名称"),
        "kind": ("信息类别", "违规类别", "类别"),
        "decision_date": ("决定日期", "处理日期", "处罚日期"),
        "case_no": ("案件编号", "决定文号", "文号"),
        "decision_type": ("决定类型", "处理方式"),
        "amount": ("金额", "基金损失金额", "违规金额", "涉及金额"),
        "responsibility": ("责任程度",),
        "institution": ("所在机构统一社会信用代码", "所在机构"),
        "source": ("信息来源", "来源"),
        "note": ("备注", "违规情形", "问题描述"),
    },
}
REQUIRED = {"roster": ("name", "id_number", "institution"), "violations": ("subject", "kind", "decision_date")}
FIELD_NAMES = {"roster": {k: v[0] for k, v in COLUMNS["roster"].items()},
               "violations": {k: v[0] for k, v in COLUMNS["violations"].items()}}
TEMPLATE_NOTES = {
    "roster": "执业人员名册：每行为一名人员在一个定点医药机构的登记备案；身份证号、统一社会信用代码请按文本填写；"
              "日期写作 2026-03-15；人员类别：医师/药师/护士/技师/结算审核/主要负责人；服务承诺：个人/集体",
    "violations": "违规清单：每行一条不良信息；信息类别填写代码或名称（credit-desk catalog 查看）；决定类型：行政处罚/协议处理/刑事；"
                  "责任程度：主要/重要/一般；金额最多两位小数",
}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00:00(?:\.0+)?)?$")


TEXT_COLUMNS = frozenset({"id_number", "institution", "subject", "practice_reg_no", "case_no", "phone"})


def template(kind: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Headers and (no) rows for the download; the notes go in the title line above the headers."""
    return tuple(v[0] for v in COLUMNS[_kind(kind)].values()), []


def _kind(kind: str) -> str:
    if kind not in COLUMNS:
        raise ValidationError("导入类型", f"“{kind}”不是可选值，应为：roster（执业人员名册）、violations（违规清单）")
    return kind


NUMERIC_CODE = ("单元格是数字格式：Excel 已把号码存成数字（显示为 4.10123E+17 这样的科学计数法），后几位已经丢失；"
                "请把该列设为文本格式后重新录入原始号码")


def read_sheet(kind: str, data: bytes) -> Sheet:
    return excel_read.read_sheet(COLUMNS[kind], {f: FIELD_NAMES[kind][f] for f in REQUIRED[kind]}, data)


def write_template(kind: str, path: str | Path) -> Path:
    """The template: the notes, the headers, and ID and code columns formatted as text before anyone types."""
    kind, path = _kind(kind), Path(path)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = book.add_worksheet(SHEETS[kind])
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    ws.write_string(0, 0, TEMPLATE_NOTES[kind], book.add_format({"bold": True, "font_size": 12}))
    for col, (f, names) in enumerate(COLUMNS[kind].items()):
        ws.write_string(1, col, names[0], bold)
        ws.set_column(col, col, max(12, len(names[0]) * 2 + 4), text if f in TEXT_COLUMNS else None)
    book.close()
    return path


@functools.lru_cache(maxsize=4096)  # a list repeats a few hundred dates over thousands of rows
def _date(text: str) -> str:
    """Dates as Excel or people write them (2026/3/5, 2026年3月5日, a date cell) → ISO; others pass to the check."""
    m = _DATE.match(fold(text))
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else text


@dataclass(frozen=True)
class ExcelOutcome:
    kind: str
    filename: str
    rows: int
    valid: int
    imported: int
    errors: list = field(default_factory=list)  # {row, field, problem}
    outcomes: dict = field(default_factory=dict)  # new / registered / unchanged / already → count
    message: str = ""  # a file or rows imported before, said in words

    @property
    def invalid(self) -> int:
        return len({e["row"] for e in self.errors})

    def report_rows(self) -> list[tuple]:
        return [(e["row"], e["field"], e["problem"]) for e in self.errors]


def _duplicate_key(v: dict) -> tuple:
    return fold(v.get("id_number")).upper(), fold(v.get("institution")).upper()


def _spoiled(kind: str, sheet: Sheet, row: int) -> list[dict]:
    """The errors of a row the file itself spoils: a merged cell or a formula without its value, numbers for codes."""
    if row in sheet.damaged:
        return [{"row": row, "field": "整行", "problem": sheet.damaged[row][1]}]
    numbers = sheet.numeric and [f for f in CODE_FIELDS if (row, f) in sheet.numeric]
    return [{"row": row, "field": FIELD_NAMES[kind][f], "problem": NUMERIC_CODE} for f in sorted(numbers or ())]


def _roster_rows(sheet: Sheet) -> tuple[list, list]:
    """Rows the file spoils, and those repeated (the same person at the same institution twice); the others."""
    errors, keep, seen = [], [], {}
    for row, values in sheet.rows:
        if row in sheet.damaged:
            errors += _spoiled("roster", sheet, row)
            continue
        try:
            key = _duplicate_key(values)
        except ValidationError as exc:
            errors.append({"row": row, "field": FIELD_NAMES["roster"].get(exc.field, exc.field), "problem": exc.problem})
            continue
        if key in seen:
            errors.append({"row": row, "field": "整行", "problem": f"与第{seen[key]}行重复，只导入一次"})
            continue
        seen[key] = row
        spoiled = _spoiled("roster", sheet, row)
        if spoiled:
            errors += spoiled
            continue
        keep.append((row, values))
    return errors, keep


def _violation_columns(sheet: Sheet) -> tuple[list, list[int], dict[str, list[str]]]:
    """Rows the file spoils; the row numbers and columns of the others (a violation list finds its repeats by
    natural key once the rows are checked)."""
    numbers, values = sheet.numbers, sheet.values
    if not (sheet.damaged or sheet.numeric):
        return [], numbers, values
    errors, keep = [], []
    for i, row in enumerate(numbers):
        spoiled = _spoiled("violations", sheet, row)
        errors += spoiled
        if not spoiled:
            keep.append(i)
    return errors, [numbers[i] for i in keep], {f: [column[i] for i in keep] for f, column in values.items()}


def _checked(uow: UnitOfWork, kind: str, data: bytes, progress) -> tuple:
    """The sheet read and every row checked: (rows, errors, checked rows, outcomes, valid rows)."""
    sheet = read_sheet(kind, data)
    if kind == "violations":
        errors, numbers, values = _violation_columns(sheet)
        checked = excel_violations.check(uow, numbers, values, errors, _date, progress)
        outcomes = {k: n for k, n in (("new", checked.count), ("already", len(checked.already))) if n}
        return len(sheet.numbers), errors, checked, outcomes, checked.count + len(checked.already)
    errors, rows = _roster_rows(sheet)
    checked = excel_roster.check(uow, current_county(uow).code, rows, errors, _date, progress)
    return len(sheet.numbers), errors, checked, checked.outcomes, checked.valid


def _earlier(uow: UnitOfWork, kind: str, digest: str) -> ExcelImport | None:
    return uow.session.scalar(select(ExcelImport).where(ExcelImport.kind == kind, ExcelImport.sha256 == digest,
                                                        ExcelImport.imported > 0).order_by(ExcelImport.id).limit(1))


@service
def import_file(uow: UnitOfWork, *, actor: Actor, kind: str, data: bytes, filename: str, valid_only: bool = False,
                dry_run: bool = False, progress=None) -> Result:
    """Check every row; write all of them when all are valid, or only the valid ones when asked.

    With errors and without ``valid_only`` (or with ``dry_run``) nothing is written: the outcome lists
    every error so the user can fix the file or choose to take the valid rows. The same file imported
    again (after a kill, or after the report could not be saved) writes nothing and says when it was.
    """
    require(actor, "excel.import")
    kind = _kind(kind)
    digest = hashlib.sha256(data).hexdigest()
    earlier = _earlier(uow, kind, digest)
    if earlier is not None:
        at = earlier.imported_at.astimezone()
        who = display_names(uow, {earlier.imported_by}).get(earlier.imported_by, earlier.imported_by)
        message = (f"内容完全相同的文件已于{day_text(at.date())} {at:%H:%M}由{who}导入过 {earlier.imported} 行，"
                   "未重复导入")
        return Result(ExcelOutcome(kind, filename, earlier.rows, 0, 0, [], {"already": earlier.imported}, message))
    with paused_collector():
        total, errors, checked, outcomes, valid = _checked(uow, kind, data, progress)
    errors.sort(key=itemgetter("row"))  # the file's order, each row's bad cells together
    imported = outcomes.get("new", 0) + outcomes.get("registered", 0)
    take = not dry_run and imported > 0 and (not errors or valid_only)
    already = outcomes.get("already", 0)
    message = f"{already} 行此前已导入过（同一主体、类别、决定日期和案件编号），未重复导入" if already else ""
    if not take:
        uow.session.rollback()
        return Result(ExcelOutcome(kind, filename, total, valid, 0, errors, outcomes, message))
    log = ExcelImport(kind=kind, filename=filename[:260], sha256=digest, rows=total, valid=valid,
                      imported=imported, imported_by=actor.username)
    uow.session.add(log)
    uow.session.flush()
    with paused_collector():
        if kind == "violations":
            written, subject_ids = excel_violations.write(uow, actor, checked), checked.subject_ids
        else:
            written, subject_ids = excel_roster.write(uow, actor, checked)
    uow.audit(actor, f"excel.import.{kind}", "excel_import", log.uuid,
              after={"file": filename, "sha256": digest, "rows": total, "imported": imported,
                     "skipped_rows": sorted({e["row"] for e in errors}), **outcomes, "records": written},
              reason=f"从Excel导入{KIND_NAMES[kind]}" + ("（只导入核对无误的行）" if errors else ""))
    if progress and progress(total, total, "更新信用状况") is False:
        raise Cancelled("已取消Excel导入，未写入任何数据")
    standing.after_change(uow, actor, subject_ids)
    outcome = ExcelOutcome(kind, filename, total, valid, imported, errors, outcomes, message)
    return Result(outcome, Changes(lists=imported > 0))
