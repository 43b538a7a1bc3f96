"""数据交换 screen: keys with fingerprints, a package checked (dry run) before it is applied, history, Excel."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from test_exchange_support import (bureau, export, id_number, institution, introduce, practitioner,  # noqa: E402
                                   receive, violation)


@pytest.fixture
def city_and_county(tmp_path, runner):
    city = bureau(tmp_path / "city", "370900", "泰安市")
    county = bureau(tmp_path / "a", "370921", "宁阳县")
    runner.db = city.db
    yield city, county
    city.db.dispose()
    county.db.dispose()


@pytest.fixture
def page(qtbot, runner, city_and_county):
    from views.page_exchange import SECTION, make_page

    assert SECTION == "数据交换"
    city, _county = city_and_county
    widget = make_page(runner, city.admin)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: "指纹" in widget.keys_tab.own.text())
    return widget


def test_partner_key_is_imported_only_with_the_fingerprint_read_out_by_phone(qtbot, page, city_and_county, tmp_path):
    from models.services.exchange import keys

    city, county = city_and_county
    key_file = tmp_path / "宁阳县公钥.json"
    key_file.write_text(keys.public_key_file(county.db), encoding="utf-8")
    tab = page.keys_tab
    tab.partner_file.setText(str(key_file))
    tab.import_.click()
    assert "请填写与对方电话核对过的指纹" in tab.errors.message("指纹")
    tab.expected.setText("0000 1111")
    tab.import_.click()
    qtbot.waitUntil(lambda: bool(tab.errors.message("指纹")))
    assert "不一致" in tab.errors.message("指纹") and keys.partners(city.db) == []
    tab.expected.setText(keys.own_key(county.db).shown)
    tab.import_.click()
    qtbot.waitUntil(lambda: tab.partners.rowCount() == 1)
    assert tab.partners.rows[0][0] == "370921" and tab.partners.rows[0][3] == keys.own_key(county.db).shown


def test_a_package_is_checked_then_applied_and_appears_in_the_history(qtbot, qtmodeltester, page, city_and_county, tmp_path):
    city, county = city_and_county
    introduce(county, city)
    hospital = institution(county, 1, "宁阳县人民医院")
    practitioner(county, id_number(1), "张伟", hospital)
    violation(county, id_number(1), "宁医保协〔2026〕3号")
    package = export(county, city, tmp_path / "out")
    tab = page.import_tab
    page.tabs.setCurrentWidget(tab)
    tab.file.setText(str(package))
    assert not tab.apply.isEnabled()  # nothing is applied before it was checked
    tab.check.click()
    qtbot.waitUntil(lambda: tab.apply.isEnabled(), timeout=10000)
    assert "签名和摘要核对无误" in tab.message.text()
    rows = {r[0]: r for r in tab.summary.rows}
    assert rows["信用主体"][1] == 2 and rows["信用信息"][1] == 2  # the practitioner's and the hospital's record
    qtmodeltester.check(tab.summary)
    from models.services.exchange import history

    assert history.packages(city.db) == []  # the dry run wrote nothing
    tab.apply.click()
    qtbot.waitUntil(lambda: tab.message.text().startswith("已导入"), timeout=10000)
    page.tabs.setCurrentWidget(page.history_tab)
    qtbot.waitUntil(lambda: page.history_tab.model.rowCount() == 1)
    assert page.history_tab.model.rows[0][1:3] == ("收到", "数据包")
    qtmodeltester.check(page.history_tab.model)
    # The same file again is recognised as a resend and cannot be applied twice.
    page.tabs.setCurrentWidget(tab)
    tab.file.setText(str(package) + " ")
    tab.file.setText(str(package))
    tab.check.click()
    qtbot.waitUntil(lambda: "重复发送" in tab.message.text(), timeout=10000)
    assert not tab.apply.isEnabled()


def test_a_tampered_package_is_refused_with_the_reason_on_screen(qtbot, page, city_and_county, tmp_path):
    city, county = city_and_county
    introduce(county, city)
    institution(county, 1, "宁阳县人民医院")
    package = export(county, city, tmp_path / "out")
    data = bytearray(package.read_bytes())
    data[len(data) // 2] ^= 0x40
    package.write_bytes(bytes(data))
    tab = page.import_tab
    tab.file.setText(str(package))
    tab.check.click()
    qtbot.waitUntil(lambda: bool(tab.errors.message(None)), timeout=10000)
    assert "不予导入" in tab.errors.message(None) or "已损坏" in tab.errors.message(None)
    assert not tab.apply.isEnabled()


def test_export_writes_the_next_package_for_the_chosen_receiver(qtbot, page, city_and_county, tmp_path):
    city, county = city_and_county
    introduce(county, city)
    out = tmp_path / "to-county"
    out.mkdir()
    tab = page.export_tab
    page.refresh()
    qtbot.waitUntil(lambda: tab.receiver.count() == 1)
    tab.folder.setText(str(out))
    tab.go.click()
    qtbot.waitUntil(lambda: bool(tab.errors.message(None)) or bool(tab.result.text()), timeout=10000)
    # The city holds nothing for this county yet: it says so instead of writing an empty package.
    assert "没有需要发送给 宁阳县（370921）的数据" in tab.errors.message(None)
    tab.years.setText("二〇二七")
    tab.go.click()
    assert "请填写年份数字" in tab.errors.message("节假日安排")
    tab.years.setText("2026")
    tab.go.click()
    qtbot.waitUntil(lambda: bool(tab.result.text()), timeout=10000)
    assert "已导出第1号数据包" in tab.result.text() and len(list(out.glob("*.zip"))) == 1


def test_excel_roster_check_lists_errors_then_only_valid_rows_are_taken(qtbot, page, city_and_county, tmp_path):
    import openpyxl

    from models.services import subjects
    from test_exchange_support import credit_code

    city, _county = city_and_county
    subjects.add_subject(city.db, actor=city.admin, data={"type": "institution", "name": "泰山医院", "credit_code": credit_code(7)})
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["姓名", "身份证号", "人员类别", "执业注册号", "执业机构统一社会信用代码"])
    ws.append(["张伟", id_number(1), "医师", "", credit_code(7)])
    ws.append(["李娜", 4.10123456789012e17, "医师", "", credit_code(7)])
    path = tmp_path / "名册.xlsx"
    book.save(path)
    tab = page.excel_tab
    tab.file.setText(str(path))
    tab.check.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=10000)
    assert tab.model.rows[0][:2] == (3, "身份证号") and "4.10123E+17" in tab.model.rows[0][2]
    assert tab.take_valid.isEnabled() and not tab.take_all.isEnabled()
    tab.take_valid.click()
    qtbot.waitUntil(lambda: tab.message.text().startswith("已导入"), timeout=10000)
    assert tab.message.text() == "已导入 1 行；1 行有错误未导入"
    report = tmp_path / "错误报告.xlsx"
    tab.save_to.setText(str(report))
    tab.report.click()
    qtbot.waitUntil(lambda: tab.message.text().startswith("已保存错误报告"), timeout=10000)
    assert [c.value for c in openpyxl.load_workbook(report).active[2]][:2] == [3, "身份证号"]


def test_a_reviewer_without_key_rights_cannot_make_or_import_keys(qtbot, runner, city_and_county):
    from models.services.base import Actor
    from views.page_exchange import make_page

    reviewer = Actor("r", "审核员甲", frozenset({"reviewer"}))
    widget = make_page(runner, reviewer)
    qtbot.addWidget(widget)
    assert not widget.keys_tab.make.isEnabled() and not widget.keys_tab.import_.isEnabled()
    assert widget.import_tab.check.isEnabled() and not widget.excel_tab.check.isEnabled()


def test_enter_in_the_file_field_checks_the_package(qtbot, page, city_and_county, tmp_path):
    from PySide6.QtCore import Qt

    city, county = city_and_county
    introduce(county, city)
    institution(county, 1, "宁阳县人民医院")
    package = export(county, city, tmp_path / "out")
    tab = page.import_tab
    page.tabs.setCurrentWidget(tab)
    tab.file.edit.setFocus()
    tab.file.setText(str(package))
    qtbot.keyClick(tab.file.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.apply.isEnabled(), timeout=10000)
    assert tab.summary.rows[0][0] == "信用主体"


def test_a_receipt_is_made_for_the_package_just_applied(qtbot, page, city_and_county, tmp_path):
    from models.services.exchange import importer

    city, county = city_and_county
    introduce(county, city)
    institution(county, 1, "宁阳县人民医院")
    package = export(county, city, tmp_path / "out")
    importer.import_package(city.db, actor=city.admin, data=package.read_bytes())
    tab = page.import_tab
    page.tabs.setCurrentWidget(tab)
    page.refresh()
    qtbot.waitUntil(lambda: tab.partner.count() == 1 and "已导入至第1号" in tab.partner.currentText())
    folder = tmp_path / "receipts"
    folder.mkdir()
    tab.receipt_folder.setText(str(folder))
    tab.make_receipt.click()
    qtbot.waitUntil(lambda: tab.message.text().startswith("已生成回执"), timeout=10000)
    assert [p.name for p in folder.iterdir()] == ["creditdesk-receipt-370900-to-370921-000001.zip"]


def test_the_city_sees_each_county_and_a_practitioners_points_from_every_county(qtbot, qtmodeltester, page,
                                                                                city_and_county, tmp_path):
    """鲁医保发〔2024〕25号 第五条: the city adds up the points two counties recorded for one practitioner."""
    city, county = city_and_county
    other = bureau(tmp_path / "b", "370923", "东平县")
    try:
        for c, serial, name, case in ((county, 1, "宁阳县人民医院", "宁医保协〔2026〕3号"),
                                      (other, 2, "东平县中医医院", "东医保协〔2026〕7号")):
            introduce(c, city)
            practitioner(c, id_number(1), "张伟", institution(c, serial, name))
            violation(c, id_number(1), case)
            receive(city, export(c, city, tmp_path / c.code))
    finally:
        other.db.dispose()
    tab = page.city_tab
    page.refresh()
    qtbot.waitUntil(lambda: page.tabs.isTabVisible(page.tabs.indexOf(tab)) and tab.counties.rowCount() == 2)
    qtmodeltester.check(tab.counties)
    page.tabs.setCurrentWidget(tab)
    tab.number.setText("370921198001010")
    tab.lookup.click()
    qtbot.waitUntil(lambda: bool(tab.errors.message("身份证号")), timeout=10000)
    tab.number.setText(id_number(1))
    tab.lookup.click()
    qtbot.waitUntil(lambda: tab.entries.rowCount() == 2, timeout=10000)
    assert "记分合计 12 分（宁阳县 6 分，东平县 6 分）" in tab.result.text()


def test_a_county_has_no_city_tab(qtbot, runner, tmp_path):
    from views.page_exchange import make_page

    county = bureau(tmp_path / "a", "370921", "宁阳县")
    try:
        runner.db = county.db
        widget = make_page(runner, county.admin)
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitUntil(lambda: "指纹" in widget.keys_tab.own.text())
        assert not widget.tabs.isTabVisible(widget.tabs.indexOf(widget.city_tab))
    finally:
        county.db.dispose()
