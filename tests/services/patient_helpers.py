"""Accounts of every role and registered patients, for the patient and policy tests."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.dto import SessionInfo
from desktop.domain.enums import Role
from desktop.domain.patient_dto import PatientDraft, PatientDTO
from desktop.services.container import Services
from tests.services.conftest import add_user


@dataclass(frozen=True)
class Clinic:
    admin: SessionInfo
    clinician: SessionInfo
    reception: SessionInfo
    patient: SessionInfo  # a patient with portal access (e-mail and password)

    def session(self, role: Role) -> SessionInfo:
        return {
            Role.ADMIN: self.admin,
            Role.CLINICIAN: self.clinician,
            Role.RECEPTION: self.reception,
            Role.PATIENT: self.patient,
        }[role]


def make_clinic(services: Services, admin: SessionInfo) -> Clinic:
    return Clinic(
        admin=admin,
        clinician=add_user(services, admin, "cleo@clinic.example", Role.CLINICIAN),
        reception=add_user(services, admin, "rita@clinic.example", Role.RECEPTION),
        patient=add_user(services, admin, "pat@clinic.example", Role.PATIENT),
    )


def register(
    services: Services, clinic: Clinic, given: str, family: str = "", **fields: object
) -> PatientDTO:
    return services.patients.register(
        clinic.reception.token, PatientDraft(given_names=given, family_name=family, **fields)
    )
