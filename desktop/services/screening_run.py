"""One streaming screening run: blocks in, counts, results file and compact rows out.

Kept apart from desktop.services.screening so that importing the service (the container's warm-up and
the CLI do it before any file is chosen) does not import numpy; this module is imported when the first
file is screened.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from desktop.domain.screening import (
    MAX_LISTED_REJECTED,
    Agreement,
    Cancel,
    RejectedRow,
    RiskCounts,
    RunOptions,
    ScreeningCancelledError,
    ScreeningFileError,
    ScreeningReport,
)
from desktop.services.screening_csv import (
    Layout,
    ParsedRow,
    RawRow,
    check_decimal_mark,
    detect_delimiter,
    iter_raw_rows,
    looks_like_header,
)
from desktop.services.screening_output import (
    ResultsWriter,
    fast_rows_text,
    predicted_row,
    rejected_row,
)
from desktop.services.screening_results import (
    ResultColumns,
    ResultTable,
    out_of_range_bits,
    out_of_range_names,
)
from desktop.services.screening_stream import BLOCK_BYTES, Block, decode, fast_parse, iter_blocks

if TYPE_CHECKING:
    from desktop.ml.predictor import Predictor


def _cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    if hasattr(cancel, "is_set"):
        return bool(cancel.is_set())
    return bool(cancel())  # type: ignore[operator]


def run(
    predictor: Predictor, handle: BinaryIO, total: int, source: str, options: RunOptions
) -> ScreeningReport:
    """Screen what ``handle`` reads (``total`` bytes); see ScreeningService.screen_file."""
    out, keep_rows, progress, cancel = options.out, options.keep_rows, options.progress, options.cancel
    block_bytes = options.block_bytes
    spool = None
    if out is not None:
        target = Path(out)
    elif keep_rows:
        spool = target = Path(tempfile.gettempdir()) / f"clinicdesk-screening-{uuid.uuid4().hex}.csv"
    writer = ResultsWriter(target) if out is not None or keep_rows else None
    state = _Run(source, predictor, writer, ResultColumns() if keep_rows else None)
    try:
        if progress is not None:
            progress(0, total)
        for block in iter_blocks(handle, source, max(1, block_bytes or BLOCK_BYTES)):
            if _cancelled(cancel):
                raise ScreeningCancelledError()
            state.feed(block)
            if progress is not None:
                progress(block.done_bytes, total)
        if _cancelled(cancel):
            raise ScreeningCancelledError()
        if state.layout is None:
            raise ScreeningFileError(f"{source} is empty.")
        output = writer.commit() if writer is not None else None
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    table = state.columns.build(spool) if state.columns is not None else None
    return state.report(str(output) if output is not None else None, table)


class _Run:
    """The state of one run: where the columns are, the counts so far, the output."""

    def __init__(
        self, source: str, predictor: Predictor, writer: ResultsWriter | None, columns: ResultColumns | None
    ):
        self.source = source
        self.predictor = predictor
        self.writer = writer
        self.columns = columns
        self.layout: Layout | None = None
        self.delimiter = ","
        self.rows_read = self.predicted = self.malignant = self.out_of_range_rows = 0
        self.risk = np.zeros(3, dtype=np.int64)
        self.confusion = np.zeros(4, dtype=np.int64)  # tp, fn, fp, tn
        self.rejected: list[RejectedRow] = []
        self.rejected_count = 0

    def feed(self, block: Block) -> None:
        text = decode(block, self.source)
        if self.layout is None:
            if not text.strip():
                return
            block, text = self._start(block, text)
            if not block.data:
                return
        assert self.layout is not None
        chunk = fast_parse(block, text, self.delimiter, self.layout)
        if chunk is None:
            self._rows(block, text)
            return
        n = len(chunk)
        p, malignant, risk, bits = self._predict(chunk.features)
        self._count(chunk.diagnosis, malignant, risk, bits)
        self.rows_read += n
        if self.writer is not None:
            lines = (
                chunk.lines if self.delimiter == "," else text.replace(self.delimiter, ",").split("\n")[:-1]
            )
            text_out = fast_rows_text(
                lines, block.first_line, chunk.id_start, chunk.id_end, chunk.tail_start, chunk.features,
                chunk.diagnosis, malignant, p, risk, bits,
            )  # fmt: skip
            self.writer.write_text(text_out)
        if self.columns is not None:
            numbers = np.arange(block.first_line, block.first_line + n, dtype=np.int64)
            self.columns.add(numbers, chunk.ids_as_bytes(), chunk.diagnosis, malignant, p, risk, bits)

    def _start(self, block: Block, text: str) -> tuple[Block, str]:
        """Find the separator and the header (if any) in the file's first non-blank lines."""
        self.delimiter = detect_delimiter(text[:65536], self.source)
        first = next(iter_raw_rows(text, self.delimiter, self.source, block.first_line))
        check_decimal_mark(first, self.delimiter, self.source)
        header = None
        if looks_like_header(first.cells):
            header = list(first.cells)
            cut = 0
            for _ in range(first.line - block.first_line + 1):
                cut = block.data.index(b"\n", cut) + 1
            rest = block.data[cut:]
            block = Block(
                rest, first.line + 1, block.done_bytes, block.lines - (first.line + 1 - block.first_line)
            )
            text = decode(block, self.source)
        self.layout = Layout(header)
        data_row = next(iter_raw_rows(text, self.delimiter, self.source, block.first_line), None)
        if data_row is not None:
            check_decimal_mark(data_row, self.delimiter, self.source)
        return block, text

    def _predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        batch = self.predictor.predict_many(x)
        contract = self.predictor.contract
        if (x.min(axis=0, initial=np.inf) >= contract.feature_min).all() and (
            x.max(axis=0, initial=0.0) <= contract.feature_max
        ).all():
            bits = np.zeros(x.shape[0], dtype=np.uint32)  # the usual block: nothing to flag row by row
        else:
            bits = out_of_range_bits(batch.out_of_range_mask())
        return batch.probability_malignant, batch.malignant, batch.risk_codes, bits

    def _count(self, known: np.ndarray, malignant: np.ndarray, risk: np.ndarray, bits: np.ndarray) -> None:
        self.predicted += int(malignant.shape[0])
        self.malignant += int(np.count_nonzero(malignant))
        self.risk += np.bincount(risk, minlength=3)
        self.out_of_range_rows += int(np.count_nonzero(bits))
        actual_m, actual_b = known == 1, known == 0
        self.confusion += (
            np.count_nonzero(actual_m & malignant),
            np.count_nonzero(actual_m & ~malignant),
            np.count_nonzero(actual_b & malignant),
            np.count_nonzero(actual_b & ~malignant),
        )

    def _rows(self, block: Block, text: str) -> None:
        """The row-by-row reader for a block that holds a bad line (or quotes, blanks, words)."""
        layout = self.layout
        assert layout is not None
        good: list[ParsedRow] = []
        entries: list[RejectedRow | None] = []  # None: the next good row
        for raw in iter_raw_rows(text, self.delimiter, self.source, block.first_line):
            try:
                good.append(layout.parse(raw))
                entries.append(None)
            except ValueError as exc:
                case_id = raw.cells[0] if layout.header is None and raw.cells else _header_id(layout, raw)
                rejected = RejectedRow(raw.line, case_id, str(exc))
                entries.append(rejected)
                self.rejected_count += 1
                if len(self.rejected) < MAX_LISTED_REJECTED:
                    self.rejected.append(rejected)
        self.rows_read += len(entries)
        if good:
            x = np.array([g.features for g in good], dtype=np.float64)
            known = np.array(
                [-1 if g.diagnosis is None else int(g.diagnosis.value == "Malignant") for g in good],
                dtype=np.int8,
            )
            p, malignant, risk, bits = self._predict(x)
            self._count(known, malignant, risk, bits)
            if self.columns is not None:
                ids = np.array([g.case_id.encode("utf-8") for g in good], dtype="S")
                lines = np.array([g.line for g in good], dtype=np.int64)
                self.columns.add(lines, ids, known, malignant, p, risk, bits)
        if self.writer is not None and entries:
            rows, k = [], 0
            for entry in entries:
                if entry is None:
                    g = good[k]
                    names = ";".join(out_of_range_names(int(bits[k])))
                    rows.append(
                        predicted_row(
                            g.line,
                            g.case_id,
                            int(known[k]),
                            bool(malignant[k]),
                            float(p[k]),
                            int(risk[k]),
                            names,
                            g.features,
                        )
                    )
                    k += 1
                else:
                    rows.append(rejected_row(entry.line, entry.case_id, entry.reason))
            self.writer.write_rows(rows)

    def report(self, output: str | None, table: ResultTable | None) -> ScreeningReport:
        assert self.layout is not None
        tp, fn, fp, tn = (int(v) for v in self.confusion)
        agreement = Agreement(tp, fn, fp, tn) if tp + fn + fp + tn else None
        low, medium, high = (int(v) for v in self.risk)
        return ScreeningReport(
            source=self.source,
            layout=self.layout.name,
            rows_read=self.rows_read,
            predicted=self.predicted,
            malignant=self.malignant,
            risk=RiskCounts(low, medium, high),
            out_of_range_rows=self.out_of_range_rows,
            rejected=tuple(self.rejected),
            rejected_count=self.rejected_count,
            agreement=agreement,
            model_version=self.predictor.info.full_version,
            ignored_columns=self.layout.ignored,
            delimiter=self.delimiter,
            output=output,
            results=table,
        )


def _header_id(layout: Layout, row: RawRow) -> str:
    cells = row.cells
    pos = layout.id_pos
    return cells[pos] if pos is not None and pos < len(cells) else ""
