"""The policy matrix: every public method of every policed service, called by every role, does what
the access policy table says (allowed, or refused with PermissionDeniedError / NotFoundError).

A public method without a declared action, or without a call below, fails here: adding a method
means adding its row to the policy and its call to this table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

import desktop.services.audit
import desktop.services.auth
import desktop.services.family
import desktop.services.maintenance
import desktop.services.patients
import desktop.services.predictions
import desktop.services.profile
import desktop.services.records
import desktop.services.screening
import desktop.services.users  # noqa: F401  (importing the modules registers their classes)
from desktop.domain.dto import (
    AuditAction,
    FamilyDraft,
    ProfileUpdate,
    RecordDraft,
    SavedPrediction,
    SessionInfo,
)
from desktop.domain.enums import Role
from desktop.domain.errors import AuthenticationError, NotFoundError, PermissionDeniedError, ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.patient_dto import PatientDraft, PatientDTO
from desktop.services.access_policy import POLICED_SERVICES, POLICY, Action, Grant, declared_actions
from desktop.services.container import Services
from tests.services.conftest import PASSWORD, make_services
from tests.services.patient_helpers import Clinic, make_clinic, register
from tests.services.test_predictions import FEATURES

RECORD = RecordDraft(date="2024-05-01", type="Mammogram", result="BI-RADS 2")
FAMILY = FamilyDraft(relation="Mother", age=60, condition="Breast cancer")


@dataclass
class Case:
    """What one call needs: the caller, the patient the call names (never the caller), and rows in
    that patient's chart written by a clinician, made only when a call asks for them."""

    services: Services
    clinic: Clinic
    caller: SessionInfo
    patient: PatientDTO
    other: PatientDTO
    tmp: Path
    _made: dict[str, Any] = field(default_factory=dict)

    @property
    def t(self) -> str:
        return self.caller.token

    @property
    def a(self) -> str:
        return self.patient.id

    def fresh(self) -> str:
        """A second session of the caller, for calls that end or change the session."""
        return self.services.auth.sign_in(self.caller.user.email, PASSWORD).token

    def _by_clinician(self) -> str:
        return self.clinic.clinician.token

    @cached_property
    def record(self) -> Any:
        return self.services.records.create(self._by_clinician(), RECORD, patient_id=self.a)

    @cached_property
    def family(self) -> Any:
        return self.services.family.create(self._by_clinician(), FAMILY, patient_id=self.a)

    @cached_property
    def prediction(self) -> SavedPrediction:
        return self.services.predictions.save(self._by_clinician(), FEATURES, patient_id=self.a)

    def version(self) -> int:
        return self.services.patients.get(self._by_clinician(), self.a).version

    def account(self, role: Role = Role.RECEPTION) -> str:
        """A throwaway account (made by the administrator) to act on."""
        email = f"{uuid.uuid4().hex[:10]}@clinic.example"
        return self.services.users.create_user(self.clinic.admin.token, email, "Temp", PASSWORD, role).id

    def email(self) -> str:
        return f"{uuid.uuid4().hex[:10]}@clinic.example"

    def csv(self) -> Path:
        path = self.tmp / f"{uuid.uuid4().hex[:8]}.csv"
        values = ",".join(str(FEATURES[n]) for n in FEATURE_NAMES)
        path.write_text(f"id,{','.join(FEATURE_NAMES)}\ncase-1,{values}\n", encoding="utf-8")
        return path


def _first_admin_again(svc: Any, c: Case) -> None:
    """Open to everyone, and refused by its own rule (not the policy) once an account exists."""
    with pytest.raises(AuthenticationError):
        svc.create_first_admin(c.email(), "Second First", PASSWORD)


def _choose_the_password_given(svc: Any, c: Case) -> None:
    """An account of the caller's role whose password an administrator set: its first session must
    choose a new one (the caller's own sessions would end, so a throwaway account it is)."""
    email = c.email()
    role = c.caller.user.role
    account = c.services.users.create_user(c.clinic.admin.token, email, "Given", PASSWORD, role)
    c.services.users.reset_password(c.clinic.admin.token, account.id, "told in person 123")
    session = svc.sign_in(email, "told in person 123")
    svc.set_required_password(session.token, PASSWORD)


def _admin_only(svc: Any, c: Case, then: Callable[[str], object] | None = None) -> None:
    """Maintenance actions check the session token with ``authorize`` (the command line's local
    service needs none): authorize is where the policy applies."""
    actor = svc.authorize(c.t)
    if then is not None:
        then(actor)


def _screen_and_export(svc: Any, c: Case) -> None:
    report = svc.screen_text(c.csv().read_text(), keep_rows=True)
    try:
        assert svc.export_csv(report, c.tmp / "export.csv") == 1
    finally:
        svc.discard(report)


