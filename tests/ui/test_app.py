"""The composition root in-process: first window at once, database opened behind it, sign-in, sign-out,
and the global excepthook (a message, never a traceback)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest

from desktop.app import AppController
from desktop.app.excepthook import install_excepthook
from desktop.settings import log_file_path, setup_logging
from tests.ui.conftest import USER_EMAIL, USER_PASSWORD


@pytest.fixture
def controller(make_controller: Any, user_session: Any) -> Any:
    return make_controller()


def test_start_sign_in_and_sign_out(qtbot: Any, controller: Any) -> None:
    controller.start()
    assert controller.login.isVisible()  # shown before the database is even looked at
    qtbot.waitUntil(controller.login.is_ready, timeout=20_000)
    assert controller.timings["sign_in_ready"] >= controller.timings["window_shown"]
    controller.login.email.setText(USER_EMAIL)
    controller.login.password.setText(USER_PASSWORD)
    controller.login.sign_in_button.click()
    qtbot.waitUntil(
        lambda: controller.main_window is not None and controller.main_window.isVisible(), timeout=20_000
    )
    window = controller.main_window
    assert not controller.login.isVisible()
    # A patient's window opens their own chart on a worker thread, then shows its first page.
    qtbot.waitUntil(lambda: window.current_key() == "records", timeout=10_000)
    window.sign_out("")
    assert controller.login.isVisible()
    assert controller.main_window is None
    assert not controller.ctx.signed_in


def test_excepthook_shows_an_apology_and_logs_the_traceback(
    no_dialogs: Any, monkeypatch: pytest.MonkeyPatch, qapp: Any
) -> None:

    setup_logging()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook()
    try:
        raise ZeroDivisionError("deep inside a slot")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())
    shown = no_dialogs.messages("error")
    assert len(shown) == 1
    assert "Traceback" not in shown[0] and "ZeroDivisionError" not in shown[0]
    assert str(log_file_path()) in shown[0]

    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_clinicdesk", False)]
    for handler in ours:
        handler.flush()
    try:
        assert "ZeroDivisionError: deep inside a slot" in log_file_path().read_text(encoding="utf-8")
    finally:
        for handler in ours:  # the next test has its own data folder
            root.removeHandler(handler)
            handler.close()


def test_first_run_asks_for_the_first_admin(
    qtbot: Any, qapp: Any, ui_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLINICDESK_EXIT_AFTER_SHOWN", raising=False)
    app_controller = AppController(qapp, ui_db_url)
    app_controller.login.rejected.disconnect()
    try:
        app_controller.start()
        qtbot.waitUntil(app_controller.login.is_ready, timeout=20_000)
        login = app_controller.login
        assert login.stack.currentIndex() == login.CREATE
        assert "administrator" in login.create_button.text()
    finally:
        app_controller.runner.wait_for_done(10_000)
        app_controller.login.close()
        app_controller.shutdown()
        app_controller.deleteLater()
