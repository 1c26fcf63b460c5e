"""Helpers every chart service shares: lookups scoped to one patient's chart, version checks, DTOs
from rows, text search, keyset paging of the chart's lists and the id lists of the tables."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import fields
from functools import cache
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.plan_forms import sort_key_not_from_index
from desktop.domain.dto import MAX_PAGE_SIZE
from desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from desktop.services.context import CONFLICT

if TYPE_CHECKING:  # _typeshed exists only for type checkers
    from _typeshed import DataclassInstance

M = TypeVar("M")
D = TypeVar("D", bound="DataclassInstance")


def row_id(value: object, label: str) -> int:
    """A row id as given by the UI; anything that is not a positive int is simply "not found"."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value > 2**62:
        raise NotFoundError(f"This {label} no longer exists.")
    return value


def owned(s: OrmSession, model: type[M], ident: object, patient_id: str, label: str) -> M:
    """The row ``ident`` of ``model`` if it is in the chart of ``patient_id``; NotFoundError otherwise
    (also for a row of another chart, so ids reveal nothing)."""
    key = row_id(ident, label)
    row = s.scalars(select(model).where(model.id == key, model.user_id == patient_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFoundError(f"This {label} no longer exists.")
    return row


def check_version(row: Any, expected_version: object) -> None:
    """ConflictError when the row's version is not the one the user edited.

    This catches a change committed before we read the row; SQLAlchemy's version counter
    (``UPDATE ... WHERE version_id = :seen``) catches one committed between our read and our write.
    """
    if expected_version is None:
        return
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationError("The entry's version is missing; reload it and try again.")
    if row.version_id != expected_version:
        raise ConflictError(CONFLICT)


@cache
def _dto_reader(cls: type[DataclassInstance]) -> tuple[tuple[tuple[str, str], ...], attrgetter[Any]]:
    sources = tuple((f.name, "version_id" if f.name == "version" else f.name) for f in fields(cls))
    return sources, attrgetter(*(source for _, source in sources))


def to_dataclass(cls: type[D], row: Any, **given: object) -> D:
    """A DTO whose fields are the row's attributes of the same names, ``version`` being the row's
    version counter (``version_id``), except the fields ``given`` by the caller. ``row`` is an ORM
    object or a Core row of its table."""
    sources, read_all = _dto_reader(cls)
    if not given:  # the list pages: positional, in field order, is the quickest way to build 1000
        return cls(*read_all(row))
    values = {name: getattr(row, source) for name, source in sources if name not in given}
    return cls(**values, **given)


def like_pattern(search: str) -> str:
    """A case-insensitive LIKE pattern matching ``search`` anywhere (wildcards escaped; use escape='\\')."""
    escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_matches(search: str, *columns: Any) -> Any:
    """SQL condition: ``search`` occurs, ignoring case, in any of ``columns``."""
    pattern = like_pattern(search)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


# --- keyset ("seek") paging --------------------------------------------------------------------------
#
# A page after the first is "the next ``limit`` rows after the last row the table already shows",
# found with WHERE (sort_col, id) > (:value, :id) instead of OFFSET n: OFFSET makes the database walk
# and throw away n rows on every page, so scrolling to the end of 100k rows cost a quadratic sum.
# The row-value comparison is spelled out (sort_col > :v OR (sort_col = :v AND id > :id)) so SQLite and
# PostgreSQL read it the same way. Every sortable column is NOT NULL in the schema (see the Alembic
# revisions), so no NULL ordering rule is needed; a cursor carrying a NULL is refused.
#
# The cursor is opaque to the UI: a base64 JSON list [version, sort, descending, value, id]. It names
# the order it belongs to, so a cursor kept across a change of sort is refused instead of silently
# skipping rows. It is a position only: the owner filter (and every other filter) always applies, so a
# cursor built from another account's values selects nothing of theirs.

_CURSOR_VERSION = 1
_CURSOR_MAX_LENGTH = 2048
STALE_CURSOR = "The list changed while it was being read; reload it."


def encode_cursor(sort: str, descending: bool, value: object, ident: int) -> str:
    """The opaque position just after the row (``value`` of the sort column, ``ident``)."""
    plain = value.isoformat() if isinstance(value, dt.datetime) else value
    raw = json.dumps([_CURSOR_VERSION, sort, descending, plain, ident], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii")


def decode_cursor(cursor: object, sort: str, descending: bool, kind: type) -> tuple[Any, int]:
    """(sort value, id) of a cursor made by ``encode_cursor`` for this very order; ValidationError for
    anything else (garbage, another sort column or direction, a value of the wrong type)."""
    try:
        if not isinstance(cursor, str) or len(cursor) > _CURSOR_MAX_LENGTH:
            raise ValueError
        version, c_sort, c_desc, value, ident = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if version != _CURSOR_VERSION or c_sort != sort or c_desc is not descending:
            raise ValueError
        ident = row_id(ident, "position")
        if kind is dt.datetime:
            value = dt.datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
        elif isinstance(value, bool) or not isinstance(value, kind):
            raise ValueError
    except (ValueError, TypeError, NotFoundError, UnicodeError, binascii.Error):
        raise ValidationError(STALE_CURSOR) from None
    return value, ident


def seek_condition(column: Any, id_column: Any, value: Any, ident: int, descending: bool) -> Any:
    """Rows strictly after (``value``, ``ident``) in ORDER BY column, id (both DESC if descending).

    The leading ``column <= value`` repeats what the OR implies: it gives the planner a plain range on
    the sort column, which SQLite cannot take from an OR, so an index on (owner, column, id) is
    entered at the cursor instead of being read from its start on every page.
    """
    if descending:
        return and_(column <= value, or_(column < value, and_(column == value, id_column < ident)))
    return and_(column >= value, or_(column > value, and_(column == value, id_column > ident)))


def page_keys(
    s: OrmSession,
    model: Any,
    conditions: list[Any],
    sort: str,
    *,
    descending: bool,
    offset: int,
    limit: int,
    after: str | None,
) -> tuple[list[int], str | None]:
    """Ids of one page in order, and the cursor of the next page (None when no row follows this
    page, i.e. the end was reached).

    With ``after``, the page starts just after that cursor (``offset`` then counts from there, and is
    0 in the UI); without it, at ``offset``. Only narrow (id, key) pairs are sorted; the caller loads
    the page's rows by id (a deferred join).
    """
    column, descending = getattr(model, sort), bool(descending)
    where = list(conditions)
    if after is not None:
        # A TypeDecorator (UTCDateTime) says ``object``; the type it decorates knows the real one.
        kind = getattr(column.type, "impl_instance", column.type).python_type
        value, ident = decode_cursor(after, sort, descending, kind)
        where.append(seek_condition(column, model.id, value, ident, descending))
    order = sort_order(model, sort, descending)
    # One row more than asked says whether another page exists, so the table never spends a query
    # on an empty last page.
    keys = select(model.id, column).where(*where).order_by(*order).offset(offset).limit(limit + 1)
    pairs = s.execute(keys).all()
    if len(pairs) <= limit:
        return [p[0] for p in pairs], None
    last_id, last_value = pairs[limit - 1]
    return [p[0] for p in pairs[:limit]], encode_cursor(sort, descending, last_value, last_id)


def load_in_order(s: OrmSession, model: Any, ids: list[int], *conditions: Any) -> list[Any]:
    """The table rows ``ids`` of ``model`` that exist and match ``conditions`` (e.g. the owner), in
    the order of ``ids``: a row deleted since its id was listed is simply missing.

    Plain Core rows, read-only, with the ORM attribute names (the models do not rename columns):
    building 1000 ORM objects per page (identity map, instrumentation) cost about three times the
    SQL of the page.
    """
    if not ids:
        return []
    table = model.__table__
    by_id = {r.id: r for r in s.execute(select(table).where(table.c.id.in_(ids), *conditions))}
    return [by_id[i] for i in ids if i in by_id]


# --- id lists (the tables) ---------------------------------------------------------------------------
#
# A table holds the ordered ids of every matching row (a few MB for 100k rows) and asks for the rows
# it shows, a batch at a time. The ids cost one narrow sorted query (read in order from an index where
# one fits, see sort_order); a batch of rows one lookup by primary key, however far down the list.


def ordered_ids(
    s: OrmSession,
    model: Any,
    conditions: list[Any],
    order: tuple[Any, ...],
    *,
    sqlite_index: str | None = None,
) -> tuple[Any, ...]:
    """The ids of the rows of ``model`` matching ``conditions``, in ``order`` (which ends with the id
    so the order is total and stable between two calls). ``sqlite_index``: the index SQLite must walk
    (``INDEXED BY``) where its planner, without statistics on how many rows match, would pick another.

    Read from the DBAPI cursor itself: an id needs no type processing, and SQLAlchemy's per-row
    result handling (``scalars().all()``) took twice as long as the query for 100k ids.
    """
    query = select(model.id).where(*conditions).order_by(*order)
    if sqlite_index is not None:
        query = query.with_hint(model, f"INDEXED BY {sqlite_index}", "sqlite")
    result = s.connection().execute(query)
    try:
        return tuple(chain.from_iterable(result.cursor.fetchall()))  # one-column rows, flattened in C
    finally:
        result.close()


def sort_order(model: Any, sort: str, descending: bool, *, from_index: bool = True) -> tuple[Any, Any]:
    """ORDER BY sort column, id (both descending or both ascending). ``from_index=False`` keeps SQLite
    from delivering that order by walking an index (desktop/db/plan_forms.py): for a filter on
    columns only the row holds, reading the rows in table order and sorting the matches is faster."""
    column = getattr(model, sort)
    if not from_index:
        column = sort_key_not_from_index(column)
    if descending:
        return column.desc(), model.id.desc()
    return column.asc(), model.id.asc()


def checked_ids(ids: object, label: str) -> list[int]:
    """The row ids a table asks for: at most MAX_PAGE_SIZE, each a positive int (anything else is a
    caller's fault, refused with a message rather than sent to SQL)."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Sequence):
        raise ValidationError(f"The {label} ids must be a list.")
    if len(ids) > MAX_PAGE_SIZE:
        raise ValidationError(f"At most {MAX_PAGE_SIZE} {label}s can be read at once.")
    try:
        return [row_id(ident, label) for ident in ids]
    except NotFoundError:
        raise ValidationError(f"The {label} ids must be positive whole numbers.") from None
