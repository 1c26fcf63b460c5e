"""Input not yet saved on a page: asking before it is dropped, and keeping it for its owner.

A page that can hold input not yet saved implements ``Drafting``:

- ``unsaved_changes()``: "" when nothing is unsaved, else a few words for the question that names it
  ("the measurements of a new prediction");
- ``take_draft()``: that input as a plain value, and ``restore_draft(draft)``: put it back into a
  freshly built page of the same chart.

The window asks before a chart is closed or switched, before signing out and before quitting when a
page has unsaved changes. When the screen has locked and someone else chooses "Switch user", the
owner is not there to answer: their drafts go into a ``DraftStore`` kept in memory only (drafts can
hold medical data, which belongs in the database, not in a side file) for this run of the program,
and are given back when the same person signs in again on this desk and opens the same page of the
same chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class Drafting(Protocol):
    def unsaved_changes(self) -> str: ...

    def take_draft(self) -> object: ...

    def restore_draft(self, draft: object) -> None: ...


#: (user id, patient id of the chart or "" for a page outside any chart, page key)
DraftKey = tuple[str, str, str]


@dataclass(frozen=True)
class Draft:
    value: object
    kept_at: datetime


@dataclass
class DraftStore:
    """Drafts of people who were switched out, until they come back (one program run)."""

    _drafts: dict[DraftKey, Draft] = field(default_factory=dict)

    def keep(self, key: DraftKey, value: object) -> None:
        self._drafts[key] = Draft(value, datetime.now(UTC))

    def take(self, key: DraftKey) -> Draft | None:
        """The draft kept under ``key``, removed from the store (it is given back once)."""
        return self._drafts.pop(key, None)

    def keys_of(self, user_id: str) -> list[DraftKey]:
        return [key for key in self._drafts if key[0] == user_id]

    def drop_user(self, user_id: str) -> None:
        for key in self.keys_of(user_id):
            del self._drafts[key]
