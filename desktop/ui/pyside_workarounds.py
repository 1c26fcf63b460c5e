"""Work-arounds for defects of the Qt binding that would crash ClinicDesk. Applied on import of desktop.ui.

PySide6 6.12.0 on Python 3.11 (measured here): the binding hands Python ``None`` / ``True`` / ``False``
without taking the reference it gives away in several places:

- every call to a void Qt method (``label.setText``, ``button.setEnabled``, ...) and every invalid
  QVariant (``index.data(role)`` / ``combo.currentData()`` yielding None, Python delegate overrides
  calling ``super().paint()``) loses one reference to None (about -80 per repaint of a table with a
  Python paint delegate);
- ``Signal.emit()`` loses one to True.

After roughly 5,000 such calls in a fresh process (a loop of ``QLabel.setText`` dies at about 5,070)
CPython aborts with "Fatal Python error: none_dealloc" / "bool_dealloc": in a clinic, mid-session.
Python 3.12 made these singletons immortal (PEP 683), which hides the defect there.

The fix until the binding is corrected: give the three singletons an immortal-sized reference count
at start-up, as Python 3.12 itself does. It is a no-op on 3.12+. The UI code also avoids the worst
patterns (no Python paint delegates; no None item data in combo boxes), see delegates/status_delegate.py.
"""

from __future__ import annotations

import ctypes
import sys

#: 2**40 lost references: a million calls per second for twelve days.
_HEADROOM = 1 << 40


def protect_singleton_refcounts() -> bool:
    """Make None, True and False effectively immortal on Python < 3.12; True if applied now."""
    if sys.version_info >= (3, 12) or getattr(sys, "_clinicdesk_refcount_guard", False):
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Include/object.h, PyObject_HEAD).
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
    sys._clinicdesk_refcount_guard = True  # type: ignore[attr-defined]
    return True
