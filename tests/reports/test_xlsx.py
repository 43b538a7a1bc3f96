"""Exported tables open in another reader with ID numbers intact as text."""
from datetime import date
from decimal import Decimal

import pandas as pd

from reports.xlsx import write_table


def test_id_numbers_stay_text_and_every_row_is_written(tmp_path):
    path = tmp_path / "list.xlsx"
    rows = [(f"3709211980010{n:04d}X", f"姓名{n}", Decimal("1234.50"), date(2026, 1, 2)) for n in range(5000)]
    assert write_table(path, ["身份证号", "姓名", "金额", "日期"], rows, sheet="名单") == 5000
    back = pd.read_excel(path, sheet_name="名单", dtype=str, engine="calamine")
    assert len(back) == 5000
    assert back.iloc[4999]["身份证号"] == "37092119800104999X"
    assert back.iloc[0]["身份证号"] == "37092119800100000X"
    assert back.iloc[0]["姓名"] == "姓名0"


def test_cancelled_export_leaves_no_file(tmp_path):
    path = tmp_path / "x.xlsx"
    rows = ((str(n),) for n in range(10000))
    assert write_table(path, ["n"], rows, progress=lambda *a: False) == -1
    assert not path.exists()
