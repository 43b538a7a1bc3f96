"""文书与签章 in 系统设置: the 发文字号 and the signing certificate are set in the window, not on the command line."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.gui.boxes import press
from views.settings_documents import DocumentsTab

CERT_PASSWORD = "证书口令-2026"


@pytest.fixture
def tab(qtbot, runner, db, admin):
    runner.db = db
    tab = DocumentsTab(runner, admin)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.prefix.text() != "")
    return tab


def test_the_administrator_changes_the_document_number_prefix_with_a_reason(qtbot, tab, db):
    from models.services import notices

    assert tab.prefix.text() == "宁医保"  # the default from the county's name
    tab.prefix.setText("宁阳医保")
    qtbot.mouseClick(tab.save, Qt.MouseButton.LeftButton)  # no reason: refused under its field
    qtbot.waitUntil(lambda: tab.errors.message("变更原因") != "")
    tab.reason.insert("按县政府办文规范")  # committed text, as an input method gives it
    qtbot.mouseClick(tab.save, Qt.MouseButton.LeftButton)
    assert "宁阳医保" in press(qtbot, "确定")
    assert notices.get_settings(db)["prefix"] == "宁阳医保"


def test_the_administrator_installs_the_signing_certificate_from_a_file(qtbot, tab, db, tmp_path, monkeypatch):
    from models.services import signing
    from reports.signing import make_test_certificates

    _ca, p12 = make_test_certificates("宁阳县医疗保障局", CERT_PASSWORD)
    path = tmp_path / "本局证书.p12"
    path.write_bytes(p12)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    tab._choose_file()
    assert tab.cert_file.text() == str(path)
    tab.cert_password.setText("错误的口令")
    qtbot.mouseClick(tab.install, Qt.MouseButton.LeftButton)
    assert "此后印发的告知书都以该证书签章" in press(qtbot, "安装")
    qtbot.waitUntil(lambda: tab.cert_errors.message("证书密码") != "" or tab.cert_errors.message("证书文件") != "")
    assert signing.certificates(db) == []
    tab.cert_password.setText(CERT_PASSWORD)
    qtbot.mouseClick(tab.install, Qt.MouseButton.LeftButton)
    press(qtbot, "安装")
    assert press(qtbot, "确定").startswith("已安装证书")
    assert len(signing.certificates(db)) == 1
    qtbot.waitUntil(lambda: tab.certificates.rowCount() == 1)


def test_the_tab_says_which_fonts_print_and_what_stands_in_for_those_this_pc_lacks(qtbot, tab):
    from reports.fonts import font_set

    qtbot.waitUntil(lambda: tab.fonts.text() != "")
    said = tab.fonts.text()
    assert said == font_set().fallback_text()
    fonts = font_set()
    if any(c.bundled for c in fonts.choices.values()):  # this machine lacks the office's 仿宋 and kin
        assert "本机未找到" in said and "程序自带的霞鹜文楷" in said and "仿宋" in said
    else:
        assert said.startswith("公文字体均使用本机字体")
