"""Batch screening: predict every valid row of a CSV file, report the others, export the results.

Qt-free, so the UI runs it in a worker (progress callback, cancel flag) and the CLI runs it directly.
Nothing is saved to the database: a screening is a report, and a cancelled one leaves nothing behind.
Rows are validated and predicted in chunks (one onnxruntime call per chunk) so progress is smooth and
cancelling is prompt even for large files.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from desktop.domain.enums import Diagnosis
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.screening import (
    Agreement,
    RejectedRow,
    ScreenedRow,
    ScreeningCancelledError,
    ScreeningFileError,
    ScreeningReport,
)
from desktop.services.predictor_provider import PredictorProvider, shared_provider
from desktop.services.screening_csv import Layout, ParsedRow, RawRow, iter_chunks, read_rows, split_rows

DEFAULT_CHUNK = 2_000
Progress = Callable[[int, int], None]

EXPORT_COLUMNS = (
    "line",
    "id",
    "status",
    "reason",
    "diagnosis_in_file",
    "prediction",
    "probability_malignant",
    "confidence",
    "risk_level",
    "agrees",
    "out_of_range",
    *FEATURE_NAMES,
)


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


def _cancelled(cancel: CancelFlag | Callable[[], bool] | None) -> bool:
    if cancel is None:
        return False
    if hasattr(cancel, "is_set"):
        return bool(cancel.is_set())
    return bool(cancel())  # type: ignore[operator]


class ScreeningService:
    """Screens CSV files with the application's predictor."""

    def __init__(self, provider: PredictorProvider | None = None) -> None:
        self._provider = provider or shared_provider()

    def screen_file(
        self,
        path: Path | str,
        *,
        progress: Progress | None = None,
        cancel: CancelFlag | Callable[[], bool] | None = None,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> ScreeningReport:
        """Screen a CSV file. Raises ScreeningFileError if it cannot be read at all, ModelError if the
        model cannot load, ScreeningCancelledError if ``cancel`` is set (checked between chunks)."""
        header, rows = read_rows(Path(path))
        return self._screen(str(path), header, rows, progress, cancel, chunk_size)

    def screen_text(
        self,
        text: str,
        *,
        source: str = "pasted text",
        progress: Progress | None = None,
        cancel: CancelFlag | Callable[[], bool] | None = None,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> ScreeningReport:
        """Like :meth:`screen_file` for CSV text already in memory."""
        header, rows = split_rows(text, source)
        return self._screen(source, header, rows, progress, cancel, chunk_size)

    def _screen(
        self,
        source: str,
        header: list[str] | None,
        rows: list[RawRow],
        progress: Progress | None,
        cancel: CancelFlag | Callable[[], bool] | None,
        chunk_size: int,
    ) -> ScreeningReport:
        import numpy as np  # here, not at import: the container imports this module at start-up

        layout = Layout(header)
        predictor = self._provider.get()
        results: list[ScreenedRow] = []
        rejected: list[RejectedRow] = []
        done, total = 0, len(rows)
        if progress is not None:
            progress(0, total)
        for chunk in iter_chunks(rows, max(1, chunk_size)):
            if _cancelled(cancel):
                raise ScreeningCancelledError()
            good: list[ParsedRow] = []
            for row in chunk:
                try:
                    good.append(layout.parse(row))
                except ValueError as exc:
                    case_id = row.cells[0] if header is None and row.cells else _header_id(layout, row)
                    rejected.append(RejectedRow(row.line, case_id, str(exc)))
            if good:
                batch = predictor.predict_many(np.array([g.features for g in good], dtype=np.float64))
                probabilities = batch.probability_malignant.tolist()
                malignant = batch.malignant.tolist()
                for i, parsed in enumerate(good):
                    p = probabilities[i]
                    results.append(
                        ScreenedRow(
                            line=parsed.line,
                            case_id=parsed.case_id,
                            known_diagnosis=parsed.diagnosis,
                            prediction=Diagnosis.MALIGNANT if malignant[i] else Diagnosis.BENIGN,
                            probability_malignant=p,
                            confidence=p if malignant[i] else 1.0 - p,
                            risk_level=batch.risk_level(i),
                            out_of_range=batch.out_of_range_names(i),
                            features=parsed.features,
                        )
                    )
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        if _cancelled(cancel):
            raise ScreeningCancelledError()
        return ScreeningReport(
            source=source,
            layout=layout.name,
            rows_read=total,
            results=tuple(results),
            rejected=tuple(rejected),
            agreement=agreement_of(results),
            model_version=predictor.info.full_version,
            ignored_columns=layout.ignored,
        )

    @staticmethod
    def export_csv(report: ScreeningReport, path: Path | str) -> int:
        """Write predicted and rejected rows in file order to ``path`` (atomically); returns rows written."""
        return export_csv(report, Path(path))


def _header_id(layout: Layout, row: RawRow) -> str:
    pos = layout.id_pos
    return row.cells[pos] if pos is not None and pos < len(row.cells) else ""


def agreement_of(results: list[ScreenedRow]) -> Agreement | None:
    """Confusion counts over the rows whose diagnosis the file gives; None when none does."""
    tp = fn = fp = tn = 0
    for r in results:
        if r.known_diagnosis is None:
            continue
        actual = r.known_diagnosis is Diagnosis.MALIGNANT
        predicted = r.prediction is Diagnosis.MALIGNANT
        tp += actual and predicted
        fn += actual and not predicted
        fp += predicted and not actual
        tn += not actual and not predicted
    if tp + fn + fp + tn == 0:
        return None
    return Agreement(true_positive=tp, false_negative=fn, false_positive=fp, true_negative=tn)


def _safe_text(text: str) -> str:
    """Defuse spreadsheet formulas in text copied from the input (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows_for_export(report: ScreeningReport) -> list[tuple[int, list[object]]]:
    blank_features = [""] * len(FEATURE_NAMES)
    out: list[tuple[int, list[object]]] = []
    for r in report.results:
        agrees = "" if r.agrees is None else ("yes" if r.agrees else "no")
        out.append(
            (
                r.line,
                [
                    r.line,
                    _safe_text(r.case_id),
                    "predicted",
                    "",
                    r.known_diagnosis.value if r.known_diagnosis else "",
                    r.prediction.value,
                    f"{r.probability_malignant:.6f}",
                    f"{r.confidence:.6f}",
                    r.risk_level.value,
                    agrees,
                    ";".join(r.out_of_range),
                    *(repr(v) for v in r.features),
                ],
            )
        )
    for rej in report.rejected:
        row = [
            rej.line,
            _safe_text(rej.case_id),
            "rejected",
            _safe_text(rej.reason),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
        out.append((rej.line, row + blank_features))
    out.sort(key=lambda item: item[0])
    return out


def export_csv(report: ScreeningReport, path: Path) -> int:
    rows = _rows_for_export(report)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".screening-", suffix=".csv", dir=folder)
    except OSError as exc:
        raise ScreeningFileError(f"Cannot write to {folder}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(row for _, row in rows)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ScreeningFileError(f"Cannot write the results to {path}: {exc.strerror or exc}.") from exc
    return len(rows)
