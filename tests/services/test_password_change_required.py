"""A session whose password an administrator set does nothing but choose a new one.

The app asks for the new password before any page, but a script or a second client holding the same
token talks to the services directly: every public method of every policed service is called with
such a token (the policy matrix's own calls), and each one that uses the token is refused with a
message a person understands, except what choosing the password takes (who is signed in, changing
the password, signing out). Once the person has chosen it, the same session gets exactly what the
policy table says. On a SQLite file, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.domain.dto import SessionInfo
from desktop.domain.enums import Role
from desktop.domain.errors import PasswordChangeRequiredError, ValidationError
from desktop.services.access_policy import Action
from desktop.services.container import Services
from desktop.services.sessions import NEW_PASSWORD_FIRST
from tests.services.conftest import GIVEN_PASSWORD, PASSWORD, make_services
from tests.services.patient_helpers import Clinic, make_clinic
from tests.services.test_access_policy import Case, check_every_method, each_call

#: What a session that must choose a new password may still do.
ALLOWED = {
    ("AuthService", "current_user"),
    ("AuthService", "change_password"),
    ("AuthService", "set_required_password"),
    ("AuthService", "sign_out"),
}
#: Actions of methods that take no session token at all (the sign-in window, the command line,
#: screening a file, the model's card): a token that must change its password has nothing to do there.
TOKEN_FREE = {Action.SIGN_IN, Action.CONSOLE, Action.SCREENING_RUN, Action.REFERENCE_READ}


@dataclass
class TokenWatchingCase(Case):
    """A Case that notes whether the call used the caller's session token."""

    used_token: bool = False

    @property
    def t(self) -> str:
        self.used_token = True
        return self.caller.token


def _given_password_session(
    services: Services, clinic: Clinic, role: Role, given: str = GIVEN_PASSWORD
) -> SessionInfo:
    email = f"given-{role.value}@clinic.example"
    services.users.create_user(clinic.admin.token, email, "Given Password", given, role)
    session = services.auth.sign_in(email, given)
    assert session.must_change_password is True
    return session


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADMIN], ids=["clinician", "admin"])
def test_a_given_password_opens_nothing_until_the_person_chooses_their_own(
    db_url: str, clock, tmp_path: Path, role: Role
) -> None:
    services = make_services(db_url, clock, self_registration=True)
    try:
        services.auth.create_first_admin("admin@clinic.example", "Ada Admin", PASSWORD)
        clinic = make_clinic(services, services.auth.sign_in("admin@clinic.example", PASSWORD))
        # Given PASSWORD, the one the matrix's own calls sign in with.
        caller = _given_password_session(services, clinic, role, given=PASSWORD)

        refused, token_free = [], []
        for cls, name, action, service, case, call in each_call(
            services, clinic, caller, tmp_path, TokenWatchingCase
        ):
            if (cls.__name__, name) in ALLOWED:
                continue  # called one by one below, with what each must do
            where = f"{cls.__name__}.{name}"
            try:
                call(service, case)
            except PasswordChangeRequiredError as error:
                assert case.used_token, where
                assert error.message == NEW_PASSWORD_FIRST, where
                refused.append(where)
                continue
            assert not case.used_token, f"{where} worked with a session that must change its password"
            assert action in TOKEN_FREE, where
            token_free.append(where)
        # The walk reached both kinds, so neither check above could pass by never running.
        assert "RecordService.create" in refused and "UserAdminService.list_accounts" in refused
        assert "MaintenanceService.restore" in refused and "AuditService.record_event" in refused
        assert "AuthService.verify_password" in refused  # resuming a locked screen is a page's business
        assert "AuthService.sign_in" in token_free

        # What choosing the password takes.
        assert services.auth.current_user(caller.token).email == caller.user.email
        second = services.auth.sign_in(caller.user.email, PASSWORD)
        services.auth.sign_out(second.token)
        with pytest.raises(ValidationError, match="different from the one you were given"):
            services.auth.change_password(caller.token, PASSWORD, PASSWORD)
        services.auth.set_required_password(caller.token, "my very own secret")

        # The same session now gets exactly what the table gives its role (after the person changed
        # their password back to PASSWORD, which the matrix's calls sign in with: their choice now).
        services.auth.change_password(caller.token, "my very own secret", PASSWORD)
        check_every_method(services, clinic, caller, False, tmp_path)
    finally:
        services.close()


def test_change_password_also_chooses_ones_own(services: Services, admin: SessionInfo) -> None:
    """Profile's Change password, used by a client that skipped the new-password dialog, ends the
    requirement as well (with a password other than the given one)."""
    clinic = make_clinic(services, admin)
    caller = _given_password_session(services, clinic, Role.RECEPTION)
    with pytest.raises(PasswordChangeRequiredError, match="choose a new password"):
        services.patients.search(caller.token, "someone")
    services.auth.change_password(caller.token, GIVEN_PASSWORD, "chosen by reception 1")
    assert services.patients.search(caller.token, "someone") == ()
    assert services.auth.sign_in(caller.user.email, "chosen by reception 1").must_change_password is False


def test_a_reset_password_closes_the_account_again(services: Services, admin: SessionInfo) -> None:
    """A reset ends the account's sessions; the next one, with the reset password, is held again."""
    clinic = make_clinic(services, admin)
    services.users.reset_password(admin.token, clinic.clinician.user.id, "reset at the desk 9")
    held = services.auth.sign_in(clinic.clinician.user.email, "reset at the desk 9")
    assert held.must_change_password is True
    with pytest.raises(PasswordChangeRequiredError):
        services.records.list(held.token, patient_id=clinic.patient.user.id)
    services.auth.set_required_password(held.token, "my own again 42")
    assert services.records.list(held.token, patient_id=clinic.patient.user.id).total == 0
