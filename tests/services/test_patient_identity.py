"""The patient list and the chart say the same about who a patient is: one set of rules turns a
stored row into the list's row and the chart's identity, on every database kind, including a row from
before names were split into family and given names and one without an MRN."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from desktop.db.models import User
from desktop.domain.enums import Sex
from desktop.domain.patient_dto import PatientSummary
from desktop.services.container import Services
from tests.services.patient_helpers import Clinic, make_clinic, register


@pytest.fixture
def clinic(services: Services, admin) -> Clinic:
    return make_clinic(services, admin)


def _summary_part(patient: PatientSummary) -> dict[str, object]:
    return {f.name: getattr(patient, f.name) for f in dataclasses.fields(PatientSummary)}


def test_the_list_row_is_the_charts_identity(services: Services, clinic: Clinic, db_url: str) -> None:
    token = clinic.reception.token
    split = register(services, clinic, "María José", "García López", sex="female", phone="0612 345 678")
    older = register(services, clinic, "Ann", "Lee")
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:  # as a row from before names were split and MRNs given is stored
            conn.execute(
                sa.update(User)
                .where(User.id == older.id)
                .values(given_names=None, family_name=None, mrn=None, name="Ann Lee", phone=None)
            )
    finally:
        engine.dispose()

    for patient in (split, older):
        chart = services.patients.get(token, patient.id)
        (row,) = [r for r in services.patients.search(token, patient.name) if r.id == patient.id]
        assert _summary_part(chart) == _summary_part(row)
    chart = services.patients.get(token, older.id)
    assert (chart.mrn, chart.given_names, chart.family_name, chart.phone) == ("", "Ann Lee", None, "")
    chart = services.patients.get(token, split.id)
    assert (chart.given_names, chart.family_name, chart.sex) == ("María José", "García López", Sex.FEMALE)
