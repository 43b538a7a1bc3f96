"""Picking a subject by typing: name, pinyin initials, ID number or credit code, looked up on the worker.

The choices come from the same query as the subject list (models/queries/subject_list.py), so a
picker finds a person among 200,000 as fast as the list does. The popup shows what the user needs
to tell namesakes apart: the (masked) number and the category.
"""
from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from models.queries import subject_list
from models.queries.subject_list import SubjectQuery, SubjectRow
from models.services.base import Actor
from views.qtcompat import emit

CHOICES = 20
LOOKUP_DELAY_MS = 250


def label_of(row: SubjectRow) -> str:
    return "　".join(part for part in (row.name, row.number, row.category) if part)


class SubjectPicker(QLineEdit):
    """``picked(row or None)``: a choice was made, or the text no longer names the chosen subject."""

    picked = Signal(object)

    def __init__(self, runner, actor: Actor, *, type: str | None = None, placeholder: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor, self.type = runner, actor, type
        self.registered_at: str | None = None  # institution uuid: only practitioners registered there
        self.row: SubjectRow | None = None
        self._choices: dict[str, SubjectRow] = {}
        self._asked = 0
        self.setPlaceholderText(placeholder or "输入名称、拼音首字母或证件号码后从列表中选择")
        self.setClearButtonEnabled(True)
        self.choices = QStringListModel(self)
        self.completer_ = QCompleter(self.choices, self)
        # The query already matched (initials "zsf" match 张三丰): show its answers unfiltered.
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(12)
        self.setCompleter(self.completer_)
        self.completer_.activated[str].connect(self._chosen)
        self._timer = QTimer(self, singleShot=True, interval=LOOKUP_DELAY_MS, timeout=self.lookup)
        self.textEdited.connect(self._edited)

    def set_registered_at(self, institution: str | None) -> None:
        self.registered_at = institution
        self.clear_choice()

    def clear_choice(self) -> None:
        self.clear()
        self._set_row(None)

    def _edited(self, _text: str) -> None:
        if self.row is not None:
            self._set_row(None)
        self._timer.start()

    def lookup(self) -> None:
        if self.runner.db is None:
            return
        self._asked += 1
        asked = self._asked
        q = SubjectQuery(text=self.text(), type=self.type, registered_at=self.registered_at)
        self.runner.service(subject_list.subject_page, actor=self.actor, q=q, limit=CHOICES,
                            on_done=lambda rows: self._answered(asked, rows))

    def _answered(self, asked: int, rows: list[SubjectRow]) -> None:
        if asked != self._asked or self.row is not None:
            return  # the user typed on (or chose) meanwhile
        self._choices = {label_of(r): r for r in rows}
        labels = list(self._choices) or ["（没有找到，请检查输入）"]
        self.choices.setStringList(labels)
        # Still the field the user is on: the window's focus, not the application's. A window that lost
        # activation for a moment (a popup just closed, another window flashed) keeps its focus field,
        # and the answer must not be dropped then; a user who moved to another field gets no popup.
        if self.window().focusWidget() is self:
            self.completer_.complete()

    def _chosen(self, text: str) -> None:
        row = self._choices.get(text)
        if row is None:
            self.clear()
            return
        # QCompleter writes the activated text after this slot; set ours once it has.
        QTimer.singleShot(0, lambda: self.setText(label_of(row)))
        self._set_row(row)

    def choose(self, row: SubjectRow) -> None:
        """Set the choice directly (a row picked elsewhere, or a test)."""
        self._choices[label_of(row)] = row
        self.setText(label_of(row))
        self._set_row(row)

    def _set_row(self, row: SubjectRow | None) -> None:
        self.row = row
        emit(self.picked, row)

    def keyPressEvent(self, event) -> None:
        # Down arrow on an empty picker lists the first choices (e.g. everyone registered at the institution).
        if event.key() == Qt.Key.Key_Down and not self.completer_.popup().isVisible():
            self.lookup()
            return
        super().keyPressEvent(event)
