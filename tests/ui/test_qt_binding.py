"""The installed Qt binding keeps Python's reference counts of None and True intact.

PySide6 6.12.0 on Python 3.11 drops one reference to None on every call of a Qt method returning
nothing and one to True on every ``Signal.emit``; a few thousand calls later CPython aborts with
"Fatal Python error: none_dealloc". pyproject.toml pins the binding below that release; this test
guards every upgrade. It runs in a fresh process, because the defect kills the process that has it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

CALLS = 20_000

PROBE = f"""
import json, sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

class Emitter(QObject):
    changed = Signal(int)

app = QApplication([])
label = QLabel()
emitter = Emitter()
received = []
emitter.changed.connect(received.append)

none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
for i in range({CALLS}):
    label.setText("x")
none_after_calls = sys.getrefcount(None)
for i in range({CALLS}):
    emitter.changed.emit(i)
true_after_emits = sys.getrefcount(True)
print(json.dumps({{
    "none_before": none_before, "none_after": none_after_calls,
    "true_before": true_before, "true_after": true_after_emits,
    "received": len(received),
}}), flush=True)
"""


def test_void_calls_and_emits_keep_none_and_true_alive() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, f"the process died (exit {done.returncode}):\n{done.stderr[-2000:]}"
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["received"] == CALLS
    # A handful of references may be taken for good (caches); a defect loses one per call.
    assert counts["none_after"] >= counts["none_before"] - 10, counts
    assert counts["true_after"] >= counts["true_before"] - 10, counts
