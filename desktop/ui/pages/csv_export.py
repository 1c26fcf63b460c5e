"""Write every row of a paged list to a CSV file, one page at a time (runs on a worker thread)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from desktop.domain.dto import Page

T = TypeVar("T")

#: (header, attribute of the row, sort key or None): a table model's COLUMNS.
Columns = Sequence[tuple[str, str, str | None]]


def all_rows(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every row, following each page's ``next_cursor`` (``fetch(None)`` is the first page)."""
    after: str | None = None
    while True:
        page = fetch(after)
        yield from page.rows
        after = page.next_cursor
        if not page.rows or after is None:
            return


def write_csv(path: str, columns: Columns, fetch: Callable[[str | None], Page[T]]) -> int:
    """Write the header and every row's column values to ``path`` (UTF-8); the number of rows."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _attr, _sort in columns])
        for row in all_rows(fetch):
            writer.writerow([getattr(row, attr) for _h, attr, _s in columns])
            count += 1
    return count
