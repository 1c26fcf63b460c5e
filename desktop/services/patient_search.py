"""Finding patients as the name, MRN, date of birth or phone number is typed: the ids of every match,
in the order the patient list shows them.

The list holds these ids and fetches the rows it shows a batch at a time (the id-list table design),
so a keystroke costs one id query and one batch, however many patients match. What matches:
- a date (1945-07-14, 14/07/1945, 14-Jul-1945): the date of birth;
- otherwise a patient matches when every typed word starts a word of the name, in any order, accents
  and case ignored (``name_key LIKE '% word%'``), or the text starts the MRN, or (digits and
  separators only, at least three digits) the phone number's digits, from the start or after a
  country code (tokens in the token table).
Matches come in name order (family name first when known), then by id.

Every alternative is checked in one query over ``ix_user_patient_names`` (role, name_key, id,
is_active, mrn): the index holds every column the query reads, so the database walks it in list order
and never reads the table (about 20 ms for 100,000 patients on SQLite). When the typed word is rare,
its few patients are found through the token table instead; an alternative nothing matches (no MRN
starts with the text, no phone has the digits) is left out of the query, so it cannot slow it.

An empty box lists the patients the person opened most recently (their own access-log rows), then
every other patient, newest registration first (``ix_user_patient_newest``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AccessLog, PatientSearchToken, User
from desktop.domain.enums import Role
from desktop.domain.patients import PHONE_TOKEN, name_words, parse_date, phone_key, prefix_upper_bound
from desktop.services.rows import ordered_ids

_PHONE_ONLY = re.compile(r"^[\d\s()+./-]+$")
_MRN_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
MIN_PHONE_DIGITS = 3

#: Above this many matches of one index range (a typed word's tokens, an MRN prefix) the range is
#: "common": walking the list's own index in order is cheaper than looking up every match and
#: sorting them; below it, the few candidates are looked up and sorted.
DENSE = 2000
#: At most this many patients share the typed phone digits (a phone search is meant to single one out).
PHONE_CANDIDATES = 2000

NAME_INDEX = "ix_user_patient_names"
NAME_ORDER = (User.name_key, User.id)
NEWEST_ORDER = (User.created_at.desc(), User.id.desc())


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _token_range(prefix: str) -> Any:
    return select(PatientSearchToken.user_id).where(
        PatientSearchToken.token >= prefix, PatientSearchToken.token < prefix_upper_bound(prefix)
    )


def _capped_count(s: OrmSession, query: Any, cap: int = DENSE) -> int:
    """How many rows ``query`` returns, counting no further than ``cap + 1`` (an index range scan)."""
    capped = query.limit(cap + 1).subquery()
    return int(s.scalar(select(func.count()).select_from(capped)) or 0)


def _patients(include_inactive: bool) -> list[Any]:
    where = [User.role == Role.PATIENT.value]
    if not include_inactive:
        where.append(User.is_active.is_(True))
    return where


def matching_ids(s: OrmSession, text: str, include_inactive: bool) -> tuple[str, ...]:
    """The ids of every patient matching ``text`` (see the module docstring), in name order."""
    patients = _patients(include_inactive)
    day = parse_date(text)
    if day is not None:
        return ordered_ids(s, User, [*patients, User.date_of_birth == day], NAME_ORDER)
    alternatives: list[Any] = []
    dense = False
    words = sorted(name_words(text), key=len, reverse=True)
    if words:
        # The longest word is the rarest: its tokens say how many patients it can match at most.
        found = _capped_count(s, _token_range(words[0]))
        if found:
            named = [User.name_key.like(f"% {_escape(word)}%", escape="\\") for word in words]
            if found > DENSE:
                dense = True
            else:
                named.append(User.id.in_(_token_range(words[0])))
            alternatives.append(and_(*named))
    token = text.strip().upper()
    if _MRN_PREFIX.match(token):
        numbered = and_(User.mrn >= token, User.mrn < prefix_upper_bound(token))
        found = _capped_count(s, select(User.mrn).where(numbered))  # the MRN index alone
        if found:
            alternatives.append(numbered)
            dense = dense or found > DENSE
    digits = phone_key(text)
    if _PHONE_ONLY.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        candidates = _token_range(f"{PHONE_TOKEN}{digits}")
        if _capped_count(s, candidates, 0):
            # The capped candidates as a derived table: MySQL / MariaDB refuse LIMIT inside IN (...).
            capped = candidates.limit(PHONE_CANDIDATES).subquery()
            alternatives.append(User.id.in_(select(capped.c.user_id)))
    if not alternatives:
        return ()
    if dense:
        _walk_the_list_index(s)
    return ordered_ids(
        s, User, [*patients, or_(*alternatives)], NAME_ORDER, sqlite_index=NAME_INDEX if dense else None
    )


def _walk_the_list_index(s: OrmSession) -> None:
    """A common word or MRN prefix matches thousands: walking the list's own index in order beats
    finding the matches another way and sorting them, but neither planner sees it. SQLite gets
    ``INDEXED BY`` (5-10x faster for 100k patients); PostgreSQL estimated a table scan and a sort
    as cheaper than the index-only scan, which took half the time (17 vs 44 ms for 27,000 of 100,000
    patients), so the scan is switched off for the rest of this read-only transaction only
    (``SET LOCAL``). MariaDB is left to its own plan."""
    if s.connection().dialect.name == "postgresql":
        s.execute(sql_text("SET LOCAL enable_seqscan = off"))


def recent_ids(s: OrmSession, viewer_id: str, include_inactive: bool) -> tuple[str, ...]:
    """Every patient: those ``viewer_id`` opened, most recent first, then the others, newest first."""
    patients = _patients(include_inactive)
    opened = tuple(
        patient_id
        for (patient_id,) in s.execute(
            select(AccessLog.patient_id)
            .join(User, User.id == AccessLog.patient_id)
            .where(AccessLog.user_id == viewer_id, *patients)
            .group_by(AccessLog.patient_id)
            .order_by(func.max(AccessLog.created_at).desc(), AccessLog.patient_id)
        )
    )
    newest = ordered_ids(s, User, patients, NEWEST_ORDER)
    if not opened:
        return newest
    seen = set(opened)
    return opened + tuple(i for i in newest if i not in seen)


def summaries(s: OrmSession, columns: tuple[Any, ...], ids: list[str]) -> list[Any]:
    """The rows (``columns``) of the patients ``ids`` that exist, in the order of ``ids``; deactivated
    ones included (a list showing them asked for them; one deactivated since shows as such)."""
    if not ids:
        return []
    found = s.execute(select(*columns).where(User.id.in_(ids), User.role == Role.PATIENT.value))
    by_id = {row.id: row for row in found}
    return [by_id[i] for i in ids if i in by_id]
