"""Reading a roster or violation list as clerks make them, with python-calamine, once, as text.

What a clerk's file does that would silently lose data is named instead: an ID number Excel stored
as a number (digits already lost), a merged cell among the data rows, a formula with no saved
result, a header far below the top, the list on another sheet than the first.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from itertools import compress
from operator import itemgetter

from python_calamine import CalamineWorkbook

from models.validation import ValidationError

HEADER_SEARCH_ROWS = 12  # title lines above the header in files exported by other systems
HEADER_LOOK_FURTHER = 200  # a header found down to here is named, not guessed
MAX_UNPACKED = 2 * 2**30  # a list of a million rows unpacks to some 600 MB
MAX_RATIO, RATIO_FROM = 100, 2**20  # parts over a megabyte: Excel's XML packs about 12–16 to 1
CODE_FIELDS = frozenset({"id_number", "institution", "subject"})
_FORMULA_WITHOUT_VALUE = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f[^>]*>[^<]*</f>\s*(?:<v>\s*</v>\s*)?</c>'
                                    rb'|<c r="([A-Z]+)(\d+)"[^>]*>\s*<f[^>]*/>\s*</c>')


@dataclass(frozen=True)
class Sheet:
    """The data rows below the header, column by column (a county's list is checked a column at a time)."""

    columns: dict[str, int]  # field → column index
    numbers: list[int]  # Excel row number of each data row (empty rows left out)
    values: dict[str, list[str]]  # field → the text of its cell in each data row
    numeric: frozenset = frozenset()  # (row number, field) of ID and code cells Excel stored as numbers
    damaged: dict = None  # row number → (column letter, problem) for merged cells and formulas without values

    @property
    def rows(self) -> list[tuple[int, dict[str, str]]]:
        """(Excel row number, field → text) for each data row."""
        fields = list(self.values)
        return [(n, dict(zip(fields, cells))) for n, cells in zip(self.numbers, zip(*self.values.values()))]


def header_key(text) -> str:
    """全角、空格、换行、必填星号和括号里的说明都不影响列名的识别。"""
    t = unicodedata.normalize("NFKC", str(text or "")).strip()
    return re.sub(r"[\s*]|\(.*?\)|（.*?）", "", t)


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value).upper()
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _match(row: list, aliases: dict[str, str]) -> dict[str, int]:
    found = {}
    for c, value in enumerate(row):
        f = aliases.get(header_key(value)) if isinstance(value, str) else None
        if f and f not in found:
            found[f] = c
    return found


def _find_header(cells: list[list], aliases: dict[str, str], rows: int) -> tuple[dict[str, int], int]:
    best, best_row = {}, -1
    for r, row in enumerate(cells[:rows]):
        found = _match(row, aliases)
        # A two-row header (a merged group title above sub-titles) contributes both rows.
        if r + 1 < len(cells):
            below = _match(cells[r + 1], aliases)
            if below and not set(below) & set(found):
                found, r = {**found, **below}, r + 1
        if len(found) > len(best):
            best, best_row = found, r
    return best, best_row


