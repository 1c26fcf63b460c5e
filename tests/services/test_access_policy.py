"""The policy matrix: every public method of every policed service, called by every role, does what
the access policy table says (allowed, or refused with PermissionDeniedError / NotFoundError).

A public method without a declared action, or without a call below, fails here: adding a method
means adding its row to the policy and its call to this table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import desktop.services.patients  # noqa: F401  (registers PatientService with the policy)
from desktop.domain.enums import Role
from desktop.domain.errors import NotFoundError, PermissionDeniedError
from desktop.domain.patient_dto import PatientDraft
from desktop.services.access_policy import (
    POLICED_SERVICES,
    POLICY,
    Action,
    Grant,
    declared_actions,
)
from desktop.services.container import Services
from tests.services.conftest import make_services
from tests.services.patient_helpers import make_clinic, register

# service class name -> {method: call(service, token, patient_id, other_patient_id)}
Call = Callable[[Any, str, str, str], object]
CALLS: dict[str, dict[str, Call]] = {
    "PatientService": {
        "search": lambda svc, t, a, b: svc.search(t, "someone"),
        "get": lambda svc, t, a, b: svc.get(t, a),
        "open_chart": lambda svc, t, a, b: svc.open_chart(t, a),
        "allergies": lambda svc, t, a, b: svc.allergies(t, a),
        "set_allergies": lambda svc, t, a, b: svc.set_allergies(t, a, "none_known"),
        "register": lambda svc, t, a, b: svc.register(
            t, PatientDraft(given_names="New", family_name="Patient")
        ),
        "update": lambda svc, t, a, b: svc.update(t, a, PatientDraft(given_names="Changed")),
        "deactivate": lambda svc, t, a, b: svc.deactivate(t, a),
        "reactivate": lambda svc, t, a, b: svc.reactivate(t, a),
        "merge": lambda svc, t, a, b: svc.merge(t, a, b),
        "access_log": lambda svc, t, a, b: svc.access_log(t),
        "who_opened_my_chart": lambda svc, t, a, b: svc.who_opened_my_chart(t),
    }
}
SERVICE_ATTRIBUTE = {"PatientService": "patients"}


def test_every_public_method_declares_an_action_and_has_a_call() -> None:
    assert POLICED_SERVICES, "no service registered with the policy"
    for cls in POLICED_SERVICES:
        actions = declared_actions(cls)
        undeclared = sorted(name for name, action in actions.items() if action is None)
        assert not undeclared, f"{cls.__name__}: public methods without a policy action: {undeclared}"
        assert set(actions) == set(CALLS.get(cls.__name__, {})), f"{cls.__name__}: calls missing in CALLS"


def test_every_action_has_a_row_for_every_role() -> None:
    for action in Action:
        for role in (Role.PATIENT, Role.RECEPTION, Role.CLINICIAN, Role.ADMIN):
            assert (role, action) in POLICY


def _expect_allowed(grant: Grant, role: Role, admin_reads: bool) -> bool:
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
def test_each_role_gets_what_the_table_says(db_url: str, clock, role: Role, admin_reads: bool) -> None:
    services = make_services(db_url, clock, admin_can_read_medical_data=admin_reads)
    try:
        services.auth.create_first_admin("admin@clinic.example", "Ada Admin", "correct horse battery")
        admin = services.auth.sign_in("admin@clinic.example", "correct horse battery")
        clinic = make_clinic(services, admin)
        token = clinic.session(role).token
        for cls in POLICED_SERVICES:
            service = getattr(services, SERVICE_ATTRIBUTE[cls.__name__])
            for name, action in declared_actions(cls).items():
                a = register(services, clinic, f"Target {name}").id
                b = register(services, clinic, f"Other {name}").id
                call = CALLS[cls.__name__][name]
                expected = _expect_allowed(POLICY[(role, action)], role, admin_reads)
                where = f"{cls.__name__}.{name} as {role.value} ({action.value})"
                if expected:
                    call(service, token, b, a)
                    continue
                with pytest.raises((PermissionDeniedError, NotFoundError)) as refused:
                    call(service, token, b, a)
                if role is Role.PATIENT and POLICY[(role, action)] is Grant.OWN:
                    assert isinstance(refused.value, NotFoundError), where  # ids reveal nothing
    finally:
        services.close()


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
