"""Finding a patient as the name, MRN, date of birth or phone number is typed.

One statement per keystroke, over the stored search keys (see desktop/domain/patients.py):
- a date (1945-07-14, 14/07/1945, 14-Jul-1945) matches the date of birth (indexed);
- otherwise every typed word must start a word of the name, in any order, accents and case ignored
  (``name_key LIKE '% word%'``), or the text is the start of an MRN (an indexed range), or, when it
  is only digits and separators (at least three digits), it appears in the phone number's digits.
Results come in name order, walking the name-key index so the first page stops early.

An empty box lists the patients the person looked at most recently (their own access-log rows),
then the most recently registered.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AccessLog, User
from desktop.domain.enums import Role
from desktop.domain.patients import name_words, parse_date, phone_key

_PHONE_ONLY = re.compile(r"^[\d\s()+./-]+$")
_MRN_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
MIN_PHONE_DIGITS = 3


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_condition(text: str) -> Any | None:
    """The WHERE clause for a typed text; None when nothing could match."""
    day = parse_date(text)
    if day is not None:
        return User.date_of_birth == day
    alternatives: list[Any] = []
    words = name_words(text)
    if words:
        alternatives.append(and_(*(User.name_key.like(f"% {_escape(word)}%", escape="\\") for word in words)))
    token = text.strip().upper()
    if _MRN_PREFIX.match(token):
        upper = token[:-1] + chr(ord(token[-1]) + 1)
        alternatives.append(and_(User.mrn >= token, User.mrn < upper))
    digits = phone_key(text)
    if _PHONE_ONLY.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        alternatives.append(User.phone_key.like(f"%{digits}%"))
    if not alternatives:
        return None
    return or_(*alternatives) if len(alternatives) > 1 else alternatives[0]


def find(s: OrmSession, columns: tuple[Any, ...], text: str, limit: int, include_inactive: bool) -> list[Any]:
    condition = text_condition(text)
    if condition is None:
        return []
    query = select(*columns).where(User.role == Role.PATIENT.value, condition)
    if not include_inactive:
        query = query.where(User.is_active.is_(True))
    return list(s.execute(query.order_by(User.name_key, User.id).limit(limit)))


def recent(
    s: OrmSession, columns: tuple[Any, ...], viewer_id: str, limit: int, include_inactive: bool
) -> list[Any]:
    """Patients ``viewer_id`` opened most recently, then the newest registrations."""
    last_seen = func.max(AccessLog.created_at)
    opened = [
        patient_id
        for (patient_id,) in s.execute(
            select(AccessLog.patient_id)
            .where(AccessLog.user_id == viewer_id)
            .group_by(AccessLog.patient_id)
            .order_by(last_seen.desc())
            .limit(limit)
        )
    ]
    patients = select(*columns).where(User.role == Role.PATIENT.value)
    if not include_inactive:
        patients = patients.where(User.is_active.is_(True))
    by_id = {row.id: row for row in s.execute(patients.where(User.id.in_(opened)))} if opened else {}
    rows = [by_id[i] for i in opened if i in by_id]
    if len(rows) < limit:
        newest = patients.order_by(User.created_at.desc(), User.id.desc()).limit(limit)
        seen = set(by_id)
        rows.extend(row for row in s.execute(newest) if row.id not in seen)
    return rows[:limit]
