"""Write every row of a list to a CSV file (runs on a worker thread, rows fetched a batch at a time)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

#: (header, attribute of the row, sort key or None): a table model's COLUMNS.
Columns = Sequence[tuple[str, str, str | None]]


def write_csv(path: str, columns: Columns, rows: Iterable[T]) -> int:
    """Write the header and every row's column values to ``path`` (UTF-8); the number of rows."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _attr, _sort in columns])
        for row in rows:
            writer.writerow([getattr(row, attr) for _h, attr, _s in columns])
            count += 1
    return count