Call = Callable[[Any, Case], object]
CALLS: dict[str, dict[str, Call]] = {
    "PatientService": {
        "search": lambda svc, c: svc.search(c.t, "someone"),
        "search_ids": lambda svc, c: svc.search_ids(c.t, "someone"),
        "rows": lambda svc, c: svc.rows(c.t, [c.a]),
        "get": lambda svc, c: svc.get(c.t, c.a),
        "open_chart": lambda svc, c: svc.open_chart(c.t, c.a),
        "allergies": lambda svc, c: svc.allergies(c.t, c.a),
        "set_allergies": lambda svc, c: svc.set_allergies(c.t, c.a, "none_known"),
        "register": lambda svc, c: svc.register(c.t, PatientDraft(given_names="New", family_name="Patient")),
        "update": lambda svc, c: svc.update(c.t, c.a, PatientDraft(given_names="Changed")),
        "deactivate": lambda svc, c: svc.deactivate(c.t, c.a),
        "reactivate": lambda svc, c: svc.reactivate(c.t, c.a),
        "merge": lambda svc, c: svc.merge(c.t, c.a, c.other.id),
        "access_log": lambda svc, c: svc.access_log(c.t),
        "who_opened_my_chart": lambda svc, c: svc.who_opened_my_chart(c.t),
        "access_log_ids": lambda svc, c: svc.access_log_ids(c.t),
        "access_log_rows": lambda svc, c: svc.access_log_rows(c.t, [1]),
        "my_chart_access_ids": lambda svc, c: svc.my_chart_access_ids(c.t),
        "my_chart_access_rows": lambda svc, c: svc.my_chart_access_rows(c.t, [1]),
    },
    "RecordService": {
        "list": lambda svc, c: svc.list(c.t, patient_id=c.a),
        "count": lambda svc, c: svc.count(c.t, patient_id=c.a),
        "ids": lambda svc, c: svc.ids(c.t, patient_id=c.a),
        "rows": lambda svc, c: svc.rows(c.t, [c.record.id], patient_id=c.a),
        "get": lambda svc, c: svc.get(c.t, c.record.id, patient_id=c.a),
        "create": lambda svc, c: svc.create(c.t, RECORD, patient_id=c.a),
        "update": lambda svc, c: svc.update(c.t, c.record.id, RECORD, c.record.version, patient_id=c.a),
        "delete": lambda svc, c: svc.delete(c.t, c.record.id, patient_id=c.a),
        "history": lambda svc, c: svc.history(c.t, c.record.id, patient_id=c.a),
    },
    "FamilyService": {
        "list": lambda svc, c: svc.list(c.t, patient_id=c.a),
        "get": lambda svc, c: svc.get(c.t, c.family.id, patient_id=c.a),
        "ids": lambda svc, c: svc.ids(c.t, patient_id=c.a),
        "rows": lambda svc, c: svc.rows(c.t, [c.family.id], patient_id=c.a),
        "create": lambda svc, c: svc.create(c.t, FAMILY, patient_id=c.a),
        "update": lambda svc, c: svc.update(c.t, c.family.id, FAMILY, c.family.version, patient_id=c.a),
        "delete": lambda svc, c: svc.delete(c.t, c.family.id, patient_id=c.a),
        "history": lambda svc, c: svc.history(c.t, c.family.id, patient_id=c.a),
    },
    "PredictionService": {
        "make_prediction": lambda svc, c: svc.make_prediction(c.t, FEATURES, patient_id=c.a),
        "model_info": lambda svc, c: svc.model_info(),
        "save": lambda svc, c: svc.save(c.t, FEATURES, patient_id=c.a),
        "list": lambda svc, c: svc.list(c.t, patient_id=c.a),
        "get": lambda svc, c: svc.get(c.t, c.prediction.id, patient_id=c.a),
        "ids": lambda svc, c: svc.ids(c.t, patient_id=c.a),
        "rows": lambda svc, c: svc.rows(c.t, [c.prediction.id], patient_id=c.a),
        "report": lambda svc, c: svc.report(c.t, c.prediction.id, patient_id=c.a),
        "annotate": lambda svc, c: svc.annotate(
            c.t, c.prediction.id, "seen", c.prediction.version, patient_id=c.a
        ),
        "delete": lambda svc, c: svc.delete(c.t, c.prediction.id, patient_id=c.a),
        "plan_filing": lambda svc, c: svc.plan_filing(c.t, [(c.patient.mrn, FEATURES)]),
        "file_screening": lambda svc, c: svc.file_screening(c.t, [(c.patient.mrn, FEATURES)]),
    },
    "ProfileService": {
        "get": lambda svc, c: svc.get(c.t, patient_id=c.a),
        "update": lambda svc, c: svc.update(
            c.t, ProfileUpdate(name="Pat Changed", age=40), c.version(), patient_id=c.a
        ),
    },
    "UserAdminService": {
        "list_accounts": lambda svc, c: svc.list_accounts(c.t),
        "account_ids": lambda svc, c: svc.account_ids(c.t),
        "accounts": lambda svc, c: svc.accounts(c.t, [c.account()]),
        "create_user": lambda svc, c: svc.create_user(c.t, c.email(), "New Staff", PASSWORD, Role.RECEPTION),
        "deactivate": lambda svc, c: svc.deactivate(c.t, c.account()),
        "reactivate": lambda svc, c: svc.reactivate(c.t, c.account()),
        "reset_password": lambda svc, c: svc.reset_password(c.t, c.account(), "another good password"),
        "set_role": lambda svc, c: svc.set_role(c.t, c.account(), Role.CLINICIAN),
        "make_admin": lambda svc, c: svc.make_admin(c.t, c.account()),
        "remove_admin": lambda svc, c: svc.remove_admin(c.t, c.account(Role.ADMIN)),
        "create_admin_from_console": lambda svc, c: svc.create_admin_from_console(c.email(), "Ann", PASSWORD),
        "create_account_from_console": lambda svc, c: svc.create_account_from_console(
            c.email(), "Cy", PASSWORD, Role.CLINICIAN
        ),
        "list_accounts_from_console": lambda svc, c: svc.list_accounts_from_console(),
        "unlock": lambda svc, c: svc.unlock(c.t, c.account()),
        "clinic_preferences": lambda svc, c: svc.clinic_preferences(c.t),
        "save_clinic_preferences": lambda svc, c: svc.save_clinic_preferences(
            c.t, svc.clinic_preferences(c.clinic.admin.token)
        ),
    },
    "AuditService": {
        "list": lambda svc, c: svc.list(c.t),
        "ids": lambda svc, c: svc.ids(c.t),
        "rows": lambda svc, c: svc.rows(c.t, [1]),
        "actions": lambda svc, c: svc.actions(),
        "record_event": lambda svc, c: svc.record_event(AuditAction.BACKUP, "made a copy", token=c.t),
    },
    "AuthService": {
        "has_any_user": lambda svc, c: svc.has_any_user(),
        "create_first_admin": _first_admin_again,
        "register": lambda svc, c: svc.register(c.email(), "Self Registered", PASSWORD),
        "sign_in": lambda svc, c: svc.sign_in(c.caller.user.email, PASSWORD),
        "sign_out": lambda svc, c: svc.sign_out(c.fresh()),
        "current_user": lambda svc, c: svc.current_user(c.t),
        "verify_password": lambda svc, c: svc.verify_password(c.t, PASSWORD),
        # The caller's own session: a password change ends the account's other sessions.
        "change_password": lambda svc, c: svc.change_password(c.t, PASSWORD, PASSWORD),
        "set_required_password": _choose_the_password_given,
        "registration_open": lambda svc, c: svc.registration_open(),
    },
    "MaintenanceService": {
        "authorize": lambda svc, c: svc.authorize(c.t),
        "status": lambda svc, c: _admin_only(svc, c, lambda actor: svc.status()),
        "history": lambda svc, c: _admin_only(svc, c, lambda actor: svc.history()),
        "list_backups": lambda svc, c: _admin_only(svc, c, lambda actor: svc.list_backups()),
        "backups_folder": lambda svc, c: _admin_only(svc, c, lambda actor: svc.backups_folder()),
        "backup_tools_message": lambda svc, c: _admin_only(svc, c, lambda actor: svc.backup_tools_message()),
        "fingerprint": lambda svc, c: _admin_only(svc, c, lambda actor: svc.fingerprint()),
        "plan_downgrade": lambda svc, c: _admin_only(svc, c, lambda actor: svc.plan_downgrade()),
        # Changing the database is exercised in tests/migrations/test_maintenance.py; here only the
        # door those actions are opened by.
        "upgrade": _admin_only,
        "downgrade": _admin_only,
        "backup_now": _admin_only,
        "automatic_backup": _admin_only,
        "restore": _admin_only,
        "check": _admin_only,
    },
    "ScreeningService": {
        "screen_file": lambda svc, c: svc.screen_file(c.csv()),
        "screen_text": lambda svc, c: svc.screen_text(c.csv().read_text()),
        "export_csv": _screen_and_export,
        "discard": lambda svc, c: svc.discard(None),
    },
}
SERVICE_ATTRIBUTE = {
    "PatientService": "patients",
    "RecordService": "records",
    "FamilyService": "family",
    "PredictionService": "predictions",
    "ProfileService": "profile",
    "UserAdminService": "users",
    "AuditService": "audit",
    "AuthService": "auth",
    "MaintenanceService": "maintenance",
    "ScreeningService": "screening",
}


