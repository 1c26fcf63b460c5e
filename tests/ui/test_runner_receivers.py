"""A job's answer is dropped when the widget that asked for it is gone: a page thrown away with its
window (sign-out, switch user) must not be handed the answer of a search it started."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from PySide6.QtWidgets import QWidget
from shiboken6 import delete


class _Asker(QWidget):
    def __init__(self, answers: list[object]) -> None:
        super().__init__()
        self.answers = answers

    def take(self, asked: int, answer: object) -> None:
        self.answers.append((asked, answer))


def test_an_answer_for_a_deleted_widget_is_dropped_through_a_partial(qtbot: Any, runner: Any) -> None:
    answers: list[object] = []
    gate = threading.Event()
    gone, kept = _Asker(answers), _Asker(answers)
    qtbot.addWidget(kept)
    runner.run(lambda: gate.wait(10) and "late", on_done=partial(gone.take, 1))
    runner.run(lambda: gate.wait(10) and "late", on_done=partial(kept.take, 2))
    delete(gone)  # its C++ side is gone while the job still runs
    gate.set()
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=10_000)
    assert answers == [(2, "late")]
