"""Work-arounds for defects of the Qt binding that would crash ClinicDesk. Applied on import of desktop.ui.

PySide6 6.12 on Python 3.11: whenever a C++ call hands Python an *invalid* QVariant, the binding
returns ``None`` without taking a reference to it. Every ``index.data(role)`` or ``combo.currentData()``
that yields None, and every Python delegate override that calls ``super().paint()`` /
``initStyleOption()`` over a model whose ``data()`` returns None for unused roles, lowers None's
reference count by one (measured here: -1 per call, about -80 per repaint of a table with a Python
paint delegate). After some thousands of such calls CPython aborts with "Fatal Python error:
none_dealloc: deallocating None" - in a clinic, mid-session. Python 3.12 made None immortal (PEP 683),
which hides the defect there.

The fix until the binding is corrected: give None an immortal-sized reference count at start-up, as
Python 3.12 itself does. It is a no-op on 3.12+. The UI code also avoids the patterns above where it
can (no Python paint delegates; no None item data in combo boxes), see delegates/status_delegate.py.
"""

from __future__ import annotations

import ctypes
import sys

#: Added to None's reference count: far beyond any number of leaked decrements in a session.
_GUARD = 1 << 40


def protect_none_refcount() -> bool:
    """Make None effectively immortal on Python < 3.12; True if the guard was applied now."""
    if sys.version_info >= (3, 12) or getattr(sys, "_clinicdesk_none_guard", False):
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is the first field of every object
    refcount.value += _GUARD
    sys._clinicdesk_none_guard = True  # type: ignore[attr-defined]
    return True
