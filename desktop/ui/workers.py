"""Run blocking service calls (bcrypt, database, backups, batch prediction) off the GUI thread.

Usage::

    ctx.runner.run(lambda: services.auth.sign_in(email, password),
                   on_done=self._signed_in, on_error=self._show_error)

``fn()`` runs on a QThreadPool thread. Its result (of type T) is handed to ``on_done(result: T)`` and
its exception to ``on_error(error)`` *on the GUI thread*: the job's private QObject emits a signal that
is connected with ``Qt.QueuedConnection`` to slots of the Runner, which lives in the GUI thread (Qt docs,
"Signals and Slots Across Threads"). The job is a closure without arguments, so mypy checks that
``on_done`` takes what ``fn`` returns (the shape of Anki's ``QueryOp(Generic[T])``).

Progress: ``run_with_progress(fn, on_progress=...)`` calls ``fn(progress)``, where ``progress`` is a
function safe to call from the worker thread with one value (e.g. ``progress((done, total))`` or a
migration step), delivered to ``on_progress(value)`` on the GUI thread.

Errors: unexpected exceptions (not KnownError) are logged with their traceback here. Without
``on_error`` the runner shows the message itself through dialogs/prompts.py (KnownError: its message;
anything else: a short apology naming the log file). A SessionExpiredError also emits
``session_expired`` so the main window can return to the sign-in dialog.

Closed windows: a callback that is a method of a Qt object deleted meanwhile (a dialog closed while its
job ran) is skipped, not called into a dead widget (which would raise RuntimeError on the GUI thread).

Double starts: give the job a ``key`` (e.g. "backup"); while a job with that key runs, ``run`` returns
None without starting another. ``is_running(key)`` / ``is_running()`` tell whether jobs are running.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from desktop.domain.errors import KnownError, SessionExpiredError
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")


class _JobSignals(QObject):
    """Carries one job's outcome from the worker thread to the Runner (queued connections)."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], object], signals: _JobSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._id = job_id
        self._fn = fn
        self._signals = signals

    def run(self) -> None:  # runs on the pool thread
        try:
            result = self._fn()
        except BaseException as error:
            if not isinstance(error, KnownError):
                # Log here, where the traceback is complete and names the worker thread.
                log.error(
                    "background job %s failed:\n%s",
                    getattr(self._fn, "__qualname__", self._fn),
                    "".join(traceback.format_exception(error)),
                )
            self._signals.failed.emit(self._id, error)
        else:
            self._signals.done.emit(self._id, result)


def _receiver_gone(callback: Callable[..., object] | None) -> bool:
    """True when ``callback`` is a method of a Qt object whose C++ side was already deleted (also
    through ``functools.partial``, the way to pass a method with its first arguments bound; a lambda
    hides its receiver, so callbacks that may outlive their widget are methods or partials)."""
    while isinstance(callback, partial):
        callback = callback.func
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not isValid(owner)


@dataclass
class JobHandle:
    """A running job: ``id``, its ``key`` (or None) and the callbacks the Runner will call.

    The callbacks' argument types were checked when the job was started (``Runner.run``); here, where
    jobs of every result type are kept together, they are erased to ``Any``.
    """

    id: int
    key: str | None
    on_done: Callable[[Any], object] | None
    on_error: Callable[[BaseException], object] | None
    on_progress: Callable[[Any], object] | None
    error_parent: QWidget | None
    signals: _JobSignals = field(repr=False)


class Runner(QObject):
    """Bridge between the GUI thread and a private QThreadPool; one per application."""

    #: Emitted (GUI thread) when any job failed with SessionExpiredError.
    session_expired = Signal()
    #: Emitted with True when the first job starts and False when the last one ends (status bar).
    busy_changed = Signal(bool)
    #: Emitted with the job id after its on_done/on_error ran (handy for tests: qtbot.waitSignal).
    job_finished = Signal(int)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: dict[int, JobHandle] = {}
        self._ids = itertools.count(1)

    def run(
        self,
        fn: Callable[[], T],
        *,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        key: str | None = None,
        error_parent: QWidget | None = None,
    ) -> JobHandle | None:
        """Start ``fn()`` on a worker thread; None if a job with ``key`` is running.

        ``error_parent`` is the widget the default error message is shown over (no on_error given).
        """
        if key is not None and self.is_running(key):
            log.info("job %r already running; not starting it twice", key)
            return None
        handle = self._handle(key, on_done, on_error, None, error_parent)
        self._start(handle, fn)
        return handle

    def run_with_progress(
        self,
        fn: Callable[[Callable[[V], None]], T],
        *,
        on_progress: Callable[[V], object],
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        key: str | None = None,
        error_parent: QWidget | None = None,
    ) -> JobHandle | None:
        """Like :meth:`run`, calling ``fn(progress)``; each ``progress(value)`` on the worker thread
        reaches ``on_progress(value)`` on the GUI thread."""
        if key is not None and self.is_running(key):
            log.info("job %r already running; not starting it twice", key)
            return None
        handle = self._handle(key, on_done, on_error, on_progress, error_parent)
        signals, job_id = handle.signals, handle.id
        signals.progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)

        def report(value: V) -> None:  # called on the worker thread
            signals.progress.emit(job_id, value)

        self._start(handle, lambda: fn(report))
        return handle

    def _handle(
        self,
        key: str | None,
        on_done: Callable[[Any], object] | None,
        on_error: Callable[[BaseException], object] | None,
        on_progress: Callable[[Any], object] | None,
        error_parent: QWidget | None,
    ) -> JobHandle:
        signals = _JobSignals()  # created here, so it lives in the GUI thread
        signals.done.connect(self._deliver_done, Qt.ConnectionType.QueuedConnection)
        signals.failed.connect(self._deliver_error, Qt.ConnectionType.QueuedConnection)
        return JobHandle(next(self._ids), key, on_done, on_error, on_progress, error_parent, signals)

    def _start(self, handle: JobHandle, work: Callable[[], object]) -> None:
        was_idle = not self._jobs
        self._jobs[handle.id] = handle
        if was_idle:
            self.busy_changed.emit(True)
        self._pool.start(_Job(handle.id, work, handle.signals))

    def is_running(self, key: str | None = None) -> bool:
        """Whether any job (or the job with ``key``) is still running or waiting for delivery."""
        if key is None:
            return bool(self._jobs)
        return any(job.key == key for job in self._jobs.values())

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (at exit); callbacks are still delivered by the event loop."""
        return self._pool.waitForDone(msecs)

    # --- delivery on the GUI thread -----------------------------------------------------------------

    @Slot(int, object)
    def _deliver_done(self, job_id: int, result: Any) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        try:
            if job.on_done is not None and not _receiver_gone(job.on_done):
                job.on_done(result)
        finally:
            self._finish(job)

    @Slot(int, object)
    def _deliver_error(self, job_id: int, error: BaseException) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        try:
            if job.on_error is not None:
                if not _receiver_gone(job.on_error):
                    job.on_error(error)
            else:
                prompts.error(job.error_parent, user_message(error, already_logged=True))
            if isinstance(error, SessionExpiredError):
                self.session_expired.emit()
        finally:
            self._finish(job)

    @Slot(int, object)
    def _deliver_progress(self, job_id: int, value: Any) -> None:
        job = self._jobs.get(job_id)
        if job is not None and job.on_progress is not None and not _receiver_gone(job.on_progress):
            job.on_progress(value)

    def _finish(self, job: JobHandle) -> None:
        job.signals.deleteLater()
        self.job_finished.emit(job.id)
        if not self._jobs:
            self.busy_changed.emit(False)
