"""Finding a patient as the name, MRN, date of birth or phone number is typed.

Every query is an indexed one, so a keystroke costs the same on 100 or 100,000 patients:
- a date (1945-07-14, 14/07/1945, 14-Jul-1945) matches the date of birth;
- otherwise every typed word must start a word of the name, in any order, accents and case ignored
  (``name_key LIKE '% word%'``): the longest word is sought in the token table's primary key; when
  it is rare its few patients are filtered, when it is common the name index is walked in order and
  the first page comes at once;
- the text may be the start of an MRN (a range of the unique MRN index);
- digits and separators only (at least three digits) match the phone number's digits, from the
  start or after a country code (tokens in the same table).
Results come in name order (family name first when known).

An empty box lists the patients the person looked at most recently (their own access-log rows),
then the most recently registered.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AccessLog, PatientSearchToken, User
from desktop.domain.enums import Role
from desktop.domain.patients import PHONE_TOKEN, name_words, parse_date, phone_key, prefix_upper_bound

_PHONE_ONLY = re.compile(r"^[\d\s()+./-]+$")
_MRN_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
MIN_PHONE_DIGITS = 3


#: Above this many token matches a typed word is "common": walking the name index in order finds the
#: first page quickly; below it, the few candidates are filtered and sorted instead.
DENSE = 2000
#: At most this many patients share the typed phone digits (a phone search is meant to single one out).
PHONE_CANDIDATES = 2000


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _token_range(prefix: str) -> Any:
    return select(PatientSearchToken.user_id).where(
        PatientSearchToken.token >= prefix, PatientSearchToken.token < prefix_upper_bound(prefix)
    )


def _is_dense(s: OrmSession, prefix: str) -> bool:
    capped = _token_range(prefix).limit(DENSE + 1).subquery()
    return (s.scalar(select(func.count()).select_from(capped)) or 0) > DENSE


def find(s: OrmSession, columns: tuple[Any, ...], text: str, limit: int, include_inactive: bool) -> list[Any]:
    """The first ``limit`` patients matching ``text``, in name order (one to three indexed queries)."""
    base = select(*columns).where(User.role == Role.PATIENT.value)
    if not include_inactive:
        base = base.where(User.is_active.is_(True))
    day = parse_date(text)
    if day is not None:
        return list(s.execute(base.where(User.date_of_birth == day).order_by(User.name_key).limit(limit)))
    found: dict[str, Any] = {}
    words = sorted(name_words(text), key=len, reverse=True)
    if words:
        named = base.where(*(User.name_key.like(f"% {_escape(word)}%", escape="\\") for word in words))
        if _is_dense(s, words[0]):
            # SQLite walks ix_user_name_key in order and stops at the first page (ORDER BY name_key only:
            # adding id would force a sort of every match).
            named = named.with_hint(User, "INDEXED BY ix_user_name_key", "sqlite")
        else:
            named = named.where(User.id.in_(_token_range(words[0])))
        found.update((row.id, row) for row in s.execute(named.order_by(User.name_key).limit(limit)))
    token = text.strip().upper()
    if _MRN_PREFIX.match(token):
        numbered = base.where(User.mrn >= token, User.mrn < prefix_upper_bound(token))
        found.update((row.id, row) for row in s.execute(numbered.order_by(User.mrn).limit(limit)))
    digits = phone_key(text)
    if _PHONE_ONLY.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        # The capped candidates as a derived table: MySQL / MariaDB refuse LIMIT inside IN (...).
        capped = _token_range(f"{PHONE_TOKEN}{digits}").limit(PHONE_CANDIDATES).subquery()
        by_phone = base.where(User.id.in_(select(capped.c.user_id)))
        found.update((row.id, row) for row in s.execute(by_phone.limit(limit)))
    return sorted(found.values(), key=lambda row: (row.name_key, row.id))[:limit]


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
