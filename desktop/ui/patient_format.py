"""How a patient's identity is written on screen and on paper (Qt-free), after the NHS patient-banner
guidance: family name in capitals then given names, dates as 14-Jul-1945, the age beside the date of
birth, a number always with its label ("MRN 000123"), and "Not known" for what is not recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.domain.enums import AllergyStatus
from desktop.domain.patient_dto import AllergyInfo
from desktop.domain.patients import age_on

NOT_KNOWN = "Not known"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def display_date(day: dt.date | None) -> str:
    """14-Jul-1945 (day, abbreviated month in English, four-digit year: never ambiguous)."""
    if day is None:
        return NOT_KNOWN
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year:04d}"


def display_name(patient: Any) -> str:
    """ "GARCÍA LÓPEZ, María José" when the family name is known; the name as recorded otherwise."""
    if patient.family_name:
        given = patient.given_names.strip()
        return f"{patient.family_name.upper()}, {given}" if given else patient.family_name.upper()
    return patient.name


def born(day: dt.date | None, today: dt.date) -> str:
    """ "14-Jul-1945 (81y)"; "Not known" without a date of birth."""
    if day is None:
        return NOT_KNOWN
    return f"{display_date(day)} ({age_on(day, today)}y)"


def mrn(value: str) -> str:
    return f"MRN {value}" if value else f"MRN {NOT_KNOWN.lower()}"


def allergies(info: AllergyInfo | None) -> str:
    """The banner's allergy zone in one of its three states (or why it is not shown)."""
    if info is None:
        return "Not shown to your role"
    if info.status is AllergyStatus.RECORDED and info.allergies:
        return info.allergies
    if info.status is AllergyStatus.NONE_KNOWN:
        checked = f" (checked {display_date(info.checked_on)})" if info.checked_on else ""
        return f"No known allergies{checked}"
    return "Not recorded"