def test_every_service_is_policed() -> None:
    assert {cls.__name__ for cls in POLICED_SERVICES} == set(SERVICE_ATTRIBUTE) == set(CALLS)


def test_every_public_method_declares_an_action_and_has_a_call() -> None:
    for cls in POLICED_SERVICES:
        actions = declared_actions(cls)
        undeclared = sorted(name for name, action in actions.items() if action is None)
        assert not undeclared, f"{cls.__name__}: public methods without a policy action: {undeclared}"
        assert set(actions) == set(CALLS.get(cls.__name__, {})), f"{cls.__name__}: calls missing in CALLS"


def test_every_action_has_a_row_for_every_role() -> None:
    for action in Action:
        for role in (Role.PATIENT, Role.RECEPTION, Role.CLINICIAN, Role.ADMIN):
            assert (role, action) in POLICY


def _expect_allowed(grant: Grant, admin_reads: bool) -> bool:
    if grant is Grant.IF_SETTING:
        return admin_reads
    return grant is Grant.YES  # OWN is refused here: the calls name another patient


@pytest.mark.parametrize(
    ("role", "admin_reads"),
    [
        (Role.PATIENT, False),
        (Role.RECEPTION, False),
        (Role.CLINICIAN, False),
        (Role.ADMIN, False),
        (Role.ADMIN, True),
    ],
    ids=["patient", "reception", "clinician", "admin", "admin-reading-medical-data"],
)
def test_each_role_gets_what_the_table_says(
    db_url: str, clock, tmp_path: Path, role: Role, admin_reads: bool
) -> None:
    # Self-registration on (a kiosk's set-up), so its row of the table is what decides.
    services = make_services(db_url, clock, admin_can_read_medical_data=admin_reads, self_registration=True)
    try:
        services.auth.create_first_admin("admin@clinic.example", "Ada Admin", PASSWORD)
        admin = services.auth.sign_in("admin@clinic.example", PASSWORD)
        clinic = make_clinic(services, admin)
        check_every_method(services, clinic, clinic.session(role), admin_reads, tmp_path)
    finally:
        services.close()


