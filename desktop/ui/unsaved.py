"""Asking before input not yet saved is dropped, and keeping it for its owner (the design is in
drafts.py).

``unsaved_items`` names what the built pages hold; ``confirm_discard`` asks the one question every
way out of a chart or a session asks ("Discard changes" / "Cancel"); ``DraftKeeper`` moves one
signed-in person's drafts between their pages and the ``DraftStore`` that outlives their window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import QWidget

from desktop.ui.dialogs import prompts
from desktop.ui.drafts import Draft, Drafting, DraftStore

#: A built page as the store knows it: (patient id of its chart or "", page key, the page).
BuiltPage = tuple[str, str, QWidget]


def unsaved_items(pages: Iterable[QWidget]) -> list[str]:
    """What each page holds that is not saved, in a few words each (none: an empty list)."""
    items = []
    for page in pages:
        if isinstance(page, Drafting):
            what = page.unsaved_changes()
            if what:
                items.append(what)
    return items


def confirm_discard(parent: QWidget | None, items: Sequence[str], then: str) -> bool:
    """Ask once, naming ``items``; True when the person chose to discard them and ``then`` go on
    ("close the chart"). The safe answer, Cancel, is the default."""
    listed = "\n".join(f"\u2022 {item}" for item in items)
    return prompts.confirm(
        parent,
        f"Not saved yet:\n{listed}\n\nDiscard these changes and {then}?",
        "Unsaved changes",
        yes_label="Discard changes",
        destructive=True,
    )


def restored_note(draft: Draft) -> str:
    return f"Restored unsaved input from {draft.kept_at.astimezone():%H:%M}."


class DraftKeeper:
    """One signed-in person's side of the ``DraftStore``: keeping their unsaved input when someone
    else switches them out, and giving it back to the same page of the same chart."""

    def __init__(self, store: DraftStore, user_id: str) -> None:
        self.store = store
        self.user_id = user_id

    def keep(self, pages: Iterable[BuiltPage]) -> int:
        """Keep the unsaved input of ``pages``; the number of drafts kept."""
        kept = 0
        for patient_id, key, page in pages:
            if self.user_id and isinstance(page, Drafting) and page.unsaved_changes():
                self.store.keep((self.user_id, patient_id, key), page.take_draft())
                kept += 1
        return kept

    def give_back(self, patient_id: str, key: str, page: QWidget) -> Draft | None:
        """Put the draft kept for this page of this chart back into ``page`` (once)."""
        if not self.user_id or not isinstance(page, Drafting):
            return None
        draft = self.store.take((self.user_id, patient_id, key))
        if draft is not None:
            page.restore_draft(draft.value)
        return draft

    def waiting_pages(self, patient_id: str) -> set[str]:
        """The keys of the pages of ``patient_id``'s chart ("" : outside any) with a draft kept."""
        return {key for _user, chart, key in self.store.keys_of(self.user_id) if chart == patient_id}

    def waiting(self) -> list[str]:
        """Drafts kept from an earlier session and not given back yet, named for the question."""
        count = len(self.store.keys_of(self.user_id)) if self.user_id else 0
        if not count:
            return []
        pages = "page" if count == 1 else "pages"
        return [f"input kept from your earlier session ({count} {pages} not opened again)"]

    def drop(self) -> None:
        """Forget this person's kept drafts (they chose to discard them)."""
        if self.user_id:
            self.store.drop_user(self.user_id)
