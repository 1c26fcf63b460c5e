"""Keyset ("seek") paging of records and family history: walking the list with ``next_cursor`` gives
exactly the rows OFFSET paging gives, for every sort column and direction, with filters and with
ties in the sort column, on SQLite and PostgreSQL; it survives rows added and deleted between pages;
a cursor never reaches past the owner filter; a cursor that does not fit the query is refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.db.models import FamilyHistory, MedicalRecord
from desktop.domain.dto import (
    FAMILY_SORT_COLUMNS,
    RECORD_SORT_COLUMNS,
    FamilyDraft,
    FamilyQuery,
    RecordDraft,
    RecordQuery,
)
from desktop.domain.errors import ValidationError

PAGE = 7  # small and prime, so page edges fall inside groups of equal sort values
BASE_TIME = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def add_records(services: Any, user_id: str, n: int, salt: int = 0) -> None:
    """``n`` records with few distinct values per column (many ties), straight into the table."""
    rows = [
        {
            "user_id": user_id,
            "date": f"2024-0{1 + (i * 7 + salt) % 3}-1{(i + salt) % 4}",
            "type": ["Biopsy", "Blood test", "MRI", "biopsy"][(i + salt) % 4],
            "result": ["", "High", "Normal"][(i * 5 + salt) % 3],
            "doctor": ["Dr Grey", "Dr Who"][(i // 3 + salt) % 2],
            "notes": "grey area" if i % 5 == 0 else "",
            "status": ["pending", "normal", "abnormal", "critical"][(i * 3 + salt) % 4],
            "status_color": "#10b981",
            "created_at": BASE_TIME + dt.timedelta(seconds=(i + salt) % 6, microseconds=(i % 2) * 250),
            "version_id": 1,
        }
        for i in range(n)
    ]
    with services.database.engine.begin() as conn:
        conn.execute(sa.insert(MedicalRecord), rows)


def add_family(services: Any, user_id: str, n: int) -> None:
    rows = [
        {
            "user_id": user_id,
            "relation": ["Mother", "Father", "Aunt"][i % 3],
            "age": 40 + (i * 7) % 5,
            "condition": ["Breast cancer", "Hypertension"][(i // 2) % 2],
            "created_at": BASE_TIME + dt.timedelta(minutes=i % 4),
            "version_id": 1,
        }
        for i in range(n)
    ]
    with services.database.engine.begin() as conn:
        conn.execute(sa.insert(FamilyHistory), rows)


def walk_offset(list_call: Callable[[Any], Any], query: Any) -> list[int]:
    ids: list[int] = []
    while True:
        page = list_call(replace(query, offset=len(ids), limit=PAGE))
        ids += [r.id for r in page.rows]
        if not page.rows or len(ids) >= page.total:
            return ids


def walk_keyset(list_call: Callable[[Any], Any], query: Any) -> list[int]:
    """Follow ``next_cursor`` to the end; also checks a cursor is given exactly while rows follow."""
    page = list_call(replace(query, limit=PAGE))
    ids = [r.id for r in page.rows]
    while page.next_cursor is not None:
        assert len(page.rows) == PAGE
        page = list_call(replace(query, after=page.next_cursor, limit=PAGE))
        assert page.rows, "a cursor was handed out although no row followed"
        ids += [r.id for r in page.rows]
    assert len(ids) == page.total
    return ids


RECORD_FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    "status": {"status": "critical"},
    "text": {"text": "grey"},
    "dates": {"date_from": dt.date(2024, 1, 11), "date_to": dt.date(2024, 2, 12)},
}


def test_record_pages_by_cursor_equal_offset_pages(services, alice, bob):
    add_records(services, alice.user.id, 61)
    add_records(services, bob.user.id, 23, salt=1)  # interleaved ids and equal values of another owner
    list_call = lambda q: services.records.list(alice.token, q)  # noqa: E731
    for sort, descending, (name, filters) in itertools.product(
        RECORD_SORT_COLUMNS, (False, True), RECORD_FILTERS.items()
    ):
        query = RecordQuery(sort=sort, descending=descending, **filters)
        by_offset = walk_offset(list_call, query)
        by_cursor = walk_keyset(list_call, query)
        assert by_cursor == by_offset, (sort, descending, name)
        assert len(set(by_cursor)) == len(by_cursor) == services.records.count(alice.token, query)
        whole = [r.id for r in list_call(replace(query, limit=1000)).rows]
        assert by_cursor == whole, (sort, descending, name)
    grey = sum(1 for i in range(61) if i % 5 == 0 or (i // 3) % 2 == 0)  # notes or doctor "Dr Grey"
    assert len(walk_keyset(list_call, RecordQuery(text="grey"))) == grey < 61  # the filter did filter


def test_family_pages_by_cursor_equal_offset_pages(services, alice, bob):
    add_family(services, alice.user.id, 40)
    add_family(services, bob.user.id, 11)
    list_call = lambda q: services.family.list(alice.token, q)  # noqa: E731
    for sort, descending, text in itertools.product(FAMILY_SORT_COLUMNS, (False, True), ("", "mother")):
        query = FamilyQuery(sort=sort, descending=descending, text=text)
        by_cursor = walk_keyset(list_call, query)
        assert by_cursor == walk_offset(list_call, query), (sort, descending, text)
        assert by_cursor == [r.id for r in list_call(replace(query, limit=1000)).rows]
        assert len(set(by_cursor)) == (14 if text else 40)


def test_last_full_page_has_no_cursor(services, alice):
    add_records(services, alice.user.id, 2 * PAGE)
    first = services.records.list(alice.token, RecordQuery(limit=PAGE))
    second = services.records.list(alice.token, RecordQuery(limit=PAGE, after=first.next_cursor))
    assert len(second.rows) == PAGE and second.next_cursor is None  # no empty page to fetch
    assert services.records.list(alice.token, RecordQuery(limit=100)).next_cursor is None


def test_offset_counts_from_the_cursor(services, alice):
    add_records(services, alice.user.id, 30)
    all_ids = [r.id for r in services.records.list(alice.token, RecordQuery(limit=100)).rows]
    first = services.records.list(alice.token, RecordQuery(limit=5))
    skipped = services.records.list(alice.token, RecordQuery(limit=5, offset=3, after=first.next_cursor))
    assert [r.id for r in skipped.rows] == all_ids[8:13]


def test_rows_added_and_deleted_between_pages(services, alice):
    """Offsets shift when rows come and go; a cursor does not: no row repeats, none is skipped."""
    for day in range(1, 21):
        services.records.create(alice.token, RecordDraft(date=f"2024-05-{day:02d}", type=f"T{day}"))
    query = RecordQuery(limit=PAGE)  # date descending
    first = services.records.list(alice.token, query)
    seen = [r.date for r in first.rows]  # 20 .. 14
    newest = services.records.create(alice.token, RecordDraft(date="2024-06-01", type="new, above"))
    later = services.records.create(alice.token, RecordDraft(date="2024-05-03", type="new, below"))
    gone_shown = first.rows[2]
    gone_ahead = next(
        r for r in services.records.list(alice.token, RecordQuery(limit=100)).rows if r.date == "2024-05-10"
    )
    for row in (gone_shown, gone_ahead):
        services.records.delete(alice.token, row.id, row.version)
    page, cursor = first, first.next_cursor
    while cursor is not None:
        page = services.records.list(alice.token, replace(query, after=cursor))
        seen += [r.date for r in page.rows]
        cursor = page.next_cursor
    expected_after = [f"2024-05-{d:02d}" for d in range(13, 0, -1) if d != 10]
    expected_after.insert(expected_after.index("2024-05-03"), "2024-05-03")  # the new one, same date
    assert seen[PAGE:] == expected_after
    assert newest.date not in seen and later.date in seen[PAGE:]
    assert page.total == 20  # 20 + 2 added - 2 deleted


def test_a_cursor_never_reaches_another_owners_rows(services, alice, bob):
    """A cursor is only a position: taken from Bob's list (or forged from his values) it still selects
    Alice's rows only, the ones after that position in her own list."""
    add_records(services, alice.user.id, 20)
    add_records(services, bob.user.id, 20, salt=2)
    for sort in RECORD_SORT_COLUMNS:
        query = RecordQuery(sort=sort, limit=PAGE)
        hers = [r.id for r in services.records.list(alice.token, replace(query, limit=100)).rows]
        bobs = services.records.list(bob.token, query)
        page = services.records.list(alice.token, replace(query, after=bobs.next_cursor))
        ids = [r.id for r in page.rows]
        assert ids and set(ids) <= set(hers), sort
        start = hers.index(ids[0])
        assert ids == hers[start : start + len(ids)], sort  # a contiguous run of her own list
        if sort in ("date", "status", "created_at"):  # Python orders these values as SQL does
            last = bobs.rows[-1]
            key = (getattr(last, sort), last.id)
            mine = services.records.list(alice.token, replace(query, limit=100)).rows
            assert ids == [r.id for r in mine if (getattr(r, sort), r.id) < key][:PAGE], sort
    assert services.records.list(bob.token, RecordQuery(limit=100)).total == 20


