"""Batch screening page with 100k rows: service time, table fill, sorting (prints a table).

The model reads its rows from the run's compact numpy table and sorts with an argsort of one column.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_screening_table.py [ROWS]

The table model sorts itself (Python's sort over the raw values) instead of going through a
QSortFilterProxyModel, which calls data() for every comparison: measured before the change, 7.7 s to
fill + sort 100k rows and 14 s to sort them by probability.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication([])
    from desktop.services.screening import ScreeningService
    from desktop.ui.tablemodels.screening_model import ScreeningResultsModel

    sample = Path(__file__).resolve().parents[1] / "fixtures" / "wdbc_sample.csv"
    lines = [line for line in sample.read_text().splitlines() if line.strip()]
    folder = Path(tempfile.mkdtemp())
    big = folder / "big.csv"
    big.write_text("\n".join((lines * (rows // len(lines) + 1))[:rows]) + "\n")

    service = ScreeningService()
    service.screen_text(sample.read_text())  # load the model outside the timings
    timings: list[tuple[str, float]] = []
    start = time.perf_counter()
    report = service.screen_file(big, keep_rows=True)
    timings.append((f"screen {rows} rows (worker thread)", time.perf_counter() - start))

    model = ScreeningResultsModel()
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.resize(1000, 600)
    view.show()
    start = time.perf_counter()
    model.set_rows(report.results)
    view.resizeColumnsToContents()
    app.processEvents()
    timings.append(("fill table + sort by line (GUI thread)", time.perf_counter() - start))
    start = time.perf_counter()
    view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    app.processEvents()
    timings.append(("sort by probability (GUI thread)", time.perf_counter() - start))
    start = time.perf_counter()
    view.scrollToBottom()
    app.processEvents()
    timings.append(("scroll to the end", time.perf_counter() - start))

    print(f"{'step':45} {'seconds':>8}")
    for name, seconds in timings:
        print(f"{name:45} {seconds:8.3f}")
    print(f"rows predicted: {report.predicted}, rejected: {len(report.rejected)}")


if __name__ == "__main__":
    main()
