"""Account administration: admin-only, enforced in the services; never the last admin removed."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.dto import AuditQuery, ClinicPreferences
from desktop.domain.enums import Role
from desktop.domain.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    SessionExpiredError,
    ValidationError,
)
from tests.services.conftest import PASSWORD

ADMIN_CALLS = {
    "list_accounts": lambda s, t, uid: s.users.list_accounts(t),
    "create_user": lambda s, t, uid: s.users.create_user(t, "x@clinic.example", "X", PASSWORD),
    "deactivate": lambda s, t, uid: s.users.deactivate(t, uid),
    "reactivate": lambda s, t, uid: s.users.reactivate(t, uid),
    "reset_password": lambda s, t, uid: s.users.reset_password(t, uid, "another long secret"),
    "set_role": lambda s, t, uid: s.users.set_role(t, uid, Role.ADMIN),
    "make_admin": lambda s, t, uid: s.users.make_admin(t, uid),
    "remove_admin": lambda s, t, uid: s.users.remove_admin(t, uid),
    "account_ids": lambda s, t, uid: s.users.account_ids(t),
    "accounts": lambda s, t, uid: s.users.accounts(t, [uid]),
    "audit.list": lambda s, t, uid: s.audit.list(t),
    "unlock": lambda s, t, uid: s.users.unlock(t, uid),
    "clinic_preferences": lambda s, t, uid: s.users.clinic_preferences(t),
    "save_clinic_preferences": lambda s, t, uid: s.users.save_clinic_preferences(
        t, ClinicPreferences(5, True, True)
    ),
    "audit.ids": lambda s, t, uid: s.audit.ids(t),
    "audit.rows": lambda s, t, uid: s.audit.rows(t, [1]),
}


@pytest.mark.parametrize("name", sorted(ADMIN_CALLS))
def test_admin_actions_are_refused_to_ordinary_users(services, admin, alice, bob, name):
    with pytest.raises(PermissionDeniedError, match="administrator"):
        ADMIN_CALLS[name](services, alice.token, bob.user.id)


def test_admin_lists_creates_and_resets(services, admin, alice):
    accounts = services.users.list_accounts(admin.token)
    assert [a.email for a in accounts] == ["admin@clinic.example", "alice@clinic.example"]
    created = services.users.create_user(admin.token, " Dave@Clinic.example", "Dave", PASSWORD, Role.ADMIN)
    assert created.email == "dave@clinic.example" and created.is_admin
    with pytest.raises(ValidationError, match="already exists"):
        services.users.create_user(admin.token, "DAVE@clinic.example", "Dave", PASSWORD)
    services.users.reset_password(admin.token, alice.user.id, "reset by the admin")
    with pytest.raises(SessionExpiredError):  # a reset ends the account's sessions
        services.profile.get(alice.token)
    services.auth.sign_in("alice@clinic.example", "reset by the admin")
    with pytest.raises(ValidationError, match="at least 10"):
        services.users.reset_password(admin.token, alice.user.id, "short")
    with pytest.raises(NotFoundError):
        services.users.deactivate(admin.token, "no-such-id")


def test_the_last_admin_cannot_be_removed_or_deactivated(services, admin, alice):
    with pytest.raises(ValidationError, match="last active administrator"):
        services.users.remove_admin(admin.token, admin.user.id)
    with pytest.raises(ValidationError, match="last active administrator"):
        services.users.deactivate(admin.token, admin.user.id)
    for role in (Role.CLINICIAN, Role.RECEPTION):  # any other role would leave nobody to manage
        with pytest.raises(ValidationError, match="last active administrator"):
            services.users.set_role(admin.token, admin.user.id, role)
    services.users.make_admin(admin.token, alice.user.id)
    demoted = services.users.remove_admin(admin.token, admin.user.id)
    assert demoted.role == Role.USER
    with pytest.raises(PermissionDeniedError):  # the role is checked on every call
        services.users.list_accounts(admin.token)


def test_account_changes_use_versions(services, admin, alice):
    account = next(a for a in services.users.list_accounts(admin.token) if a.id == alice.user.id)
    services.users.deactivate(admin.token, alice.user.id, account.version)
    with pytest.raises(ConflictError):
        services.users.reactivate(admin.token, alice.user.id, account.version)


def test_audit_log_filters(services, admin, alice, clock):
    with pytest.raises(AuthenticationError):
        services.auth.sign_in("alice@clinic.example", "wrong password")
    failed = services.audit.list(admin.token, AuditQuery(action="sign_in_failed"))
    assert failed.total == 1 and failed.rows[0].actor == "alice@clinic.example"
    mine = services.audit.list(admin.token, AuditQuery(user_id=alice.user.id))
    assert mine.total >= 2 and all(r.user_id == alice.user.id for r in mine.rows)
    assert services.audit.list(admin.token, AuditQuery(text="ALICE@")).total >= 1
    today = clock.now.date()
    assert services.audit.list(admin.token, AuditQuery(date_from=today, date_to=today)).total >= 3
    assert services.audit.list(admin.token, AuditQuery(date_from=today + dt.timedelta(days=1))).total == 0
    everything = services.audit.list(admin.token, AuditQuery(limit=1000))
    assert everything.total == len(everything.rows)
    assert "sign_in_failed" in services.audit.actions()


def test_record_event_for_maintenance(services, admin):
    services.audit.record_event("backup", "Backup written to clinic.db.bak", token=admin.token)
    services.audit.record_event("migration", "Upgraded to c7e5d1f0a9b3")
    rows = services.audit.list(admin.token, AuditQuery(limit=2)).rows
    assert [(r.action, r.actor) for r in rows] == [
        ("migration", "system"),
        ("backup", "admin@clinic.example"),
    ]
