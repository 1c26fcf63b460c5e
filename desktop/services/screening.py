"""Batch screening: predict every valid row of a CSV file, report the others, write the results.

Qt-free, so the UI runs it in a worker (progress callback, cancel flag) and the CLI runs it directly.
Nothing is saved to the database: a screening is a report, and a cancelled one leaves nothing behind.

The file is streamed: a block of whole lines (a few MB) is read, parsed, validated and predicted (one
onnxruntime call), counted and written out before the next is read, so memory does not grow with the
file. A clean block is parsed with numpy in one go; a block holding a bad line is read row by row,
so each refused line is reported with its line number and reason (desktop.services.screening_stream).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

from desktop.domain.screening import (
    EXPORT_COLUMNS,
    Cancel,
    Progress,
    RunOptions,
    ScreeningFileError,
    ScreeningReport,
)
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.predictor_provider import PredictorProvider, shared_provider

__all__ = ["EXPORT_COLUMNS", "ScreeningService"]


@policed
class ScreeningService:
    """Screens CSV files with the application's predictor."""

    def __init__(self, provider: PredictorProvider | None = None) -> None:
        self._provider = provider or shared_provider()

    @policy_action(Action.SCREENING_RUN)
    def screen_file(
        self,
        path: Path | str,
        *,
        out: Path | str | None = None,
        keep_rows: bool = False,
        progress: Progress | None = None,
        cancel: Cancel = None,
        block_bytes: int | None = None,
    ) -> ScreeningReport:
        """Screen a CSV file, writing every row's result to ``out`` if given (the file appears only
        when the run completes). ``keep_rows`` keeps the predicted rows (compactly) in
        ``report.results`` and a results file for :meth:`export_csv`.

        Raises ScreeningFileError if the file cannot be read at all, ModelError if the model cannot
        load, ScreeningCancelledError if ``cancel`` is set (checked between blocks). ``block_bytes``
        (default: a few MB) is for tests that want a small file cut into many blocks."""
        source = Path(path)
        try:
            handle = source.open("rb")
        except FileNotFoundError as exc:
            raise ScreeningFileError(f"The file {path} does not exist.") from exc
        except OSError as exc:
            raise ScreeningFileError(f"The file {path} cannot be read: {exc.strerror or exc}.") from exc
        with handle:
            total = os.fstat(handle.fileno()).st_size
            return self._run(
                handle, total, str(path), RunOptions(out, keep_rows, progress, cancel, block_bytes)
            )

    @policy_action(Action.SCREENING_RUN)
    def screen_text(
        self,
        text: str,
        *,
        source: str = "pasted text",
        out: Path | str | None = None,
        keep_rows: bool = False,
        progress: Progress | None = None,
        cancel: Cancel = None,
        block_bytes: int | None = None,
    ) -> ScreeningReport:
        """Like :meth:`screen_file` for CSV text already in memory."""
        data = text.encode("utf-8")
        options = RunOptions(out, keep_rows, progress, cancel, block_bytes)
        return self._run(io.BytesIO(data), len(data), source, options)

    @policy_action(Action.SCREENING_RUN)
    @staticmethod
    def export_csv(report: ScreeningReport, path: Path | str) -> int:
        """Copy the run's results file to ``path`` (atomically); returns the rows it holds."""
        if report.output is None or not Path(report.output).exists():
            raise ScreeningFileError(
                "The results of this screening are no longer available; screen the file again."
            )
        # Here, not at the top: the results writer brings numpy (see _run).
        from desktop.services.screening_output import copy_results

        copy_results(Path(report.output), Path(path))
        return report.rows_read

    @policy_action(Action.SCREENING_RUN)
    @staticmethod
    def discard(report: ScreeningReport | None) -> None:
        """Free a kept run's rows and delete its temporary results file."""
        if report is not None and report.results is not None:
            report.results.close()

    def _run(self, handle: BinaryIO, total: int, source: str, options: RunOptions) -> ScreeningReport:
        # Here, not at the top: numpy and the pipeline load when a file is screened, not when the
        # service is built (the container's warm-up after sign-in, the CLI before parsing arguments).
        from desktop.services.screening_run import run

        predictor = self._provider.get()
        return run(predictor, handle, total, source, options)
