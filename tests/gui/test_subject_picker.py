"""The subject picker offers its choices to the field the user typed in, however late they arrive."""
from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from tests.gui.test_files_support import (  # noqa: F401  (fixtures)
    actor, demo_db, demo_template, practitioner_with_registration,
)
from views.subject_picker import SubjectPicker


def form(qtbot, runner, db):
    runner.db = db
    window = QWidget()
    picker = SubjectPicker(runner, actor("clerk"))
    other = QLineEdit()
    layout = QVBoxLayout(window)
    layout.addWidget(picker)
    layout.addWidget(other)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window, picker, other


def test_choices_that_arrive_while_the_window_is_briefly_inactive_still_pop_up(qtbot, runner, demo_db):
    """Under load the answer can come while another window (a closing popup) holds the activation."""
    target = practitioner_with_registration(demo_db)
    window, picker, _other = form(qtbot, runner, demo_db)
    picker.setFocus()
    qtbot.keyClicks(picker, target["initials"])
    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow())
    qtbot.waitUntil(lambda: any(target["name"] in c for c in picker.choices.stringList()), timeout=10_000)
    qtbot.waitUntil(picker.completer_.popup().isVisible)


def test_no_popup_for_a_field_the_user_has_left(qtbot, runner, demo_db):
    target = practitioner_with_registration(demo_db)
    _window, picker, other = form(qtbot, runner, demo_db)
    picker.setFocus()
    qtbot.keyClicks(picker, target["initials"])
    other.setFocus()  # moved on before the answer came
    qtbot.waitUntil(lambda: any(target["name"] in c for c in picker.choices.stringList()), timeout=10_000)
    assert not picker.completer_.popup().isVisible()
