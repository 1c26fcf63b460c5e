"""The composition root: the program's run from the first window to closing (Qt, like desktop.ui).

* ``controller``: ``AppController`` (windows, sign-in, sign-out, closing) and ``run_gui``.
* ``sequence``: the start-up sequence behind the sign-in window (first paint, database check, services).
* ``backups``: the automatic backups the app starts (the day's first start, closing the program).
* ``closing``: noticing that the person closed the program's last window.
* ``excepthook``: what an uncaught exception does (a log entry and a short apology, no traceback).
* ``report``: the one-line start-up report the start-up benchmark reads.

These modules run before the first window: each imports only Qt and light modules at the top, and
what a later step needs inside the function of that step.
"""

from desktop.app.controller import AppController, run_gui

__all__ = ["AppController", "run_gui"]