def each_call(
    services: Services, clinic: Clinic, caller: SessionInfo, tmp: Path, case: type[Case] = Case
) -> Iterator[tuple[type, str, Action, Any, Case, Call]]:
    """(service class, method name, its action, the service, a fresh Case, the call) for every public
    method of every policed service: the walk this table and other per-method tests share."""
    for cls in POLICED_SERVICES:
        service = getattr(services, SERVICE_ATTRIBUTE[cls.__name__])
        for name, action in declared_actions(cls).items():
            made = case(
                services,
                clinic,
                caller,
                patient=register(services, clinic, f"Target {name}"),
                other=register(services, clinic, f"Other {name}"),
                tmp=tmp,
            )
            yield cls, name, action, service, made, CALLS[cls.__name__][name]


def check_every_method(
    services: Services, clinic: Clinic, caller: SessionInfo, admin_reads: bool, tmp: Path
) -> None:
    """Call every public method as ``caller`` and check it is allowed or refused as the table says."""
    role = caller.user.role
    for cls, name, action, service, case, call in each_call(services, clinic, caller, tmp):
        grant = POLICY[(role, action)]
        where = f"{cls.__name__}.{name} as {role.value} ({action.value})"
        if _expect_allowed(grant, admin_reads):
            call(service, case)
            continue
        with pytest.raises((PermissionDeniedError, NotFoundError)) as refused:
            call(service, case)
        if role is Role.PATIENT and grant is Grant.OWN:
            assert isinstance(refused.value, NotFoundError), where  # ids reveal nothing


def test_a_patient_gets_own_chart_actions_on_themselves(services: Services, admin) -> None:
    clinic = make_clinic(services, admin)
    own = {name for name, action in declared_actions(type(services.patients)).items()
           if POLICY[(Role.PATIENT, action)] is Grant.OWN}  # fmt: skip
    assert own == {"get", "open_chart", "allergies", "set_allergies"}
    token = clinic.patient.token
    services.patients.get(token)
    services.patients.open_chart(token)
    services.patients.allergies(token)
    services.patients.set_allergies(token, None, "recorded", "latex")


def test_staff_must_name_the_patient(services: Services, admin) -> None:
    clinic = make_clinic(services, admin)
    for call in (
        lambda: services.records.list(clinic.clinician.token),
        lambda: services.family.create(clinic.clinician.token, FAMILY),
        lambda: services.profile.get(clinic.clinician.token),
        lambda: services.predictions.save(clinic.clinician.token, FEATURES),
    ):
        with pytest.raises(ValidationError, match="Open a patient's chart first"):
            call()
