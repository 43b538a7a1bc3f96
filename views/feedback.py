"""Asking before an irreversible act and saying what happened after it, the same way on every screen.

Both boxes are window-modal and open without a nested event loop (``open``), so the worker keeps
delivering results and tests drive them as a user would: read the text, press the button.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(parent: QWidget, title: str, text: str, do: str, on_yes: Callable[[], None],
        on_no: Callable[[], None] | None = None) -> QMessageBox:
    """``text`` says in words what will happen; ``do`` names the act on its button (e.g. 确认记分)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(do, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton("取消", QMessageBox.ButtonRole.RejectRole))  # Enter must not decide
    box.setEscapeButton(box.buttons()[-1])

    def finished(_code: int) -> None:
        if box.clickedButton() is yes:
            on_yes()
        elif on_no is not None:
            on_no()

    box.finished.connect(finished)
    box.open()
    return box


def tell(parent: QWidget, title: str, text: str) -> QMessageBox:
    """The visible result after an act: what was done and what happens next."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    box.open()
    return box
