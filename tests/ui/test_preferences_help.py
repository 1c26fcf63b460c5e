"""Preferences, the manual and About, on real widgets over a real SQLite file: the theme for
everyone, the clinic's settings for administrators only (stored in settings.json, applied at once,
an environment override said next to its field), the manual behind F1 and the log file in About."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import settings as app_settings
from desktop.ui import theme
from tests.ui.conftest import show_main_window


@pytest.fixture(autouse=True)
def _system_theme_afterwards() -> Iterator[None]:
    yield
    theme.set_preference("")  # the theme is application-wide: leave it as the next test expects


def _stored(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / app_settings.SETTINGS_FILE).read_text(encoding="utf-8"))


def test_a_user_chooses_the_theme_and_sees_no_clinic_settings(
    qtbot: Any, signed_in_ctx: Any, data_dir: Path
) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    window.menus.preferences_action.trigger()
    dialog = window._dialog
    assert not dialog.admin_box.isVisibleTo(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    with qtbot.waitSignal(dialog.applied, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert _stored(data_dir)["theme"] == "dark"
    assert signed_in_ctx.settings.theme == "dark" and theme.is_dark()
    assert "idle_lock_minutes" not in _stored(data_dir)


def test_an_admin_changes_the_clinic_settings_and_they_apply_at_once(
    qtbot: Any, admin_ctx: Any, data_dir: Path, no_dialogs: Any, tmp_path: Path
) -> None:
    window = show_main_window(qtbot, admin_ctx)
    window.menus.preferences_action.trigger()
    dialog = window._dialog
    qtbot.waitUntil(dialog.admin_box.isEnabled, timeout=10_000)
    assert dialog.admin_box.isVisibleTo(dialog)
    assert not dialog.idle_note.isVisibleTo(dialog)  # no environment override here
    dialog.idle_minutes.setValue(3)
    dialog.self_registration.setChecked(False)
    dialog.admin_medical.setChecked(True)
    no_dialogs.file = str(tmp_path)
    dialog.browse_button.click()
    assert dialog.mirror_dir.text() == str(tmp_path)
    with qtbot.waitSignal(dialog.applied, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    stored = _stored(data_dir)
    assert stored["idle_lock_minutes"] == 3 and stored["self_registration"] is False
    assert stored["admin_can_read_medical_data"] is True and stored["backup_mirror_dir"] == str(tmp_path)
    assert admin_ctx.settings.idle_lock_minutes == 3
    assert window.idle._timer.interval() == 3 * 60_000
    assert admin_ctx.services.auth.registration_open() is False  # the sign-in window follows at once
    assert admin_ctx.services.settings.admin_can_read_medical_data is True


def test_an_environment_override_is_said_next_to_its_field(
    qtbot: Any, admin_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(app_settings.IDLE_LOCK_ENV, "7")
    window = show_main_window(qtbot, admin_ctx)
    window.menus.preferences_action.trigger()
    dialog = window._dialog
    qtbot.waitUntil(dialog.admin_box.isEnabled, timeout=10_000)
    assert dialog.idle_note.isVisibleTo(dialog)
    assert app_settings.IDLE_LOCK_ENV in dialog.idle_note.text()
    assert not dialog.registration_note.isVisibleTo(dialog)
    dialog.reject()


def test_f1_opens_the_manual_and_about_names_the_log_file(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    assert window.menus.help_action.shortcut().toString() == "F1"
    window.menus.help_action.trigger()
    manual = window.help_dialog.browser.toPlainText()
    for section in (
        "Signing in",
        "Patients and charts",
        "Predictions and what their numbers mean",
        "Batch screening",
        "Backups and restore",
        "The Database tools",
        "Keyboard shortcuts",
    ):
        assert section in manual
    assert "Probability of malignancy" in manual and "Low below 5 %" in manual
    window.help_dialog.close()
    window.show_about()
    assert str(app_settings.log_file_path()) in no_dialogs.messages("info")[0]
