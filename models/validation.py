"""Input checks with Chinese messages that name the field and the problem.

Every check normalises what a careful clerk would accept (full-width digits, surrounding
spaces, a lower-case check letter) and refuses what would store a wrong fact.
"""
from __future__ import annotations

import errno
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from models.actors import ValidationError  # noqa: F401 - re-exported: the checks' refusal, defined with the others

# GB/T 2260 province-level codes (first two digits of 行政区划代码 and of 身份证号).
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE][+]?\d+$")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?\Z")
CENT = Decimal("0.01")


# Tab and line breaks belong in a note; every other control character (NUL above all: PostgreSQL refuses
# it, so one NUL would block every later package to a city) and lone UTF-16 halves are refused.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_AMOUNT = Decimal("999999999999.99")  # far below what the integer 分 column holds (2^63 − 1)


def control_character(text: str) -> str | None:
    """The first forbidden control character in ``text``, as U+XXXX, or None."""
    m = _CONTROL.search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def no_control(text: str, field: str) -> str:
    bad = control_character(text)
    if bad:
        raise ValidationError(field, f"含有不可见的控制字符（{bad}），可能是从其他系统复制时带入的；请删除后重新输入")
    return text


def clean(value: object, field: str = "输入内容") -> str:
    """Free text as typed or pasted, outer spaces removed; Chinese punctuation is kept."""
    if value is None:
        return ""
    text = (value if type(value) is str else str(value)).strip()
    # Inline, called for every cell of a county-sized import: printable text (most) holds no control character.
    if not text.isprintable() and _CONTROL.search(text):
        no_control(text, field)
    return text


def fold(value: object, field: str = "输入内容") -> str:
    """Codes, numbers and dates: full-width digits and letters folded to ASCII (NFKC)."""
    text = clean(value, field)
    return text if text.isascii() else unicodedata.normalize("NFKC", text).strip()


def required(value: object, field: str) -> str:
    text = clean(value, field)
    if not text:
        raise ValidationError(field, "必填，不能为空")
    return text


def required_code(value: object, field: str) -> str:
    text = fold(value, field)
    if not text:
        raise ValidationError(field, "必填，不能为空")
    return text


def id_number(value: object, field: str = "身份证号") -> str:
    """GB 11643 citizen ID: 18 characters, valid birth date, ISO 7064 MOD 11-2 check."""
    text = required_code(value, field).replace(" ", "")
    if _SCIENTIFIC.match(text):
        raise ValidationError(
            field, f"“{text}”是被 Excel 转成科学计数法的号码，后几位已经丢失；请把该列设为文本格式后重新录入"
        )
    text = text.upper()
    if len(text) != 18:
        raise ValidationError(field, f"应为18位，当前为{len(text)}位")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError(field, "前17位必须是数字，最后一位是数字或X")
    if text[:2] not in PROVINCES:
        raise ValidationError(field, f"前两位“{text[:2]}”不是有效的省级行政区划代码")
    try:
        ric.get_birth_date(text)
    except StdnumError:
        raise ValidationError(field, f"出生日期“{text[6:14]}”不是有效日期") from None
    if ric.get_birth_date(text) > date.today():
        raise ValidationError(field, f"出生日期“{text[6:14]}”晚于今天")
    expected = ric.calc_check_digit(text)  # stdnum expects the check position present
    if text[17] != expected:
        raise ValidationError(field, "校验位不正确（GB 11643），请核对号码是否录错")
    return text


def credit_code(value: object, field: str = "统一社会信用代码") -> str:
    """GB 32100 unified social credit code: 18 characters with a MOD 31 check character."""
    text = required_code(value, field).replace(" ", "").upper()
    if _SCIENTIFIC.match(text):
        raise ValidationError(field, f"“{text}”是被 Excel 转成科学计数法的代码，请把该列设为文本格式后重新录入")
    if len(text) != 18:
        raise ValidationError(field, f"应为18位，当前为{len(text)}位")
    try:
        uscc.validate(text)
    except StdnumError as exc:
        problem = "校验位不正确（GB 32100），请核对代码是否录错" if "checksum" in str(exc).lower() else "含有不允许的字符（不得含 I、O、Z、S、V）"
        raise ValidationError(field, problem) from None
    return text


def county_code(value: object, field: str = "行政区划代码") -> str:
    text = required_code(value, field)
    if not re.fullmatch(r"\d{6}", text):
        raise ValidationError(field, "应为6位数字（GB/T 2260），例如 370921")
    if text[:2] not in PROVINCES:
        raise ValidationError(field, f"前两位“{text[:2]}”不是有效的省级代码")
    return text


def calendar_date(value: object, field: str) -> date:
    """A real calendar date, typed as YYYY-MM-DD (or already a date)."""
    if isinstance(value, date):
        return value
    text = required_code(value, field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, f"“{text}”不是有效日期，应写作 YYYY-MM-DD，例如 2026-03-15") from None


