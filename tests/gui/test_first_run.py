"""First start: the county and the first administrator, refused with the field named."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models.services.county import get_county
from views.first_run import NO_PROFILES, FirstRunDialog


@pytest.fixture
def dialog(qtbot, runner, empty_db, profile):
    from models.services.county import available_profiles

    runner.db = empty_db
    dialog = FirstRunDialog(runner, available_profiles())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(qtbot, dialog, *, code="370921", password2="abc12345"):
    qtbot.keyClicks(dialog.code, code)
    dialog.name.setText("宁阳县")  # QTest types ASCII only; an IME would deliver this
    dialog.username.setText("admin")
    qtbot.keyClicks(dialog.password, "abc12345")
    qtbot.keyClicks(dialog.password2, password2)


def test_a_five_digit_county_code_is_refused_naming_the_field(qtbot, dialog, runner, empty_db):
    """GB/T 2260 行政区划代码 has six digits."""
    fill(qtbot, dialog, code="37092")
    qtbot.keyClick(dialog.password2, Qt.Key.Key_Return)  # Enter submits from any field
    qtbot.waitUntil(lambda: dialog.errors.message("行政区划代码") != "")
    assert "行政区划代码" in dialog.errors.message("行政区划代码")
    assert "6位" in dialog.errors.message("行政区划代码")
    assert dialog.isVisible() and dialog.result() == 0
    qtbot.waitUntil(lambda: dialog.ok.isEnabled())  # the form can be corrected and sent again
    assert dialog.code.hasFocus()
    assert get_county(empty_db) is None


def test_mismatched_passwords_are_refused_before_anything_is_written(qtbot, dialog, runner, empty_db):
    fill(qtbot, dialog, password2="abc12346")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.errors.message("确认密码") == "确认密码：两次输入的密码不一致"
    assert not runner.busy
    assert dialog.isVisible()
    assert get_county(empty_db) is None


def test_valid_input_initialises_the_database_and_closes(qtbot, dialog, empty_db):
    fill(qtbot, dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert (dialog.county.code, dialog.county.name) == ("370921", "宁阳县")
    assert dialog.admin.username == "admin"
    assert get_county(empty_db).name == "宁阳县"


def test_without_any_policy_profile_the_dialog_says_so_and_cannot_be_submitted(qtbot, runner):
    dialog = FirstRunDialog(runner, {})
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    assert dialog.errors.message(None) == NO_PROFILES


def test_demo_scale_can_only_be_chosen_with_demo_data(qtbot, runner):
    dialog = FirstRunDialog(runner, {"x": "示例"})
    qtbot.addWidget(dialog)
    assert not dialog.large.isEnabled()
    if dialog.demo.isEnabled():
        dialog.demo.setChecked(True)
        assert dialog.large.isEnabled() and dialog.small.isChecked()


def test_tab_goes_through_the_fields_in_reading_order(qtbot, runner):
    dialog = FirstRunDialog(runner, {"x": "示例"})
    qtbot.addWidget(dialog)
    expected = [dialog.code, dialog.name, dialog.profile, dialog.username, dialog.password, dialog.password2, dialog.demo]
    order, widget = [], dialog.code
    for _step in range(200):  # the chain is a ring; once round is enough
        if widget in expected and widget not in order:
            order.append(widget)
        widget = widget.nextInFocusChain()
    assert order == expected


def test_small_demo_data_is_loaded_after_initialising(qtbot, dialog):
    if not dialog.demo.isEnabled():
        pytest.skip("models.services.demo is not part of this installation")
    fill(qtbot, dialog)
    dialog.demo.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.demo_summary.scale == "small"
    assert dialog.demo_summary.insured > 0


def test_a_shandong_county_code_proposes_the_shandong_profile_and_says_why(qtbot, runner, empty_db):
    """Issue 13: 370921 is in Shandong (37); first run no longer proposes 磐安县（浙江省）rules for it."""
    from models.services.county import available_profiles, profile_provinces

    runner.db = empty_db
    dialog = FirstRunDialog(runner, available_profiles(), provinces=profile_provinces())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code, "370921")
    assert dialog.profile.currentData() == "shandong"
    assert "37" in dialog.proposal.text() and "山东省" in dialog.proposal.text()
    dialog.code.clear()
    qtbot.keyClicks(dialog.code, "330727")  # 磐安县, Zhejiang
    assert dialog.profile.currentData() == "panan" and "浙江省" in dialog.proposal.text()
