"""The patient list's two calls: ``search_ids`` (every matching id, in the list's order) and ``rows``
(the summaries of the ids shown), on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.domain.errors import PermissionDeniedError, ValidationError
from desktop.domain.patient_dto import PatientSummary
from desktop.services import patient_search
from desktop.services.container import Services
from tests.services.patient_helpers import Clinic, make_clinic, register


@pytest.fixture
def clinic(services: Services, admin) -> Clinic:
    return make_clinic(services, admin)


def test_empty_box_lists_what_this_person_opened_last_then_every_other_patient_newest_first(
    services: Services, clinic: Clinic, clock
) -> None:
    portal = clinic.patient.user.id  # registered first, by the fixture
    made = []
    for given in ("First", "Second", "Third", "Fourth"):
        clock.advance(minutes=1)
        made.append(register(services, clinic, given).id)
    first, second, third, fourth = made
    token = clinic.clinician.token
    assert services.patients.search_ids(token) == (fourth, third, second, first, portal)

    services.patients.open_chart(token, second)
    clock.advance(minutes=1)
    services.patients.open_chart(token, first)
    clock.advance(minutes=1)
    services.patients.get(clinic.reception.token, third)  # someone else's reading: not this list's
    assert services.patients.search_ids(token) == (first, second, fourth, third, portal)

    services.patients.deactivate(clinic.reception.token, first)
    assert services.patients.search_ids(token) == (second, fourth, third, portal)
    assert services.patients.search_ids(token, include_inactive=True) == (
        first,
        second,
        fourth,
        third,
        portal,
    )
    assert [p.id for p in services.patients.search(token, limit=2)] == [second, fourth]


@pytest.mark.parametrize("dense", [2000, 0], ids=["rare-words", "common-words"])
def test_text_matches_words_in_any_order_without_accents_or_case_in_name_order(
    services: Services, clinic: Clinic, dense: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patient_search, "DENSE", dense)  # both plans: token lookups, the list's index
    maria = register(
        services, clinic, "María José", "García", date_of_birth="1945-07-14", phone="+34 600-123-456"
    )
    mario = register(services, clinic, "Mario", "Gómez", phone="555 0101")
    ana = register(services, clinic, "Ana", "Garcés", mrn="X-100")
    jose = register(services, clinic, "José", "Martín")
    token = clinic.reception.token

    def ids(text: str) -> tuple[str, ...]:
        return services.patients.search_ids(token, text)

    assert ids("gar") == (ana.id, maria.id)  # GARCÉS before GARCÍA
    assert ids("JOSE gar") == ids("garcia maria") == ids("MARÍA   josé") == (maria.id,)
    assert ids("jose") == (maria.id, jose.id)
    assert ids("mar") == (maria.id, mario.id, jose.id)  # family name first: García, Gómez, Martín
    assert ids("14/07/1945") == ids("14-Jul-1945") == (maria.id,)
    assert ids("600 123") == (maria.id,)
    assert ids("x-1") == (ana.id,)
    assert ids(mario.mrn) == (mario.id,)
    assert ids("nobody") == ids("%") == ids("_") == ()
    services.patients.deactivate(token, mario.id)
    assert ids("mar") == (maria.id, jose.id)
    assert services.patients.search_ids(token, "mar", include_inactive=True) == (maria.id, mario.id, jose.id)
    assert [p.id for p in services.patients.search(token, "mar")] == list(ids("mar"))


def test_rows_are_the_summaries_of_the_ids_in_their_order_and_nothing_medical(
    services: Services, clinic: Clinic
) -> None:
    ann = register(services, clinic, "Ann", "Lee", date_of_birth="1980-03-02", phone="111 222")
    bob = register(services, clinic, "Bob", "Ray")
    services.patients.set_allergies(clinic.clinician.token, ann.id, "recorded", "Penicillin")
    gone = register(services, clinic, "Gone", "Away")
    services.patients.deactivate(clinic.reception.token, gone.id)
    token = clinic.reception.token
    staff = clinic.clinician.user.id

    rows = services.patients.rows(token, [bob.id, "no such id", staff, ann.id, gone.id])
    assert [r.id for r in rows] == [bob.id, ann.id, gone.id]  # unknown ids and staff left out
    assert [f.name for f in dataclasses.fields(PatientSummary)] == [
        "id", "mrn", "name", "family_name", "given_names", "date_of_birth", "sex", "phone", "is_active",
    ]  # fmt: skip
    assert rows[1].phone == "111 222" and rows[1].mrn == ann.mrn and rows[1].family_name == "Lee"
    assert rows[2].is_active is False  # deactivated since the ids were read: shown as such
    assert services.patients.rows(token, []) == ()
    # A list of names is not a chart read: nothing in the access log.
    assert services.patients.access_log(clinic.admin.token).total == 0

    with pytest.raises(ValidationError):
        services.patients.rows(token, [ann.id] * 1001)
    with pytest.raises(ValidationError):
        services.patients.rows(token, ann.id)  # type: ignore[arg-type]  # a string is not a list of ids
    with pytest.raises(PermissionDeniedError):
        services.patients.rows(clinic.patient.token, [ann.id])
    with pytest.raises(PermissionDeniedError):
        services.patients.search_ids(clinic.patient.token)
