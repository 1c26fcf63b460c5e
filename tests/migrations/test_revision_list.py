"""The revision list the tests share (tests/revisions.py) is the scripts' own history, so a new
revision fails here, once, until the list names it."""

from __future__ import annotations

from desktop.db import migrate
from tests.revisions import HEAD, REVISIONS


def test_revisions_are_the_scripts() -> None:
    newest_first = [r.revision for r in migrate.history()]
    assert tuple(reversed(newest_first)) == REVISIONS
    assert migrate.history()[0].is_head and newest_first[0] == HEAD
