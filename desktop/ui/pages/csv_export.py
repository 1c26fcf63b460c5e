"""Export CSV... on a list page: every row of the list written to a CSV file on a worker thread (rows
fetched a batch at a time), and how many were written said afterwards."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QPushButton, QWidget

from desktop.ui.dialogs import prompts

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

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


class ListExport:
    """The Export CSV button of a list page and what it does: ask for the file, write every row of
    the list (not only those shown, in the table's order) on the worker pool, say how many."""

    def __init__(
        self,
        page: QWidget,
        ctx: UiContext,
        name: str,
        columns: Columns,
        rows: Callable[[], Iterable[object]],
        nouns: Callable[[int], str],
        failed: Callable[[BaseException], None],
    ) -> None:
        self._page, self._ctx, self._name, self._columns = page, ctx, name, columns
        self._rows, self._nouns, self._failed = rows, nouns, failed
        self.button = QPushButton("E&xport CSV...")
        self.button.setAccessibleName("Export to a CSV file")
        self.button.clicked.connect(self.run)

    def run(self) -> None:
        if self._ctx.runner.is_running("export"):
            return
        path = prompts.save_file(self._page, "Export to CSV", "CSV files (*.csv)", f"{self._name}.csv")
        if not path:
            return
        self.button.setEnabled(False)
        self._ctx.runner.run(
            partial(self._write, path),
            key="export",
            on_done=lambda count: self._exported(path, count),
            on_error=self._export_failed,
        )

    def _write(self, path: str) -> int:
        """Worker: write the file."""
        return write_csv(path, self._columns, self._rows())

    def _exported(self, path: str, count: int) -> None:
        self.button.setEnabled(True)
        prompts.info(self._page, f"Exported {count} {self._nouns(count)} to\n{path}")

    def _export_failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        if isinstance(error, OSError):
            prompts.error(self._page, f"The file could not be written: {error.strerror or error}")
            return
        self._failed(error)
