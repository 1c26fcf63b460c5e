"""``clinicdesk patients import FILE.csv``: patients from a clinic's spreadsheet.

Columns (header row, any order, case ignored): ``name`` (required; "FAMILY, Given" states the family
name), ``date_of_birth``, ``sex`` (male / female / other / unknown, or M / F), ``mrn``, ``phone``,
``email``; any other column is ignored and named in the report. Every line is checked first: a file
with any bad line writes nothing and lists the lines by number. A good file is written in one
transaction. Running it again updates instead of duplicating: a line whose MRN is known updates that
patient; a line without MRN updates the one active patient with the same name and date of birth,
when there is exactly one.

Like ``users create-admin`` this runs from the console without a session: whoever runs it can
already open the database; the import is written to the audit log with the actor "console".
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import User
from desktop.domain.dto import AuditAction
from desktop.domain.enums import Role
from desktop.domain.errors import KnownError, ValidationError
from desktop.domain.patient_dto import ImportProblem, ImportReport, PatientDraft
from desktop.domain.patients import age_on, sort_key, split_name
from desktop.services import audit
from desktop.services.context import ServiceContext
from desktop.services.patient_records import check_draft, next_mrn

COLUMNS = ("name", "date_of_birth", "sex", "mrn", "phone", "email")
_SEX_SHORT = {"m": "male", "f": "female", "o": "other", "u": "unknown", "": "unknown"}


def read_lines(path: Path) -> tuple[list[tuple[int, dict[str, str]]], tuple[str, ...]]:
    """(line number, values by column) per data line, and the ignored column names."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip().lower() for h in next(reader, [])]
            if "name" not in header:
                raise KnownError(f"{path.name}: the first line must name the columns, including 'name'.")
            ignored = tuple(h for h in header if h not in COLUMNS)
            lines = []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                values = {
                    h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h in COLUMNS
                }
                lines.append((reader.line_num, values))
            return lines, ignored
    except FileNotFoundError:
        raise KnownError(f"There is no file {path}.") from None
    except UnicodeDecodeError:
        raise KnownError(
            f"{path.name} is not a UTF-8 text file: save it as CSV UTF-8 and try again."
        ) from None
    except csv.Error as error:
        raise KnownError(f"{path.name} is not a readable CSV file ({error}).") from None


def _draft(values: dict[str, str]) -> PatientDraft:
    family, given = split_name(values.get("name", ""))
    sex = values.get("sex", "").lower()
    return PatientDraft(
        given_names=given,
        family_name=family or "",
        date_of_birth=values.get("date_of_birth") or None,
        sex=_SEX_SHORT.get(sex, sex),
        mrn=values.get("mrn", ""),
        phone=values.get("phone", ""),
        email=values.get("email", ""),
    )


def import_patients(ctx: ServiceContext, path: Path) -> ImportReport:
    lines, ignored = read_lines(path)
    today = ctx.now().date()
    problems: list[ImportProblem] = []
    checked: list[tuple[int, dict[str, Any]]] = []
    seen_mrns: dict[str, int] = {}
    for number, values in lines:
        try:
            row = check_draft(_draft(values), today)
        except ValidationError as error:
            problems.append(ImportProblem(number, error.message))
            continue
        if row["mrn"] in seen_mrns:
            problems.append(
                ImportProblem(number, f"MRN {row['mrn']} is also on line {seen_mrns[row['mrn']]}.")
            )
            continue
        if row["mrn"]:
            seen_mrns[row["mrn"]] = number
        checked.append((number, row))
    if problems:
        return ImportReport(0, 0, ignored, tuple(problems))
    with ctx.unit_of_work(write=True) as s:
        created = updated = 0
        for number, row in checked:
            existing = _existing(s, row)
            email_owner = row["email"] and s.scalar(
                select(User.id).where(func.lower(User.email) == row["email"])
            )
            if email_owner and (existing is None or email_owner != existing.id):
                problems.append(
                    ImportProblem(number, f"The e-mail {row['email']} belongs to another account.")
                )
                continue
            if existing is None:
                _create(s, ctx, row, today)
                created += 1
            else:
                _update(existing, row, ctx.now(), today)
                updated += 1
            s.flush()
        if problems:
            return ImportReport(0, 0, ignored, tuple(problems))  # leaving the block rolls everything back
        audit.write(
            s, ctx, action=AuditAction.IMPORT, actor="console", entity="user",
            summary=f"Patients imported from {path.name}: {created} new, {updated} updated",
        )  # fmt: skip
        s.commit()
    return ImportReport(created, updated, ignored, ())


def _existing(s: OrmSession, row: dict[str, Any]) -> User | None:
    patients = select(User).where(User.role == Role.PATIENT.value)
    if row["mrn"]:
        return s.scalars(patients.where(User.mrn == row["mrn"])).first()
    if row["date_of_birth"] is None:
        return None
    key = sort_key(row["name"], row["family_name"], row["given_names"])
    same = s.scalars(
        patients.where(
            User.name_key == key, User.date_of_birth == row["date_of_birth"], User.is_active.is_(True)
        )
    ).all()
    return same[0] if len(same) == 1 else None


def _create(s: OrmSession, ctx: ServiceContext, row: dict[str, Any], today: dt.date) -> None:
    now = ctx.now()
    values = {**row, "mrn": row["mrn"] or next_mrn(s)}
    s.add(
        User(
            **values,
            password_hash="",
            role=Role.PATIENT.value,
            age=age_on(row["date_of_birth"], today) if row["date_of_birth"] else None,
            created_at=now,
            updated_at=now,
            is_active=True,
        )
    )


def _update(patient: User, row: dict[str, Any], now: dt.datetime, today: dt.date) -> None:
    for key, value in row.items():
        if key == "mrn" and not value:
            continue
        if key in ("email", "phone", "date_of_birth") and not value:
            continue  # a blank cell does not erase what the clinic already has
        setattr(patient, key, value)
    if patient.date_of_birth:
        patient.age = age_on(patient.date_of_birth, today)
    patient.updated_at = now