def _refuse_bombs(data: bytes) -> None:
    """An .xlsx is a zip: its parts' sizes are read from the directory before anything is unpacked (a few
    megabytes that unpack to gigabytes would exhaust the memory of the clerk's computer)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader names it
    if sum(p.file_size for p in parts) > MAX_UNPACKED:
        raise ValidationError("Excel 文件", f"解压后超过 {MAX_UNPACKED // 2**30} GB，超出本程序一次可导入的大小：请分成几个文件导入")
    for p in parts:
        if p.file_size > RATIO_FROM and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            raise ValidationError("Excel 文件", f"其中的 {p.filename} 解压后超过压缩前的 {MAX_RATIO} 倍，可能是恶意构造的"
                                                "压缩炸弹，不予导入")


def _open(data: bytes):
    _refuse_bombs(data)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a damaged or foreign file fails inside the reader in many ways
        raise ValidationError("Excel 文件", "无法读取：文件不是 .xlsx 格式，或已损坏、已加密；请在 Excel 中另存为"
                                            " .xlsx 后重新导入") from None


def _formulas_without_values(data: bytes) -> dict[int, str]:
    """Row → cell of a formula saved without its result (files written by other programs): calamine reads it empty.

    The sheet is first searched a megabyte at a time (a county's list unpacks to some 60 MB of XML, usually
    without any formula); only a sheet that has formulas is read whole for the pattern."""
    name = "xl/worksheets/sheet1.xml"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if name not in z.namelist() or not _has_formula(z, name):
                return {}
            xml = z.read(name)
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    out = {}
    for m in _FORMULA_WITHOUT_VALUE.finditer(xml):
        col, row = (m[1], m[2]) if m[1] else (m[3], m[4])
        out.setdefault(int(row), f"{col.decode()}{int(row)}")
    return out


def _has_formula(z: zipfile.ZipFile, name: str) -> bool:
    last = b""
    with z.open(name) as part:
        while chunk := part.read(1 << 20):
            if b"<f" in last + chunk[:1] or b"<f" in chunk:
                return True
            last = chunk[-1:]
    return False


def read_sheet(kind_fields: dict[str, tuple[str, ...]], required: dict[str, str], data: bytes) -> Sheet:
    """The first sheet, its header found among the first rows (titles and merged cells above it)."""
    book = _open(data)
    names = book.sheet_names
    sheet = book.get_sheet_by_index(0)
    cells = sheet.to_python(skip_empty_area=False)
    aliases = {header_key(a): f for f, names_ in kind_fields.items() for a in names_}
    best, best_row = _find_header(cells, aliases, HEADER_SEARCH_ROWS)
    missing = [required[f] for f in required if f not in best]
    if missing:
        further, row = _find_header(cells, aliases, HEADER_LOOK_FURTHER)
        if all(f in further for f in required):
            raise ValidationError("Excel 文件", f"表头在第{row + 1}行，离表格顶端太远（本程序只在前{HEADER_SEARCH_ROWS}行找表头）："
                                                f"请删除表头上方多余的行后重新导入")
        for other in names[1:]:
            found, _r = _find_header(book.get_sheet_by_name(other).to_python(skip_empty_area=False), aliases,
                                     HEADER_SEARCH_ROWS)
            if all(f in found for f in required):
                raise ValidationError("Excel 文件", f"数据在工作表“{other}”上，本程序只读第一个工作表“{names[0]}”："
                                                    f"请把“{other}”移到最前面后重新导入")
        if not any(any(_text(c).strip() for c in row) for row in cells):
            raise ValidationError("Excel 文件", "第一个工作表是空的，没有可导入的行")
        raise ValidationError("Excel 文件", f"找不到必需的列：{'、'.join(missing)}（可下载模板对照列名）")
    damaged: dict[int, tuple[str, str]] = {}
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r1 > best_row and r1 > r0:  # a title merged across columns above the header is harmless
            cell = f"{_letters(c0)}{r0 + 1}:{_letters(c1)}{r1 + 1}"
            for r in range(max(r0, best_row + 1), r1 + 1):
                damaged.setdefault(r + 1, (cell, f"单元格 {cell} 是合并单元格，合并后只有第一行有内容，其余行的数据会丢失："
                                                  "请取消合并，并在每一行填写完整后重新导入"))
    for row, cell in _formulas_without_values(data).items():
        if row > best_row + 1:
            damaged.setdefault(row, (cell, f"单元格 {cell} 是公式，但文件中没有保存计算结果（由其他程序生成）："
                                           "请用 Excel 打开并保存一次，或把公式粘贴为数值后重新导入"))
    body = cells[best_row + 1:]
    width = max(best.values()) + 1
    if body and min(map(len, body)) < width:  # calamine's range is rectangular; a short row is padded all the same
        body = [r + [""] * (width - len(r)) if len(r) < width else r for r in body]
    raw = {f: list(map(itemgetter(c), body)) for f, c in best.items()}
    texts = {f: _texts(column) for f, column in raw.items()}
    filled = list(map(any, zip(*texts.values())))
    for r in damaged:
        if 0 <= r - best_row - 2 < len(filled):
            filled[r - best_row - 2] = True  # a damaged row is named even when the merge left it empty
    keep = None if all(filled) else list(compress(range(len(filled)), filled))
    numbers = [best_row + 2 + i for i in (keep if keep is not None else range(len(filled)))]  # Excel counts from 1
    if not numbers:
        raise ValidationError("Excel 文件", "表头下面没有数据行")
    if keep is not None:
        texts = {f: [column[i] for i in keep] for f, column in texts.items()}
    numeric = set()
    for f in CODE_FIELDS & raw.keys():  # a number where an ID or code belongs: Excel already dropped its last digits
        if not {int, float} & set(map(type, raw[f])):
            continue
        numeric |= {(best_row + 2 + i, f) for i, v in enumerate(raw[f]) if type(v) in (int, float)}
    return Sheet(best, numbers, texts, frozenset(numeric), damaged)


def _texts(column: list) -> list[str]:
    """One column's cells as stripped text (most columns hold only text: stripped without a Python call per cell)."""
    try:
        return list(map(str.strip, column))
    except TypeError:  # a number, a date or a boolean among the cells
        return [v.strip() if type(v) is str else _text(v).strip() for v in column]
