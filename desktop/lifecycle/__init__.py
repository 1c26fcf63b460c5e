"""The program's run from the first window to closing, as the composition root (desktop/app.py) drives it.

* ``sequence``: the start-up sequence behind the sign-in window (first paint, database check, services).
* ``backups``: the automatic backups the app starts (the day's first start, closing the program).
* ``closing``: noticing that the person closed the program's last window.
* ``excepthook``: what an uncaught exception does (a log entry and a short apology, no traceback).
* ``report``: the one-line start-up report the start-up benchmark reads.

Like desktop/app.py, these modules run before the first window: each imports only Qt and light
modules at the top, and what a later step needs inside the function of that step.
"""
