"""What the daily screens share: the section header, role checks shown on the controls, dates."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from models.services.base import PERMISSIONS, ROLES, Actor
from models.services.cases import FourEyes, four_eyes
from models.validation import ValidationError
from views.forms import FormErrors, heading


def section_header(title: str, purpose: str) -> tuple[QLabel, QLabel]:
    """The page title and one line saying what the section is for (same words as the navigation's)."""
    label = QLabel(purpose)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return heading(title, 1.4), label


def roles_for(permission: str) -> str:
    return "、".join(ROLES[r] for r in ROLES if r in PERMISSIONS[permission])


def allow(widget: QWidget, actor: Actor, permission: str, tip: str = "") -> bool:
    """Enable ``widget`` only for roles holding ``permission``; otherwise say which role is needed.

    The services refuse anyway; this only spares the user a surprise refusal.
    """
    ok = actor.can(permission)
    widget.setEnabled(ok)
    widget.setToolTip(tip if ok else f"需要角色：{roles_for(permission)}（当前用户{actor.display_name}的角色："
                                      f"{actor.role_names or '无'}）")
    return ok


def four_eyes_block(actor: Actor, entered_by: str | None, what: str, verb: str) -> str | None:
    """Why the current user may not decide this case (双人复核), in the service's own words; None if they may."""
    try:
        four_eyes(actor, entered_by, what, verb)
    except FourEyes as exc:
        return str(exc)
    return None


def iso(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


class LiveErrors(FormErrors):
    """Inline messages while typing: shown or cleared without moving the cursor away."""

    def note(self, field: str, text: str | None) -> None:
        _widget, message = self._fields[field]
        message.setText(text or "")
        message.setVisible(bool(text))

    def watch(self, field: str, line: QLineEdit, validate: Callable[[str], object]) -> None:
        """Check ``line`` as the user types; on leaving it, only add a problem.

        Leaving a field changes nothing in it, so it must not erase a message about it: a refusal
        from the services stays until the user edits the field (or the focus merely moved on).
        """
        line.textEdited.connect(lambda text: self.note(field, check(validate, text)))
        line.editingFinished.connect(lambda: self._on_leaving(field, check(validate, line.text())))

    def _on_leaving(self, field: str, problem: str | None) -> None:
        if problem:
            self.note(field, problem)


def check(validate: Callable[[str], object], text: str) -> str | None:
    try:
        validate(text)
    except ValidationError as exc:
        return str(exc)
    return None
