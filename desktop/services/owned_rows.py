"""Reading, creating, changing, deleting and tracing the rows one account owns: medical records,
family-history entries and saved predictions.

Every command is one unit of work: authenticate, find the owner's row (another account's id is
simply "not found"), check the version the person saw, change the row, add the audit row with the
values before and after, commit. Anything that raises on the way rolls all of it back. The services
supply only what differs between them: the model, the words for a row and their checked values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AuditLog, User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, AuditEntryDTO, Page
from desktop.domain.errors import NotFoundError
from desktop.services import audit, rows
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version, owned, readable_owner, row_id
from desktop.services.sessions import authenticate

D = TypeVar("D")

#: What the audit log keeps of a row: all its columns (``audit.row_values``) or a chosen part.
Snapshot = Callable[[Any], dict[str, Any]]
#: What the audit summary says about a row, e.g. "Blood test (2024-03-01)".
Describe = Callable[[Any], str]


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
    """The rows of ``model`` that belong to accounts, handed out as ``D`` (made by ``to_dto``)."""

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
        exists."); the audit summaries read "{noun} added: {describe(row)}"."""
        self._ctx = ctx
        self._model = model
        self._entity = entity
        self._label = label
        self._noun = noun
        self._describe = describe
        self._to_dto = to_dto

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
        owner_id: str | None = None,
    ) -> Page[D]:
        """One page of the rows matching ``conditions(owner)``, plus their total.

        Keyset paging (rows.page_keys): a page after the first seeks past the previous page's last
        row instead of skipping OFFSET rows; only (id, key) pairs are sorted, then the page's rows
        are loaded by id (sorting whole rows was about 20x slower on SQLite). ``owner_id`` lets an
        administrator read another account's rows where the clinic allows it (rows.readable_owner).
        """
        offset, limit = v.page(query.offset, query.limit)
        sort = v.choice(query.sort, sort_columns, "Sort column")
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            where = conditions(readable_owner(self._ctx, user, owner_id))
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

    def get(self, token: str, ident: object, owner_id: str | None = None) -> D:
        """One row of the signed-in user (or of ``owner_id``, see ``page``); NotFoundError otherwise."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            owner = readable_owner(self._ctx, user, owner_id)
            return self._to_dto(owned(s, self._model, ident, owner, self._label))

    def create(
        self,
        token: str,
        values: Mapping[str, object],
        *,
        verb: str = "added",
        snapshot: Snapshot | None = audit.row_values,
    ) -> D:
        """Add a row with checked ``values`` for the signed-in user. ``snapshot`` is what the audit
        row keeps of it (None: the summary only)."""
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = self._model(user_id=user.id, created_at=self._ctx.now(), **values)
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
        *,
        summary: str | None = None,
        snapshot: Snapshot = audit.row_values,
    ) -> D:
        """Change the signed-in user's row to ``values``: ConflictError if it changed since the user
        saw ``expected_version``; the audit row keeps ``snapshot`` before and after, and ``summary``
        (default "{noun} changed: ...")."""
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = owned(s, self._model, ident, user.id, self._label)
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

    def delete(self, token: str, ident: object, expected_version: int | None) -> None:
        """Delete the signed-in user's row, keeping its last values in the audit log. With
        ``expected_version`` a row changed since the user saw it is refused (ConflictError)."""
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = owned(s, self._model, ident, user.id, self._label)
            check_version(row, expected_version)
            self._audit(
                s, user, row, AuditAction.DELETE, self._summary("deleted", row), before=audit.row_values(row)
            )
            s.delete(row)
            s.commit()

    def history(self, token: str, ident: object) -> tuple[AuditEntryDTO, ...]:
        """The row's audit trail, oldest first: creation, every change with its previous values, and
        its deletion. Only the owner can read it (NotFoundError otherwise)."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return _owner_history(s, self._entity, row_id(ident, self._label), user.id, self._label)


def _owner_history(
    s: OrmSession, entity: str, key: int, owner_id: str, label: str
) -> tuple[AuditEntryDTO, ...]:
    """Audit rows about one row written by its owner (the only account that can change it)."""
    found = list(
        s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id == str(key), AuditLog.user_id == owner_id)
            .order_by(AuditLog.created_at, AuditLog.id)
        )
    )
    if not found:
        raise NotFoundError(f"This {label} no longer exists.")
    # SQLite may reuse the id of a deleted row: show only the latest life of this id.
    last_create = max((i for i, r in enumerate(found) if r.action == AuditAction.CREATE), default=0)
    return tuple(audit.to_dto(r) for r in found[last_create:])
