"""The start-up report for measuring (tests/perf/bench_startup.py).

``CLINICDESK_EXIT_AFTER_SHOWN=1`` makes the app print one JSON line to stdout with wall-clock
timestamps (``time.time()``) of ``window_shown`` (the sign-in window's first paint has been done, i.e.
it is on screen) and ``sign_in_ready``, the peak RSS (MB) once the start-up work behind the sign-in
window has finished (the daily backup check included), and which heavy libraries are loaded; then it
exits with 0. ``CLINICDESK_EXIT_AFTER_SHOWN=window`` exits right after the first window is shown.
"""

from __future__ import annotations

import os
import sys

EXIT_AFTER_SHOWN_ENV = "CLINICDESK_EXIT_AFTER_SHOWN"
#: The libraries whose presence at the sign-in window the benchmark lists.
HEAVY_MODULES = ("sqlalchemy", "alembic", "numpy", "onnxruntime", "bcrypt", "PySide6.QtCharts")


def exit_mode() -> str:
    """ "" (run normally), "window" (exit once the first window is shown) or "1" (exit at sign-in)."""
    return os.environ.get(EXIT_AFTER_SHOWN_ENV, "")


def print_report(timings: dict[str, float]) -> None:
    # Here, not at the top: only a measuring run needs them, and this module loads before the first
    # window; ``resource`` is a Unix module (the benchmark runs on Linux).
    import json
    import resource

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    loaded = [name for name in HEAVY_MODULES if name in sys.modules]
    line = {**timings, "peak_rss_mb": round(peak_kb / 1024, 1), "loaded": loaded}
    print(json.dumps(line), flush=True)
