"""What every form shares: inline error messages under the field they concern, busy state.

Validation lives in the services (one source of truth for the rules); a form only shows the
refusal next to the field the service named in ``ValidationError.field``.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from models.actors import ServiceError, ValidationError
from views.feedback import ask
from views.qtcompat import emit

ERROR_STYLE = "color: #b3261e;"


def user_message(exc: BaseException) -> str | None:
    """The text to show as-is, for refusals the services phrase for users (Chinese, complete)."""
    return str(exc) if isinstance(exc, (ServiceError, ValidationError)) else None


def later(module: str, name: str) -> Callable:
    """A service function imported when it is first called, which is on the worker.

    For the first dialog only: it paints before the database layer (SQLAlchemy, about 0.3 s) is
    loaded, which the worker does while the user types.
    """
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__qualname__ = f"{module}.{name}"
    return call


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # can be copied into a report
    label.hide()
    return label


def heading(text: str, scale: float = 1.4) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


class FormErrors:
    """A form's messages, keyed by the field name services use, all in one reserved area.

    The area (``self.area``, placed once by the form, usually above its buttons) keeps room for
    two lines whether or not a message shows, so a refusal never pushes fields or buttons from
    under the pointer. The focus goes to the field a message concerns; the message names it.
    """

    def __init__(self, general: QLabel):
        self.general = general  # for refusals that concern no single field
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self.area = QWidget()
        self._area_layout = QVBoxLayout(self.area)
        self._area_layout.setContentsMargins(0, 0, 0, 0)
        self._area_layout.setSpacing(0)
        self._area_layout.addWidget(general)
        self._area_layout.addStretch(1)
        self.area.setMinimumHeight(2 * general.fontMetrics().lineSpacing() + 4)

    def add_row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        """``label`` carries the mnemonic (行政区划代码(&C)); ``field`` is the name services use."""
        form.addRow(label, widget)
        message = error_label()
        self._area_layout.insertWidget(self._area_layout.count() - 1, message)
        self._fields[field] = (widget, message)

    def align_labels(self) -> None:
        """One label column across several group boxes, so the fields line up."""
        labels = [w.parentWidget().layout().labelForField(w) for w, _m in self._fields.values()]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def clear(self) -> None:
        for _widget, message in self._fields.values():
            message.hide()
        self.general.hide()

    def show(self, field: str | None, text: str) -> None:
        widget, message = self._fields.get(field, (None, self.general))
        message.setText(text)
        message.show()
        if widget is not None:
            widget.setFocus()
            if hasattr(widget, "selectAll"):
                widget.selectAll()

    def show_exception(self, exc: BaseException) -> bool:
        """Shows a service refusal inline; False for unexpected errors, which the runner reports."""
        text = user_message(exc)
        if text is None:
            return False
        self.show(exc.field if isinstance(exc, ValidationError) else None, text)
        return True

    def message(self, field: str | None) -> str:
        """The visible message for ``field`` (None: the general one); empty when none is shown."""
        _widget, label = self._fields.get(field, (None, self.general))
        return label.text() if not label.isHidden() else ""


def typed_into(root: QWidget) -> bool:
    """The user typed something into the form that is not saved yet (text set by the program is not)."""
    return (any(edit.isModified() for edit in root.findChildren(QLineEdit))
            or any(edit.document().isModified() for edit in root.findChildren(QPlainTextEdit)))


def reject_unless_typed(dialog: QDialog, reject: Callable[[], None]) -> None:
    """Esc or 取消 on a filled form asks before the typed text is thrown away."""
    if typed_into(dialog):
        ask(dialog, "放弃填写", "已填写的内容尚未保存，关闭后将丢失。确定放弃吗？", "放弃填写(&D)", reject)
    else:
        reject()


def set_busy(root: QWidget, busy: bool) -> None:
    """While the worker checks the input, the form cannot be edited or submitted twice.

    Widgets a form disabled itself stay disabled afterwards: Qt remembers explicit disabling.
    """
    for child in root.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not isinstance(child, QLabel):
            child.setEnabled(not busy)
    if busy:
        root.setCursor(Qt.CursorShape.BusyCursor)
    else:
        root.unsetCursor()


class ServiceDialog(QDialog):
    """A dialog whose 保存 runs one service on the worker: busy while it runs, ``saved(value)`` and
    closed when it succeeds, the refusal under its field (``self.errors``) when it does not."""

    saved = Signal(object)

    def __init__(self, runner, actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.result_info = None

    def reject(self) -> None:
        if not self.runner.busy:
            reject_unless_typed(self, super().reject)

    def lay_out(self, form: QFormLayout, ok_text: str) -> None:
        """The form, its reserved message area, then ``ok_text`` (default: Enter) and 取消 (Esc);
        ``submit`` runs on OK."""
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.area)
        layout.addWidget(buttons)

    def run_service(self, fn, **kwargs) -> None:
        set_busy(self, True)
        self.runner.service(fn, actor=self.actor, **kwargs, on_done=self._saved, on_error=self._refused)

    def _saved(self, result) -> None:
        set_busy(self, False)
        self.result_info = result.value
        emit(self.saved, result.value)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        set_busy(self, False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
