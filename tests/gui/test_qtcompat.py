"""PySide6 6.12.0 lost a reference to True on every emit(); enough emits aborted the interpreter."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from views.qtcompat import emit


class _Sender(QObject):
    changed = Signal(int)


def test_thousands_of_emits_leave_true_with_its_references():
    sender = _Sender()
    seen = []
    sender.changed.connect(seen.append)
    before = sys.getrefcount(True)
    for n in range(5000):
        emit(sender.changed, n)
    assert len(seen) == 5000
    # Without the work-around True lost 5000 references here (and the process died at exit).
    assert sys.getrefcount(True) >= before
