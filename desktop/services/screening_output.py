"""The results file of a screening run: one line per input row, written as the run goes.

The file is written to a temporary name in the destination folder and renamed over the destination
only when the run completes, so a cancelled or failed run never leaves a half-written file (and a
reader never sees one). Text copied from the input is defused against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from desktop.domain.features import FEATURE_NAMES
from desktop.domain.screening import EXPORT_COLUMNS, ScreeningFileError
from desktop.services.screening_results import out_of_range_names

KNOWN_TEXT = np.array(["", "Benign", "Malignant"], dtype=object)  # index: diagnosis code + 1
PREDICTION_TEXT = np.array(["Benign", "Malignant"], dtype=object)
RISK_TEXT = np.array(["Low", "Medium", "High"], dtype=object)
AGREES_TEXT = np.array(["", "no", "yes"], dtype=object)
_BLANK_FEATURES = [""] * len(FEATURE_NAMES)


def safe_text(text: str) -> str:
    """Defuse spreadsheet formulas in text copied from the input (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def agrees_codes(known: np.ndarray, malignant: np.ndarray) -> np.ndarray:
    """0 no diagnosis in the file, 1 disagrees, 2 agrees (index into AGREES_TEXT)."""
    return np.where(known < 0, 0, 1 + ((known == 1) == malignant))


class ResultsWriter:
    """Writes the results to a temporary file beside ``path``; :meth:`commit` renames it into place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        folder = path.parent if str(path.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=".screening-", suffix=".csv.part", dir=folder)
        except OSError as exc:
            raise ScreeningFileError(f"Cannot write to {folder}: {exc.strerror or exc}.") from exc
        self._tmp = Path(tmp)
        self._handle: TextIO = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.write_rows([EXPORT_COLUMNS])

    def write_text(self, text: str) -> None:
        try:
            self._handle.write(text)
        except OSError as exc:
            self.abort()
            raise ScreeningFileError(
                f"Cannot write the results to {self.path}: {exc.strerror or exc}."
            ) from exc

    def write_rows(self, rows: Sequence[Iterable[object]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        self.write_text(buffer.getvalue())

    def commit(self) -> Path:
        try:
            self._handle.close()
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise ScreeningFileError(
                f"Cannot write the results to {self.path}: {exc.strerror or exc}."
            ) from exc
        return self.path

    def abort(self) -> None:
        if not self._handle.closed:
            self._handle.close()
        self._tmp.unlink(missing_ok=True)


def predicted_row(
    line: int,
    case_id: str,
    known: int,
    malignant: bool,
    p: float,
    risk: int,
    out_of_range: str,
    features: Sequence[float],
) -> list[object]:
    """One predicted row of the results file (rows read one by one)."""
    return [
        line,
        safe_text(case_id),
        "predicted",
        "",
        KNOWN_TEXT[known + 1],
        PREDICTION_TEXT[int(malignant)],
        f"{p:.6f}",
        f"{p if malignant else 1.0 - p:.6f}",
        RISK_TEXT[risk],
        AGREES_TEXT[0 if known < 0 else 1 + ((known == 1) == malignant)],
        out_of_range,
        *(repr(v) for v in features),
    ]


def rejected_row(line: int, case_id: str, reason: str) -> list[object]:
    return [
        line,
        safe_text(case_id),
        "rejected",
        safe_text(reason),
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        *_BLANK_FEATURES,
    ]


def copy_results(source: Path, path: Path) -> None:
    """Copy a finished results file to ``path`` (through a temporary file beside it, then a rename)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".screening-", suffix=".csv.part", dir=folder)
    except OSError as exc:
        raise ScreeningFileError(f"Cannot write to {folder}: {exc.strerror or exc}.") from exc
    try:
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ScreeningFileError(f"Cannot write the results to {path}: {exc.strerror or exc}.") from exc


def fast_rows_text(
    lines: list[str],
    first_line: int,
    id_start: np.ndarray | None,
    id_end: np.ndarray | None,
    tail_start: np.ndarray | None,
    features: np.ndarray,
    known: np.ndarray,
    malignant: np.ndarray,
    p: np.ndarray,
    risk: np.ndarray,
    out_of_range_bits: np.ndarray,
) -> str:
    """The results lines of a block that parsed in one go (no quoting needed: the block holds no
    quotes, and its ids neither start a formula nor hold a comma), ended with CRLF as the csv module
    writes the others. The 30 values are copied as the
    file wrote them when they end each line in model order, else written from the parsed numbers.

    Written column-wise where it can be (a million rows): the diagnosis/prediction pair and the
    risk/agreement pair take one of a few fixed texts, so each line is one format of eight parts."""
    n = len(lines)
    if id_start is None or id_end is None:
        id_start = id_end = np.zeros(n, dtype=np.int64)
    if tail_start is not None:
        values, values_from = lines, tail_start.tolist()
    else:  # a header file: the values are in another order, write them from the numbers
        values, values_from = [",".join(map(repr, row)) for row in features.tolist()], [0] * n
    ranges = [""] * n
    for i in np.flatnonzero(out_of_range_bits).tolist():
        ranges[i] = ";".join(out_of_range_names(int(out_of_range_bits[i])))
    mal = malignant.view(np.int8)
    pair = _DIAGNOSIS_PREDICTION[(known + 1) * 2 + mal].tolist()
    verdict = _RISK_AGREES[risk * 3 + agrees_codes(known, malignant)].tolist()
    confidence = np.where(malignant, p, 1.0 - p).tolist()
    return "".join(
        [
            f"{ln},{line[a:b]},predicted,,{dp},{q:.6f},{c:.6f},{ra},{o},{v[t:]}\r\n"
            for ln, line, a, b, dp, q, c, ra, o, v, t in zip(
                range(first_line, first_line + n),
                lines,
                id_start.tolist(),
                id_end.tolist(),
                pair,
                p.tolist(),
                confidence,
                verdict,
                ranges,
                values,
                values_from,
                strict=True,
            )
        ]
    )


_DIAGNOSIS_PREDICTION = np.array([f"{k},{m}" for k in KNOWN_TEXT for m in PREDICTION_TEXT], dtype=object)
_RISK_AGREES = np.array([f"{r},{a}" for r in RISK_TEXT for a in AGREES_TEXT], dtype=object)
