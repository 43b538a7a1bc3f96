"""Work-arounds for defects in the Qt binding, each checked at run time so it retires itself.

PySide6 6.12.0: ``SignalInstance.emit()`` returns True (or False) without taking a reference.
On Python 3.11, where True is not immortal, every ``emit()`` from Python code lowers True's
reference count by one; after a few hundred emits the interpreter aborts with "bool_dealloc:
deallocating True or False". 6.11.3 does not do this. A long task reports progress thousands of
times, so every emit in this program goes through :func:`emit`.
"""
from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    fired = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.fired.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):  # give back what the probe itself took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost > 0


EMIT_DROPS_A_REFERENCE = _emit_drops_a_reference()


def emit(signal, *args) -> bool:
    """``signal.emit(*args)``, giving back the reference the binding fails to take."""
    result = signal.emit(*args)
    if EMIT_DROPS_A_REFERENCE:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
    return result
