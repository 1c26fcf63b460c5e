"""Reading, creating, changing, deleting and tracing the rows of a patient's chart: medical records,
family-history entries and saved predictions.

Every command is one unit of work: authenticate, open the patient's chart through the access policy
(desktop.services.access_log.open_patient: a patient reaches only their own chart and any other id is
"not found"; staff name the patient; a read by anyone but the patient is written to the access log),
find the row in that chart, check the version the person saw, change the row, add the audit row with
the values before and after, commit. Anything that raises on the way rolls all of it back. The
services supply only what differs between them: the model, the words for a row and their checked
values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AuditLog, User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, AuditEntryDTO, Page
from desktop.domain.errors import NotFoundError
from desktop.services import audit, rows
from desktop.services.access_log import open_patient
from desktop.services.access_policy import Action
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version, owned, row_id
from desktop.services.sessions import authenticate

D = TypeVar("D")

#: What the audit log keeps of a row: all its columns (``audit.row_values``) or a chosen part.
Snapshot = Callable[[Any], dict[str, Any]]
#: What the audit summary says about a row, e.g. "Blood test (2024-03-01)".
Describe = Callable[[Any], str]
#: Values a new row takes from its author where the draft left them empty (the record's doctor).
AuthorDefaults = Callable[[User], Mapping[str, object]]


class KeysetQuery(Protocol):
    """The paging part of a list query (RecordQuery, FamilyQuery)."""

    @property
    def offset(self) -> int: ...
    @property
    def limit(self) -> int: ...
    @property
    def sort(self) -> str: ...
    @property
    def descending(self) -> bool: ...
    @property
    def after(self) -> str | None: ...


class OwnedRows(Generic[D]):
    """The rows of ``model`` in patients' charts (``user_id`` is the patient), handed out as ``D``
    (made by ``to_dto``)."""

    def __init__(
        self,
        ctx: ServiceContext,
        model: type[Any],
        *,
        entity: str,
        label: str,
        noun: str,
        describe: Describe,
        to_dto: Callable[[Any], D],
    ) -> None:
        """``entity`` names the rows in the audit log; ``label`` in messages ("This record no longer
        exists.") and in the access log ("read record 12"); the audit summaries read
        "{noun} added: {describe(row)}"."""
        self._ctx = ctx
        self._model = model
        self._entity = entity
        self._label = label
        self._noun = noun
        self._describe = describe
        self._to_dto = to_dto

    def open(
        self, s: OrmSession, token: str, action: Action, patient_id: str | None, detail: str = ""
    ) -> tuple[User, User]:
        """(the signed-in person, the patient whose chart ``action`` applies to); see the module
        docstring. ``detail`` is what the access log says was read."""
        user = authenticate(s, self._ctx, token)
        return user, open_patient(s, self._ctx, user, action, patient_id, detail)

    def _summary(self, verb: str, row: Any) -> str:
        return f"{self._noun} {verb}: {self._describe(row)}"

    def _audit(
        self,
        s: OrmSession,
        user: User,
        row: Any,
        action: AuditAction,
        summary: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        audit.write(
            s,
            self._ctx,
            action=action,
            user=user,
            entity=self._entity,
            entity_id=row.id,
            summary=summary,
            before=before,
            after=after,
        )

    def page(
        self,
        token: str,
        query: KeysetQuery,
        sort_columns: tuple[str, ...],
        conditions: Callable[[str], list[Any]],
        patient_id: str | None = None,
    ) -> Page[D]:
        """One page of the patient's rows matching ``conditions(patient id)``, plus their total.

        Keyset paging (rows.page_keys): a page after the first seeks past the previous page's last
        row instead of skipping OFFSET rows; only (id, key) pairs are sorted, then the page's rows
        are loaded by id (sorting whole rows was about 20x slower on SQLite).
        """
        offset, limit = v.page(query.offset, query.limit)
        sort = v.choice(query.sort, sort_columns, "Sort column")
        with self._ctx.unit_of_work() as s:
            _, patient = self.open(s, token, Action.CHART_READ_MEDICAL, patient_id, f"{self._label} list")
            where = conditions(patient.id)
            total = s.scalar(select(func.count()).select_from(self._model).where(*where)) or 0
            ids, next_cursor = rows.page_keys(
                s,
                self._model,
                where,
                sort,
                descending=query.descending,
                offset=offset,
                limit=limit,
                after=query.after,
            )
            found = rows.load_in_order(s, self._model, ids)
            return Page(rows=tuple(map(self._to_dto, found)), total=int(total), next_cursor=next_cursor)

    def ids(
        self,
        token: str,
        sort: str,
        descending: bool,
        conditions: Callable[[str], list[Any]],
        patient_id: str | None = None,
        *,
        order_from_index: bool = True,
    ) -> tuple[int, ...]:
        """The ids of the patient's rows matching ``conditions(patient id)``, ordered by ``sort``
        (already checked by the caller against its columns) then id: what a table holds to know its
        length and order (a few MB for 100k rows); it asks ``rows`` for the rows it shows.
        ``order_from_index``: see rows.sort_order."""
        order = rows.sort_order(self._model, sort, descending, from_index=order_from_index)
        with self._ctx.unit_of_work() as s:
            _, patient = self.open(s, token, Action.CHART_READ_MEDICAL, patient_id, f"{self._label} list")
            return rows.ordered_ids(s, self._model, conditions(patient.id), order)

    def rows(self, token: str, ids: object, patient_id: str | None = None) -> tuple[D, ...]:
        """The rows ``ids`` (at most MAX_PAGE_SIZE) of the patient's chart, in that order. A row deleted
        since its id was listed, or another patient's, is left out: the table shows it as removed,
        never as some other row."""
        keys = rows.checked_ids(ids, self._label)
        with self._ctx.unit_of_work() as s:
            _, patient = self.open(
                s, token, Action.CHART_READ_MEDICAL, patient_id, f"{self._label} rows ({len(keys)})"
            )
            found = rows.load_in_order(s, self._model, keys, self._model.user_id == patient.id)
            return tuple(map(self._to_dto, found))

    def count(self, token: str, conditions: Callable[[str], list[Any]], patient_id: str | None = None) -> int:
        """How many of the patient's rows match ``conditions(patient id)``: one indexed COUNT."""
        with self._ctx.unit_of_work() as s:
            _, patient = self.open(s, token, Action.CHART_READ_MEDICAL, patient_id, f"{self._label} count")
            where = conditions(patient.id)
            return int(s.scalar(select(func.count()).select_from(self._model).where(*where)) or 0)

    def get(self, token: str, ident: object, patient_id: str | None = None) -> D:
        """One row of the patient's chart; NotFoundError for a missing id or another patient's."""
        with self._ctx.unit_of_work() as s:
            _, patient = self.open(s, token, Action.CHART_READ_MEDICAL, patient_id, f"{self._label} {ident}")
            return self._to_dto(owned(s, self._model, ident, patient.id, self._label))

    def create(
        self,
        token: str,
        values: Mapping[str, object],
        patient_id: str | None = None,
        *,
        action: Action = Action.CHART_WRITE_MEDICAL,
        author_defaults: AuthorDefaults | None = None,
        verb: str = "added",
        snapshot: Snapshot | None = audit.row_values,
    ) -> D:
        """Add a row with checked ``values`` to the patient's chart, written by the signed-in person
        (``created_by``). ``author_defaults`` fills values the draft left empty from the author;
        ``snapshot`` is what the audit row keeps of it (None: the summary only)."""
        with self._ctx.unit_of_work(write=True) as s:
            user, patient = self.open(s, token, action, patient_id)
            filled = dict(values)
            if author_defaults is not None:
                for key, value in author_defaults(user).items():
                    if not filled.get(key):
                        filled[key] = value
            row = self._model(user_id=patient.id, created_by=user.id, created_at=self._ctx.now(), **filled)
            s.add(row)
            s.flush()
            self._audit(
                s,
                user,
                row,
                AuditAction.CREATE,
                self._summary(verb, row),
                after=snapshot(row) if snapshot is not None else None,
            )
            s.commit()
            return self._to_dto(row)

    def update(
        self,
        token: str,
        ident: object,
        values: Mapping[str, object],
        expected_version: int | None,
        patient_id: str | None = None,
        *,
        summary: str | None = None,
        snapshot: Snapshot = audit.row_values,
    ) -> D:
        """Change a row of the patient's chart to ``values``: ConflictError if it changed since the
        person saw ``expected_version``; the audit row keeps ``snapshot`` before and after, and
        ``summary`` (default "{noun} changed: ...")."""
        with self._ctx.unit_of_work(write=True) as s:
            user, patient = self.open(s, token, Action.CHART_WRITE_MEDICAL, patient_id)
            row = owned(s, self._model, ident, patient.id, self._label)
            check_version(row, expected_version)
            before = snapshot(row)
            for key, value in values.items():
                setattr(row, key, value)
            s.flush()
            self._audit(
                s,
                user,
                row,
                AuditAction.UPDATE,
                summary if summary is not None else self._summary("changed", row),
                before=before,
                after=snapshot(row),
            )
            s.commit()
            return self._to_dto(row)

    def delete(
        self, token: str, ident: object, expected_version: int | None, patient_id: str | None = None
    ) -> None:
        """Delete a row of the patient's chart, keeping its last values in the audit log. With
        ``expected_version`` a row changed since the person saw it is refused (ConflictError)."""
        with self._ctx.unit_of_work(write=True) as s:
            user, patient = self.open(s, token, Action.CHART_WRITE_MEDICAL, patient_id)
            row = owned(s, self._model, ident, patient.id, self._label)
            check_version(row, expected_version)
            self._audit(
                s, user, row, AuditAction.DELETE, self._summary("deleted", row), before=audit.row_values(row)
            )
            s.delete(row)
            s.commit()

    def history(self, token: str, ident: object, patient_id: str | None = None) -> tuple[AuditEntryDTO, ...]:
        """The row's audit trail, oldest first: creation, every change with its previous values, and
        its deletion. Only for a row of the patient's chart (NotFoundError otherwise)."""
        with self._ctx.unit_of_work() as s:
            _, patient = self.open(
                s, token, Action.CHART_READ_MEDICAL, patient_id, f"{self._label} {ident} history"
            )
            key = row_id(ident, self._label)
            found = _latest_life(s, self._entity, key)
            if not found or _patient_of(s, self._model, key, found) != patient.id:
                raise NotFoundError(f"This {self._label} no longer exists.")
            return tuple(audit.to_dto(r) for r in found)


def _latest_life(s: OrmSession, entity: str, key: int) -> list[AuditLog]:
    """The audit rows about one row id, oldest first, from its latest creation on (SQLite may reuse
    the id of a deleted row: only the latest life of this id is shown)."""
    found = list(
        s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id == str(key))
            .order_by(AuditLog.created_at, AuditLog.id)
        )
    )
    last_create = max((i for i, r in enumerate(found) if r.action == AuditAction.CREATE), default=0)
    return found[last_create:]


def _patient_of(s: OrmSession, model: Any, key: int, trail: list[AuditLog]) -> str | None:
    """Whose chart the row is in: the row's own ``user_id`` while it exists, else the one its
    deletion recorded (the audit row keeps every column of a deleted row)."""
    owner = s.scalar(select(model.user_id).where(model.id == key))
    if owner is not None:
        return str(owner)
    for entry in reversed(trail):
        if entry.action == AuditAction.DELETE and entry.before:
            return json.loads(entry.before).get("user_id")
    return None
