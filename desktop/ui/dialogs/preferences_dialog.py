"""Edit > Preferences: the theme for everyone; for administrators also the idle-lock minutes,
self-registration on the sign-in window, a second folder for backups, and whether administrators may
read medical data.

Stored in settings.json in the data folder (desktop/settings.py). The administrator's preferences go
through ``UserAdminService.save_clinic_preferences``, which refuses anyone else: the group is hidden
from other people, but hiding it is not the protection. A field an environment variable overrides
says so next to it; the stored value applies again once the variable is unset.

Emits ``applied(Settings)`` with the settings to run with from now on.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import settings as app_settings
from desktop.domain.dto import ClinicPreferences
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

THEME_CHOICES = (("Follow the system", ""), ("Light", "light"), ("Dark", "dark"))


def _override_note(setting: str) -> QLabel:
    """ "Overridden by VARIABLE" when an environment variable sets this preference now, else empty."""
    env = app_settings.overridden_by_env().get(setting)
    label = QLabel(f"Set by {env} for now: this value applies once it is unset." if env else "")
    label.setObjectName("Muted")
    label.setWordWrap(True)
    label.setVisible(bool(env))
    return label


class PreferencesDialog(QDialog):
    applied = Signal(object)  # Settings

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Preferences")
        self.theme = QComboBox()
        self.theme.setAccessibleName("Theme")
        for text, value in THEME_CHOICES:
            self.theme.addItem(text, value)
        stored_theme = app_settings.stored_value("theme")
        self.theme.setCurrentIndex(max(0, self.theme.findData(stored_theme if stored_theme else "")))
        self.theme_note = _override_note("theme")
        general = QFormLayout()
        general.addRow("&Theme:", self.theme)
        general.addRow("", self.theme_note)

        self.admin_box = QGroupBox("For the whole clinic on this computer (administrators)")
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, app_settings.MAX_IDLE_LOCK_MINUTES)
        self.idle_minutes.setSuffix(" minutes")
        self.idle_minutes.setAccessibleName("Lock the screen after this many minutes without activity")
        self.idle_note = _override_note("idle_lock_minutes")
        self.self_registration = QCheckBox(
            'Offer "Create an account" on the sign-in window (a patient kiosk)'
        )
        self.registration_note = _override_note("self_registration")
        self.mirror_dir = QLineEdit()
        self.mirror_dir.setAccessibleName("Second backups folder")
        self.mirror_dir.setPlaceholderText("none: backups stay in the data folder only")
        self.browse_button = QPushButton("&Browse...")
        self.browse_button.clicked.connect(self._browse)
        mirror_row = QHBoxLayout()
        mirror_row.addWidget(self.mirror_dir, 1)
        mirror_row.addWidget(self.browse_button)
        self.admin_medical = QCheckBox("Administrators may read patients' medical data")
        admin_form = QFormLayout(self.admin_box)
        admin_form.addRow("&Lock the screen after:", self.idle_minutes)
        admin_form.addRow("", self.idle_note)
        admin_form.addRow("Sign-in:", self.self_registration)
        admin_form.addRow("", self.registration_note)
        mirror_label = QLabel("Copy backups &to:")
        mirror_label.setBuddy(self.mirror_dir)
        admin_form.addRow(mirror_label, mirror_row)
        admin_form.addRow("Medical data:", self.admin_medical)
        self.admin_box.setVisible(ctx.is_admin)
        self.admin_box.setEnabled(False)  # until the stored values are read

        self.message = QLabel()
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(general)
        layout.addWidget(self.admin_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        if ctx.is_admin:
            ctx.runner.run(
                partial(ctx.services.users.clinic_preferences, ctx.token),
                on_done=self._loaded,
                on_error=self._failed,
            )

    def _loaded(self, prefs: ClinicPreferences) -> None:
        self.idle_minutes.setValue(prefs.idle_lock_minutes)
        self.self_registration.setChecked(prefs.self_registration)
        self.mirror_dir.setText(prefs.backup_mirror_dir)
        self.admin_medical.setChecked(prefs.admin_can_read_medical_data)
        self.admin_box.setEnabled(True)

    def clinic_preferences(self) -> ClinicPreferences:
        return ClinicPreferences(
            idle_lock_minutes=self.idle_minutes.value(),
            self_registration=self.self_registration.isChecked(),
            admin_can_read_medical_data=self.admin_medical.isChecked(),
            backup_mirror_dir=self.mirror_dir.text().strip(),
        )

    @Slot()
    def _browse(self) -> None:
        chosen = prompts.choose_folder(self, "Second folder for backups", self.mirror_dir.text())
        if chosen:
            self.mirror_dir.setText(chosen)

    @Slot()
    def submit(self) -> None:
        theme = str(self.theme.currentData() or "")
        app_settings.save_setting("theme", theme)  # this computer's look: anyone may choose it
        current = dataclasses.replace(self.ctx.settings, theme=app_settings.theme_preference())
        if not (self.ctx.is_admin and self.admin_box.isEnabled()):
            self._done(current)
            return
        self.buttons.setEnabled(False)
        users = self.ctx.services.users
        self.ctx.runner.run(
            partial(users.save_clinic_preferences, self.ctx.token, self.clinic_preferences()),
            key="preferences",
            on_done=lambda saved: self._done(dataclasses.replace(saved, theme=current.theme)),
            on_error=self._failed,
        )

    def _done(self, settings: app_settings.Settings) -> None:
        self.applied.emit(settings)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(user_message(error, already_logged=True))