def past_date(value: object, field: str, *, today: date | None = None) -> date:
    """A decision date: a real calendar date, not after today."""
    d = calendar_date(value, field)
    if d > (today or date.today()):
        raise ValidationError(field, f"{d.isoformat()} 晚于今天，不能登记尚未作出的决定")
    return d


def amount(value: object, field: str = "金额") -> Decimal:
    """Yuan as Decimal: not negative, at most two decimals, never through float."""
    if type(value) is str and _PLAIN_AMOUNT.match(value):  # the usual "1234.5": nothing to fold or refuse
        return Decimal(value).quantize(CENT)
    if isinstance(value, float):
        raise ValidationError(field, "请以文本形式提供金额（例如 \"123.45\"），以免小数误差")
    text = required_code(value, field).replace(",", "")
    if text.startswith("-"):
        raise ValidationError(field, "不能为负数")
    if not _AMOUNT.match(text):
        raise ValidationError(field, f"“{text[:40]}”不是有效金额，应为数字，最多两位小数")
    if len(text.partition(".")[0].lstrip("0")) > len(str(int(MAX_AMOUNT))):
        raise ValidationError(field, f"金额过大，不能超过 {MAX_AMOUNT:,} 元")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValidationError(field, f"“{text}”不是有效金额") from None
    if d.as_tuple().exponent < -2:
        raise ValidationError(field, f"“{text[:40]}”超过两位小数（金额精确到分）")
    if d > MAX_AMOUNT:
        raise ValidationError(field, f"金额过大，不能超过 {MAX_AMOUNT:,} 元")
    return d.quantize(Decimal("0.01"))


def one_of(value: object, choices: tuple[str, ...] | list[str], field: str) -> str:
    text = required(value, field)
    if text not in choices:
        raise ValidationError(field, f"“{text}”不是可选值，应为：{'、'.join(choices)}")
    return text


def max_length(text: str, limit: int, field: str) -> str:
    """Refuse rather than silently cut text that would not fit its column."""
    if _CONTROL.search(text):
        no_control(text, field)
    if len(text) > limit:
        raise ValidationError(field, f"不能超过{limit}个字符（当前{len(text)}个）")
    return text


_SCALARS = (str, int, Decimal, date, type(None))


def json_fields(data: object, fields: dict[str, str], *, lists: frozenset[str] = frozenset(), what: str = "输入") -> dict:
    """A JSON object with only the documented fields, each of the right JSON type, named when it is not.

    ``fields`` maps each accepted key to the Chinese label the message names; ``lists`` are keys that also
    accept an array of texts.
    """
    if not isinstance(data, dict):
        raise ValidationError(what, f"应为一个 JSON 对象（{{…}}），实际是 {type(data).__name__}")
    for key, value in data.items():
        if key not in fields:
            raise ValidationError(str(key)[:40], f"不是可用的字段；可用字段：{'、'.join(fields)}")
        label = f"{fields[key]}（{key}）"
        if key in lists and isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise ValidationError(label, "应为文本或文本的数组")
        elif isinstance(value, bool) or not isinstance(value, _SCALARS):
            raise ValidationError(label, f"应为文本，实际是 JSON 的 {type(value).__name__}")
    return data


def decode_text(data: bytes, field: str) -> str:
    """A text file as Windows saves it: UTF-8 (with or without BOM), or GBK/GB18030 (Notepad's “ANSI”)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationError(field, "既不是 UTF-8 也不是 GBK/GB18030 编码的文本，请用记事本“另存为”UTF-8 后重试") from None


MAX_FILE = 2 * 2**30  # the largest file read whole (a county's exchange package, a million-row Excel list)
READ_PROBLEMS = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取该文件的权限", errno.EPERM: "没有读取该文件的权限",
                 errno.EISDIR: "这是一个文件夹，不是文件"}


def _size_text(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


def read_input(path: str | Path, field: str, limit: int) -> bytes:
    """A file the user chose, read whole only when it is no larger than ``limit`` (an enormous or endless file
    is refused by its size before it fills the memory); otherwise the field and the problem in words."""
    p = Path(path)
    if p.is_dir():
        raise ValidationError(field, f"{p} {READ_PROBLEMS[errno.EISDIR]}")
    try:
        size = p.stat().st_size
        if size <= limit:
            with p.open("rb") as f:
                data = f.read(limit + 1)  # a file still growing is caught here
            size = max(size, len(data))
    except OSError as exc:
        raise ValidationError(field, f"无法读取 {p}：{READ_PROBLEMS.get(exc.errno, exc.strerror)}") from None
    if size > limit:
        raise ValidationError(field, f"文件 {p.name} 有 {_size_text(size)}，超过 {_size_text(limit)} 的上限，"
                                     "不是本程序可以读取的文件")
    return data


MAX_TEXT = 16 * 2**20  # rule files, holiday schedules, keys and indicator trees are a few KB


def read_text_file(path: str | Path, field: str, limit: int = MAX_TEXT) -> str:
    """A settings or rules file the user chose, as Windows saves text (UTF-8 or GBK), within ``limit``."""
    return decode_text(read_input(path, field, limit), field)