def forged(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("date", "garbage!"),
        ("date", "bm90IGpzb24="),  # base64 of "not json"
        ("date", ""),
        ("date", forged(1, "type", True, "MRI", 5)),  # made for another sort
        ("date", forged(1, "date", False, "2024-01-10", 5)),  # made for the other direction
        ("date", forged(1, "date", True, 20240110, 5)),  # wrong value type
        ("date", forged(1, "date", True, None, 5)),  # NULL
        ("date", forged(1, "date", True, "2024-01-10", -1)),
        ("date", forged(1, "date", True, "2024-01-10", True)),
        ("date", forged(9, "date", True, "2024-01-10", 5)),  # unknown version
        ("date", forged(1, "date", True, "x" * 3000, 5)),  # too long
        ("date", forged(1, "date", True)),
        ("created_at", forged(1, "created_at", True, "2026-03-02T09:00:00", 5)),  # naive time
        ("created_at", forged(1, "created_at", True, "yesterday", 5)),
    ],
)
def test_a_cursor_that_does_not_fit_is_refused(services, alice, sort, cursor):
    with pytest.raises(ValidationError, match="reload"):
        services.records.list(alice.token, RecordQuery(sort=sort, after=cursor))


def test_family_cursor_with_the_wrong_type_is_refused(services, alice):
    services.family.create(alice.token, FamilyDraft(relation="Aunt", age=50, condition="Diabetes"))
    with pytest.raises(ValidationError):
        services.family.list(alice.token, FamilyQuery(sort="age", after=forged(1, "age", True, "50", 1)))
    after_51 = FamilyQuery(sort="age", after=forged(1, "age", True, 51, 1))
    assert [r.age for r in services.family.list(alice.token, after_51).rows] == [50]
    after_50 = FamilyQuery(sort="age", after=forged(1, "age", True, 50, 1))  # same age, lower id first
    assert services.family.list(alice.token, after_50).rows == ()
