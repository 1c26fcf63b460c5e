"""Patients: registration, MRNs, search as you type, updates, deactivation, allergies (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.enums import AllergyStatus, Role, Sex
from desktop.domain.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from desktop.domain.patient_dto import PatientDraft
from desktop.services import patient_search
from desktop.services.container import Services
from tests.services.patient_helpers import Clinic, make_clinic, register


@pytest.fixture
def clinic(services: Services, admin) -> Clinic:
    return make_clinic(services, admin)


def test_registration_numbers_patients_and_keeps_the_clinic_mrn(services: Services, clinic: Clinic) -> None:
    maria = register(services, clinic, "María José", "García López", date_of_birth="14/07/1945", sex="female")
    assert maria.mrn == "000002"  # the portal patient of the fixture has 000001
    assert maria.name == "María José García López" and maria.family_name == "García López"
    assert maria.date_of_birth == dt.date(1945, 7, 14) and maria.sex is Sex.FEMALE
    assert maria.age(dt.date(2026, 3, 2)) == 80 and maria.email is None and not maria.has_portal_access
    own = register(services, clinic, "Ann", "Lee", mrn=" a-77 ")
    assert own.mrn == "A-77"
    with pytest.raises(ValidationError) as error:
        register(services, clinic, "Other", mrn="a-77")
    assert error.value.fields == {"mrn": "This MRN is already used by another patient."}
    with pytest.raises(ValidationError) as error:
        register(services, clinic, "", date_of_birth="31/02/1990", sex="x")
    assert set(error.value.fields) == {"given_names", "date_of_birth", "sex"}
    assert register(services, clinic, "Next").mrn == "000004"  # the count goes on past typed-in numbers


@pytest.mark.parametrize("dense", [2000, 0], ids=["rare-words", "common-words"])
def test_search_by_name_words_mrn_date_of_birth_and_phone(
    services: Services, clinic: Clinic, dense: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patient_search, "DENSE", dense)  # both ways of finding names: tokens, name index
    maria = register(
        services, clinic, "María José", "García", date_of_birth="1945-07-14", phone="+34 600-123-456"
    )
    register(services, clinic, "Mario", "Gómez", date_of_birth="1950-01-02", phone="555 0101")
    register(services, clinic, "Ana", "Garcés", mrn="X-100")
    token = clinic.clinician.token

    def names(text: str) -> list[str]:
        return [p.name for p in services.patients.search(token, text)]

    assert names("garcia maria") == ["María José García"]
    assert names("JOSE gar") == ["María José García"]
    assert names("gar") == ["Ana Garcés", "María José García"]
    assert names("mari") == ["María José García", "Mario Gómez"]  # family-name order
    assert names("14-Jul-1945") == names("14/07/1945") == names("1945-07-14") == ["María José García"]
    assert names("600 123") == ["María José García"]
    assert names("x-1") == ["Ana Garcés"]
    assert names(maria.mrn) == ["María José García"]
    assert names("nobody") == [] and names("%") == []


def test_empty_search_lists_recently_opened_then_newest(services: Services, clinic: Clinic, clock) -> None:
    first = register(services, clinic, "First")
    clock.advance(minutes=1)
    second = register(services, clinic, "Second")
    clock.advance(minutes=1)
    third = register(services, clinic, "Third")
    token = clinic.clinician.token
    services.patients.open_chart(token, first.id)
    recent = [p.id for p in services.patients.search(token)]
    assert recent[:3] == [first.id, third.id, second.id]


def test_update_and_deactivate_never_delete(services: Services, clinic: Clinic) -> None:
    ann = register(services, clinic, "Ann", "Lee", phone="111")
    token = clinic.reception.token
    changed = services.patients.update(
        token,
        ann.id,
        PatientDraft(given_names="Anne", family_name="Lee", phone="222 333", sex="female"),
        ann.version,
    )
    assert changed.name == "Anne Lee" and changed.mrn == ann.mrn and changed.sex is Sex.FEMALE
    assert [p.id for p in services.patients.search(token, "222333")] == [ann.id]
    with pytest.raises(ConflictError):
        services.patients.update(token, ann.id, PatientDraft(given_names="Stale"), ann.version)
    gone = services.patients.deactivate(token, ann.id)
    assert not gone.is_active and services.patients.search(token, "anne") == ()
    assert [p.id for p in services.patients.search(token, "anne", include_inactive=True)] == [ann.id]
    assert services.patients.get(token, ann.id).name == "Anne Lee"
    assert services.patients.reactivate(token, ann.id).is_active


def test_allergies_have_three_states(services: Services, clinic: Clinic, clock) -> None:
    ann = register(services, clinic, "Ann")
    token = clinic.clinician.token
    assert services.patients.allergies(token, ann.id).status is AllergyStatus.NOT_RECORDED
    nka = services.patients.set_allergies(token, ann.id, "none_known")
    assert nka.status is AllergyStatus.NONE_KNOWN and nka.checked_on == clock.now.date()
    listed = services.patients.set_allergies(token, ann.id, AllergyStatus.RECORDED, "penicillin", nka.version)
    assert listed.allergies == "penicillin" and listed.status is AllergyStatus.RECORDED
    with pytest.raises(ValidationError):
        services.patients.set_allergies(token, ann.id, AllergyStatus.RECORDED, "")
    with pytest.raises(PermissionDeniedError):
        services.patients.allergies(clinic.reception.token, ann.id)


def test_a_signed_in_patient_reaches_only_their_own_chart(services: Services, clinic: Clinic) -> None:
    other = register(services, clinic, "Other")
    token = clinic.patient.token
    me = services.patients.get(token)
    assert me.email == "pat@clinic.example" and me.has_portal_access and me.mrn == "000001"
    assert services.patients.open_chart(token).patient.id == me.id
    for call in (services.patients.get, services.patients.open_chart, services.patients.allergies):
        with pytest.raises(NotFoundError):
            call(token, other.id)
    with pytest.raises(NotFoundError):  # a staff account is not a patient either
        services.patients.get(clinic.clinician.token, clinic.reception.user.id)


def test_staff_roles_are_stored_and_old_user_value_reads_as_patient(clinic: Clinic) -> None:
    assert clinic.clinician.user.role is Role.CLINICIAN and clinic.reception.user.role is Role.RECEPTION
    assert clinic.patient.user.role is Role.PATIENT and Role("user") is Role.PATIENT
