"""Accounts at the desk: self-registration off by default, unlocking, and the new password an
account an administrator set must choose (SQLite file and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop import settings as app_settings
from desktop.domain.dto import ClinicPreferences
from desktop.domain.errors import (
    AccountLockedError,
    AuthenticationError,
    PermissionDeniedError,
    ValidationError,
)
from tests.services.conftest import PASSWORD, add_user, make_services

NEW_PASSWORD = "my very own secret"


def _lock(services, email: str) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            services.auth.sign_in(email, "wrong password!")
    with pytest.raises(AccountLockedError):
        services.auth.sign_in(email, PASSWORD)


def test_self_registration_is_refused_by_the_service_unless_turned_on(db_url, clock):
    closed = make_services(db_url, clock)
    try:
        assert closed.auth.registration_open() is False
        with pytest.raises(PermissionDeniedError, match="turned off"):
            closed.auth.register("kiosk@clinic.example", "Kiosk Person", PASSWORD)
    finally:
        closed.close()
    kiosk = make_services(db_url, clock, self_registration=True)
    try:
        kiosk.auth.register("kiosk@clinic.example", "Kiosk Person", PASSWORD)
        assert kiosk.auth.sign_in("kiosk@clinic.example", PASSWORD).must_change_password is False
    finally:
        kiosk.close()


def test_the_settings_file_and_the_environment_turn_self_registration_on(monkeypatch):
    assert app_settings.load_settings("sqlite://").self_registration is False
    app_settings.save_setting("self_registration", True)
    assert app_settings.load_settings("sqlite://").self_registration is True
    monkeypatch.setenv(app_settings.SELF_REGISTRATION_ENV, "0")
    assert app_settings.load_settings("sqlite://").self_registration is False
    assert app_settings.overridden_by_env() == {"self_registration": app_settings.SELF_REGISTRATION_ENV}


def test_an_admin_sees_and_lifts_a_lock(services, admin, alice, clock):
    _lock(services, "alice@clinic.example")
    listed = {a.email: a for a in services.users.list_accounts(admin.token)}
    assert listed["alice@clinic.example"].locked_until is not None
    assert listed["admin@clinic.example"].locked_until is None
    unlocked = services.users.unlock(admin.token, alice.user.id)
    assert unlocked.locked_until is None
    services.auth.sign_in("alice@clinic.example", PASSWORD)  # no longer refused


def test_a_password_reset_lifts_the_lock_and_asks_for_a_new_password(services, admin, alice):
    _lock(services, "alice@clinic.example")
    services.users.reset_password(admin.token, alice.user.id, "told in person 123")
    session = services.auth.sign_in("alice@clinic.example", "told in person 123")
    assert session.must_change_password is True
    with pytest.raises(ValidationError, match="different"):
        services.auth.set_required_password(session.token, "told in person 123")
    services.auth.set_required_password(session.token, NEW_PASSWORD)
    again = services.auth.sign_in("alice@clinic.example", NEW_PASSWORD)
    assert again.must_change_password is False
    with pytest.raises(PermissionDeniedError, match="No new password"):
        services.auth.set_required_password(again.token, "yet another secret")


def test_only_accounts_an_admin_set_must_change_their_password(services, admin):
    assert admin.must_change_password is False  # the first admin chose their own
    created = add_user(services, admin, "carol@clinic.example", choose_password=False)
    assert created.must_change_password is True
    accounts = {a.email: a for a in services.users.list_accounts(admin.token)}
    assert accounts["carol@clinic.example"].must_change_password is True
    services.users.reset_password(admin.token, admin.user.id, "admin resets own 1")
    assert services.auth.sign_in("admin@clinic.example", "admin resets own 1").must_change_password is False


def test_clinic_preferences_are_stored_for_admins_only(services, admin, alice, data_dir):
    prefs = ClinicPreferences(
        idle_lock_minutes=3,
        self_registration=True,
        admin_can_read_medical_data=True,
        backup_mirror_dir="/mnt/usb",
    )
    new = services.users.save_clinic_preferences(admin.token, prefs)
    assert (new.idle_lock_minutes, new.self_registration, new.admin_can_read_medical_data) == (3, True, True)
    assert new.backup_mirror_dir == "/mnt/usb"
    stored = json.loads((data_dir / app_settings.SETTINGS_FILE).read_text())
    assert stored["backup_mirror_dir"] == "/mnt/usb" and stored["idle_lock_minutes"] == 3
    assert app_settings.backup_mirror_dir() == Path("/mnt/usb")  # the folder backups are copied to
    assert services.users.clinic_preferences(admin.token) == prefs
    with pytest.raises(ValidationError, match="1 to 240"):
        services.users.save_clinic_preferences(admin.token, ClinicPreferences(0, False, False))
    with pytest.raises(PermissionDeniedError):
        services.users.save_clinic_preferences(alice.token, prefs)
    services.apply_settings(new)
    assert services.auth.registration_open() is True
