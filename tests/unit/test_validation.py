"""Input checks: the field is named, the problem is said in Chinese, nothing wrong is stored."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from stdnum.cn import ric

from models.validation import ValidationError, amount, credit_code, county_code, id_number, past_date

GOOD_ID = "11010519491231002X"  # the GB 11643 standard's own example


def with_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum wants the check position present


def refused(fn, value, *words):
    with pytest.raises(ValidationError) as exc:
        fn(value)
    for word in words:
        assert word in str(exc.value), str(exc.value)
    return exc.value


def test_valid_id_number_is_accepted_as_is():
    assert id_number(GOOD_ID) == GOOD_ID


def test_wrong_id_checksum_is_refused_gb11643():
    bad = GOOD_ID[:-1] + "1"
    err = refused(id_number, bad, "身份证号", "校验位")
    assert err.field == "身份证号"


def test_seventeen_digits_is_refused_with_the_length():
    refused(id_number, GOOD_ID[:17], "身份证号", "18位", "17位")


def test_lower_case_x_check_digit_is_stored_as_upper_case():
    assert id_number(GOOD_ID.lower()) == GOOD_ID


def test_excel_scientific_notation_is_refused_and_explained():
    refused(id_number, "4.10123E+17", "身份证号", "科学计数法", "文本")


def test_full_width_digits_and_spaces_are_folded():
    full = "".join(chr(ord(c) + 0xFEE0) for c in GOOD_ID[:17]) + "Ｘ"
    assert id_number(f"  {full} ") == GOOD_ID


def test_impossible_birth_date_is_refused():
    refused(id_number, with_check("11010519490231002"), "出生日期")


def test_unknown_province_is_refused():
    refused(id_number, with_check("99010519491231002"), "省级")


def test_credit_code_checksum_gb32100():
    assert credit_code("91350100M000100Y43") == "91350100M000100Y43"
    refused(credit_code, "91350100M000100Y44", "统一社会信用代码", "校验位")
    refused(credit_code, "91350100M000100Y4", "18位")


def test_county_code_needs_six_digits():
    assert county_code("370921") == "370921"
    refused(county_code, "37092", "行政区划代码", "6位")


def test_future_decision_date_is_refused():
    tomorrow = date.today() + timedelta(days=1)
    refused(lambda v: past_date(v, "决定日期"), tomorrow.isoformat(), "决定日期", "晚于今天")
    assert past_date(date.today().isoformat(), "决定日期") == date.today()


def test_malformed_date_is_refused_with_the_expected_format():
    refused(lambda v: past_date(v, "决定日期"), "2026/3/15", "决定日期", "YYYY-MM-DD")


def test_negative_amount_is_refused():
    refused(amount, "-1.00", "金额", "负数")


def test_three_decimal_amount_is_refused_not_rounded():
    refused(amount, "100.005", "金额", "两位小数")


def test_float_amount_is_refused_to_avoid_binary_rounding():
    refused(amount, 0.1, "金额", "文本")


def test_amount_keeps_exact_cents():
    assert amount("99999.99") == Decimal("99999.99")
    assert amount("1,000") == Decimal("1000.00")


def test_a_file_larger_than_its_limit_is_refused_by_its_size_unread(tmp_path, monkeypatch):
    from pathlib import Path

    from models.validation import read_input

    huge = tmp_path / "package.zip"
    with huge.open("wb") as f:
        f.truncate(3 * 2**30)  # 3 GB of nothing on disk: reading it would take 3 GB of memory
    read = []
    monkeypatch.setattr(Path, "open", lambda *a, **k: read.append(a) or (_ for _ in ()).throw(AssertionError))
    with pytest.raises(ValidationError, match=r"数据包：文件 package.zip 有 3072 MB，超过 2048 MB 的上限"):
        read_input(huge, "数据包", 2 * 2**30)
    assert read == []
    monkeypatch.undo()
    with pytest.raises(ValidationError, match="附件：无法读取 .*：文件不存在"):
        read_input(tmp_path / "missing.pdf", "附件", 100)
    with pytest.raises(ValidationError, match="这是一个文件夹，不是文件"):
        read_input(tmp_path, "附件", 2**20)
    small = tmp_path / "ok.pdf"
    small.write_bytes(b"%PDF-1.7")
    assert read_input(small, "附件", 8) == b"%PDF-1.7"
