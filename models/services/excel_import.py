"""Excel rosters (执业人员名册) and violation lists (智能审核/稽核系统导出的违规清单) row by row.

Every row goes through the same service as a form would (subjects.add_subject, add_registration,
records.add_record), each inside a savepoint, so one bad row costs only itself. The user then takes
nothing, or only the valid rows, in one transaction. Cells are read as text (pandas dtype=str,
calamine): an ID number Excel already turned into 4.10123E+17 is named as such, never guessed.
"""
from __future__ import annotations

import hashlib
import io
from datetime import date
import re
import unicodedata
from dataclasses import dataclass, field

from models.db.tables_exchange import ExcelImport
from models.services import records, subjects
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, require, service
from models.services.catalogue import kinds
from models.services.county import current_county
from models.validation import ValidationError, fold

SHEETS = {"roster": "执业人员名册", "violations": "违规清单"}
KIND_NAMES = {"roster": "执业人员名册", "violations": "违规清单"}
REPORT_HEADERS = ("行号", "字段", "问题")
HEADER_SEARCH_ROWS = 12  # title lines above the header in files exported by other systems

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


def template(kind: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Headers and (no) rows for the download; the notes go in the title line above the headers."""
    return tuple(v[0] for v in COLUMNS[_kind(kind)].values()), []


def _kind(kind: str) -> str:
    if kind not in COLUMNS:
        raise ValidationError("导入类型", f"“{kind}”不是可选值，应为：roster（执业人员名册）、violations（违规清单）")
    return kind


def _header_key(text) -> str:
    """全角、空格、换行、必填星号和括号里的说明都不影响列名的识别。"""
    t = unicodedata.normalize("NFKC", str(text or "")).strip()
    t = re.sub(r"[\s*]|\(.*?\)|（.*?）", "", t)
    return t


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "" if text in ("nan", "NaN", "None", "NaT") else text


CODE_FIELDS = frozenset({"id_number", "institution", "subject"})
NUMERIC_CODE = ("单元格是数字格式：Excel 已把号码存成数字（显示为 4.10123E+17 这样的科学计数法），后几位已经丢失；"
                "请把该列设为文本格式后重新录入原始号码")


@dataclass(frozen=True)
class Sheet:
    columns: dict[str, int]  # field → column index
    rows: list[tuple[int, dict[str, str]]]  # (Excel row number, field → text)
    numeric: frozenset = frozenset()  # (row number, field) of ID and code cells Excel stored as numbers


def read_sheet(kind: str, data: bytes) -> Sheet:
    """The first sheet, its header found among the first rows (titles and merged cells above it)."""
    import pandas as pd

    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=str, engine="calamine")
        # Read once more untyped only to see which cells Excel holds as numbers (digits already lost).
        typed = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="calamine")
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file fails inside the reader in many ways
        raise ValidationError("Excel 文件", f"无法读取（{type(exc).__name__}）：请确认是 .xlsx 文件且未加密") from None
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    if not any(any(c.strip() for c in row) for row in cells):
        raise ValidationError("Excel 文件", "第一个工作表是空的，没有可导入的行")
    aliases = {_header_key(a): f for f, names in COLUMNS[kind].items() for a in names}
    best, best_row = {}, -1
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        found = _match(row, aliases)
        # A two-row header (a merged group title above sub-titles) contributes both rows.
        if r + 1 < len(cells):
            below = _match(cells[r + 1], aliases)
            if below and not set(below) & set(found):
                found = {**found, **below}
                r += 1
        if len(found) > len(best):
            best, best_row = found, r
    missing = [FIELD_NAMES[kind][f] for f in REQUIRED[kind] if f not in best]
    if missing:
        raise ValidationError("Excel 文件", f"找不到必需的列：{'、'.join(missing)}（可下载模板对照列名）")
    rows, numeric = [], set()
    for r in range(best_row + 1, len(cells)):
        values = {f: cells[r][c].strip() if c < len(cells[r]) else "" for f, c in best.items()}
        if any(values.values()):
            rows.append((r + 1, values))  # Excel counts rows from 1
            numeric |= {(r + 1, f) for f, c in best.items()
                        if f in CODE_FIELDS and isinstance(typed.iat[r, c], (int, float)) and values[f]}
    if not rows:
        raise ValidationError("Excel 文件", "表头下面没有数据行")
    return Sheet(best, rows, frozenset(numeric))


def _match(row: list[str], aliases: dict[str, str]) -> dict[str, int]:
    found = {}
    for c, text in enumerate(row):
        f = aliases.get(_header_key(text))
        if f and f not in found:
            found[f] = c
    return found


def _date(text: str) -> str:
    """Dates as Excel or people write them (2026/3/5, 2026年3月5日, a date cell) → ISO; others pass to the check."""
    m = _DATE.match(fold(text))
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else text


def _roster_row(uow: UnitOfWork, actor: Actor, v: dict) -> str:
    """A practitioner at one institution: registered when new, registered there too when known elsewhere."""
    from sqlalchemy import select

    from models.db.tables import Registration, Subject

    data = {"type": "practitioner", "name": v.get("name"), "id_number": v.get("id_number"),
            "profession": v.get("profession") or "医师", "practice_reg_no": v.get("practice_reg_no"),
            "institutions": [v.get("institution")] if v.get("institution") else [],
            "registered_on": _date(v.get("registered_on") or "") or None, "commitment": v.get("commitment"),
            "commitment_date": _date(v.get("commitment_date") or "") or None, "phone": v.get("phone")}
    number = fold(v.get("id_number")).upper()
    person = uow.session.scalar(select(Subject).where(Subject.type == "practitioner", Subject.id_number == number))
    if person is None:
        subjects.add_subject.in_uow(uow, actor=actor, data=data)
        return "new"
    inst = subjects.find_subject(uow, fold(v.get("institution")).upper(), type="institution", field="执业机构统一社会信用代码")
    if uow.session.scalar(select(Registration.id).where(Registration.practitioner_id == person.id,
                                                        Registration.institution_id == inst.id)):
        return "unchanged"
    subjects.add_registration.in_uow(uow, actor=actor, practitioner=person.uuid, institution=inst.uuid,
                                     registered_on=data["registered_on"] or date.today())
    return "registered"


def _violation_row(uow: UnitOfWork, actor: Actor, v: dict) -> str:
    catalogue = kinds(current_county(uow).profile)
    by_name = {k.name: code for code, k in catalogue.items()}
    kind = v.get("kind", "")
    data = {"subject": v.get("subject"), "kind": by_name.get(kind, kind), "decision_date": _date(v.get("decision_date", "")),
            "case_no": v.get("case_no"), "decision_type": v.get("decision_type"), "amount": v.get("amount"),
            "responsibility": v.get("responsibility"), "institution": v.get("institution"),
            "source": v.get("source") or "smart_audit", "note": v.get("note")}
    records.add_record.in_uow(uow, actor=actor, data=data)
    return "new"


ROW_SERVICES = {"roster": _roster_row, "violations": _violation_row}
# Which input field a service's field name belongs to, so the report names the column the user sees.
SERVICE_FIELDS = {"身份证号": "身份证号", "执业机构": "执业机构统一社会信用代码", "信用主体": "身份证号或统一社会信用代码",
                  "所在机构": "所在机构统一社会信用代码", "登记备案日期": "登记备案日期"}


@dataclass(frozen=True)
class ExcelOutcome:
    kind: str
    filename: str
    rows: int
    valid: int
    imported: int
    errors: list = field(default_factory=list)  # {row, field, problem}
    outcomes: dict = field(default_factory=dict)  # new / registered / unchanged → count

    @property
    def invalid(self) -> int:
        return len({e["row"] for e in self.errors})

    def report_rows(self) -> list[tuple]:
        return [(e["row"], e["field"], e["problem"]) for e in self.errors]


def _field_and_problem(exc: Exception) -> tuple[str, str]:
    """Services name the field in ValidationError.field, or as “字段：问题” in a refusal's message."""
    if isinstance(exc, ValidationError):
        return exc.field, exc.problem
    name, sep, rest = str(exc).partition("：")
    return (name, rest) if sep and len(name) <= 20 else ("整行", str(exc))


def _duplicate_key(kind: str, v: dict) -> tuple:
    if kind == "roster":
        return fold(v.get("id_number")).upper(), fold(v.get("institution")).upper()
    return tuple(fold(v.get(k)).upper() for k in ("subject", "kind", "decision_date", "case_no"))


def _check_rows(uow: UnitOfWork, actor: Actor, kind: str, sheet: Sheet, progress) -> tuple[list, dict, int]:
    errors, outcomes, valid, seen = [], {}, 0, {}
    for n, (row, values) in enumerate(sheet.rows, 1):
        key = _duplicate_key(kind, values)
        if key in seen:
            errors.append({"row": row, "field": "整行", "problem": f"与第{seen[key]}行重复，只导入一次"})
            continue
        seen[key] = row
        damaged = [f for f in CODE_FIELDS if (row, f) in sheet.numeric]
        if damaged:
            errors += [{"row": row, "field": FIELD_NAMES[kind][f], "problem": NUMERIC_CODE} for f in sorted(damaged)]
            continue
        savepoint = uow.session.begin_nested()
        try:
            outcome = ROW_SERVICES[kind](uow, actor, values)
            savepoint.commit()
        except (ValidationError, ServiceError) as exc:
            savepoint.rollback()
            name, problem = _field_and_problem(exc)
            errors.append({"row": row, "field": SERVICE_FIELDS.get(name, name), "problem": problem})
            continue
        valid += 1
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if progress and n % 50 == 0 and progress(n, len(sheet.rows), "核对Excel") is False:
            raise ServiceError("已取消Excel导入，未写入任何数据")
    return errors, outcomes, valid


@service
def import_file(uow: UnitOfWork, *, actor: Actor, kind: str, data: bytes, filename: str, valid_only: bool = False,
                dry_run: bool = False, progress=None) -> Result:
    """Check every row; write all of them when all are valid, or only the valid ones when asked.

    With errors and without ``valid_only`` (or with ``dry_run``) nothing is written: the outcome lists
    every error so the user can fix the file or choose to take the valid rows.
    """
    require(actor, "excel.import")
    kind = _kind(kind)
    sheet = read_sheet(kind, data)
    digest = hashlib.sha256(data).hexdigest()
    # Written first: pysqlite opens the transaction only at the first write, and a savepoint taken
    # before that would commit on release; this row makes every row's savepoint a nested one.
    log = ExcelImport(kind=kind, filename=filename[:260], sha256=digest, rows=len(sheet.rows), valid=0, imported=0,
                      imported_by=actor.username)
    uow.session.add(log)
    uow.session.flush()
    errors, outcomes, valid = _check_rows(uow, actor, kind, sheet, progress)
    take = not dry_run and valid > 0 and (not errors or valid_only)
    imported = valid if take else 0
    if not take:
        uow.session.rollback()
    else:
        log.valid, log.imported = valid, imported
        uow.audit(actor, f"excel.import.{kind}", "excel_import", log.uuid,
                  after={"file": filename, "sha256": digest, "rows": len(sheet.rows), "imported": imported,
                         "skipped_rows": sorted({e["row"] for e in errors}), **outcomes},
                  reason=f"从Excel导入{KIND_NAMES[kind]}" + ("（只导入核对无误的行）" if errors else ""))
    outcome = ExcelOutcome(kind, filename, len(sheet.rows), valid, imported, errors, outcomes)
    return Result(outcome, Changes(lists=imported > 0))
