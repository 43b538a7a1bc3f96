"""The main window: nine sections, keyboard switching, who is signed in, fits 1366×768."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop.mainwindow import SECTIONS, MainWindow

EXPECTED = ["工作台", "信用档案", "违规录入", "异议与修复", "等级分布", "抽查", "告知书", "数据交换", "系统设置", "年度评价"]


@pytest.fixture
def window(qtbot, runner, admin, tmp_path):
    window = MainWindow(runner, admin, "宁阳县", str(tmp_path / "t.sqlite3"), tmp_path / "t.sqlite3")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_ten_sections_each_with_its_page(window):
    assert window.section_names() == EXPECTED
    assert window.pages.count() == 10
    assert window.windowTitle() == "宁阳县"  # Qt adds " — 医保信用管理系统" once
    assert window.current_section() == "工作台"


def test_ctrl_2_switches_to_the_credit_files(qtbot, window):
    qtbot.keyClick(window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == "信用档案"
    assert window.pages.currentWidget().title.text() == "信用档案"
    qtbot.keyClick(window.nav, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == "系统设置"
    qtbot.keyClick(window.nav, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # the tenth section
    assert window.current_section() == "年度评价"


def test_every_page_says_what_it_is_for_without_talking_about_development(window):
    for index, (name, purpose) in enumerate(SECTIONS):
        page = window.page(name)
        assert page.title.text() == name and page.purpose.text() == purpose
        assert not any(word in purpose for word in ("开发", "待实现", "尚未", "TODO", "占位"))


def test_status_bar_names_the_user_their_roles_and_the_database(window, tmp_path):
    labels = window.statusBar().findChildren(QLabel)
    shown = " ".join(label.text() for label in labels)
    assert "系统管理员（admin）" in shown and "角色：管理员" in shown
    assert any(label.toolTip() == str(tmp_path / "t.sqlite3") for label in labels)


def test_a_disabled_section_cannot_be_reached_by_shortcut(qtbot, window):
    window.set_section_enabled("违规录入", False)
    qtbot.keyClick(window.nav, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == "工作台"
    assert not window.nav.item(2).flags() & Qt.ItemFlag.ItemIsEnabled
    window.set_section_enabled("违规录入", True)
    qtbot.keyClick(window.nav, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == "违规录入"


def test_fits_a_1366_by_768_screen(window):
    """Common office screens are 1366×768; the taskbar leaves about 728 pixels."""
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 728


def test_size_and_splitter_are_remembered(qtbot, runner, admin, window, tmp_path):
    window.resize(790, 560)  # within the offscreen platform's 800×600 screen, or Qt clamps it
    window.splitter.setSizes([200, 585])
    window.close()
    again = MainWindow(runner, admin, "宁阳县", "x", None)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (790, 560)
    assert again.splitter.sizes()[0] == 200
    assert not again.backup_action.isEnabled()  # no SQLite file: the server's admin backs it up


def test_backup_is_a_consistent_copy_and_only_for_administrators(qtbot, runner, db, admin, tmp_path):
    from models.services.backup import make_backup as backup_database
    from models.services.base import Actor, PermissionDenied
    from models.services.county import get_county

    clerk = Actor("li", "李录入", frozenset({"clerk"}))
    with pytest.raises(PermissionDenied, match="备份数据库"):
        backup_database(db, actor=clerk, dest=str(tmp_path / "no.sqlite3"))
    assert not (tmp_path / "no.sqlite3").exists()

    runner.db = db
    saved = []
    runner.service(backup_database, actor=admin, dest=str(tmp_path / "copy.sqlite3"), on_done=saved.append)
    qtbot.waitUntil(lambda: bool(saved))
    from models.db.database import open_database

    copy = open_database(saved[0].value.path)
    assert get_county(copy).name == "宁阳县"
    copy.dispose()
    window = MainWindow(runner, clerk, "宁阳县", "x", tmp_path / "t.sqlite3")
    qtbot.addWidget(window)
    assert not window.backup_action.isEnabled()


def test_f1_opens_the_user_guide_at_the_section_of_the_current_page(qtbot, window):
    """Issue 13: 帮助 opens the guide in the program; F1 goes to the section of the page in front."""
    window.show_section("信用档案")
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.help
    qtbot.waitUntil(lambda: guide is not None and guide.isVisible())
    cursor = guide.browser.textCursor()
    assert cursor.block().text() == "信用档案" and cursor.block().blockFormat().headingLevel() == 2
    assert "拼音首字母" in guide.browser.toPlainText()
    assert all(guide.show_section(name) for name in window.section_names())  # every section is described


def test_the_guide_shows_its_screenshots_shrunk_to_fit_beside_the_text(qtbot, window):
    from views.help_window import IMAGE_WIDTH

    guide = window.show_help()
    widths = []
    block = guide.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                widths.append(fmt.toImageFormat().width())
            it += 1
        block = block.next()
    assert widths and max(widths) <= IMAGE_WIDTH
