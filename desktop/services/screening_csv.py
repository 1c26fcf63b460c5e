"""Reading screening CSV files: the UCI wdbc.data layout or a header naming the 30 features.

wdbc.data rows are ``id, diagnosis (M/B), 30 values`` without a header; ``id, 30 values`` is accepted
too. A header may name the features as this app does (``radius_mean``), as the UCI description does
(``concave points_mean``) or as scikit-learn does (``mean radius``, ``radius error``, ``worst radius``),
plus optional ``id`` and ``diagnosis`` columns. Values are separated by commas, semicolons or tabs (found
from the first line). Problems with one row reject that row only; a file that cannot be read at all
raises ScreeningFileError.

This is the row-by-row reader: the dialog that loads one case uses it, and the streaming screen
(desktop.services.screening_stream) falls back to it for a chunk that holds a bad line, so every
refused row gets its own reason.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.enums import Diagnosis
from desktop.domain.errors import ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.prediction import MAX_MEASUREMENT, validate_features
from desktop.domain.screening import ScreeningFileError

N = len(FEATURE_NAMES)
ID_COLUMNS = frozenset({"id", "case_id", "case", "patient_id", "sample_id"})
DIAGNOSIS_COLUMNS = frozenset({"diagnosis", "diagnosis_mb"})
_DIAGNOSES = {
    "m": Diagnosis.MALIGNANT,
    "malignant": Diagnosis.MALIGNANT,
    "b": Diagnosis.BENIGN,
    "benign": Diagnosis.BENIGN,
}
_SKLEARN_GROUPS = (("mean ", "", "_mean"), ("", " error", "_se"), ("worst ", "", "_worst"))
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^\s*\d+,\d+\s*$")


@dataclass(frozen=True, slots=True)
class RawRow:
    """A data row as read: 1-based line number and its cells (stripped)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row that passed every check."""

    line: int
    case_id: str
    diagnosis: Diagnosis | None
    features: tuple[float, ...]


def normalise_column(name: str) -> str:
    """``Concave Points_Mean`` / ``mean concave points`` / ``concave points error`` -> model name."""
    text = name.strip().lower()
    for prefix, suffix, ours in _SKLEARN_GROUPS:
        if prefix and text.startswith(prefix):
            return text[len(prefix) :].replace(" ", "_").replace("-", "_") + ours
        if suffix and text.endswith(suffix):
            return text[: -len(suffix)].replace(" ", "_").replace("-", "_") + ours
    return text.replace(" ", "_").replace("-", "_")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_rows(path: Path) -> tuple[list[str] | None, list[RawRow]]:
    """(header cells or None, data rows without blank lines). ScreeningFileError if unreadable."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ScreeningFileError(f"The file {path} does not exist.") from exc
    except UnicodeDecodeError as exc:
        raise ScreeningFileError(f"The file {path} is not a UTF-8 text (CSV) file.") from exc
    except OSError as exc:
        raise ScreeningFileError(f"The file {path} cannot be read: {exc.strerror or exc}.") from exc
    return split_rows(text, str(path))


def split_rows(text: str, source: str = "the file") -> tuple[list[str] | None, list[RawRow]]:
    """Like :func:`read_rows` for text already in memory."""
    if "\x00" in text:
        raise ScreeningFileError(f"{source} is not a text (CSV) file.")
    delimiter = detect_delimiter(text[:65536], source)
    rows: list[RawRow] = []
    header: list[str] | None = None
    for row in iter_raw_rows(text, delimiter, source):
        if not rows:
            check_decimal_mark(row, delimiter, source)
        if header is None and not rows and looks_like_header(row.cells):
            header = list(row.cells)
            continue
        rows.append(row)
    if header is None and not rows:
        raise ScreeningFileError(f"{source} is empty.")
    return header, rows


def iter_raw_rows(text: str, delimiter: str, source: str, first_line: int = 1) -> Iterator[RawRow]:
    """The non-blank rows of ``text`` with their cells stripped; line numbers count from ``first_line``
    (the csv module's own count, so a quoted value spanning lines counts every line)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    offset = first_line - 1
    try:
        for cells in reader:
            stripped = tuple(c.strip() for c in cells)
            if any(stripped):
                yield RawRow(reader.line_num + offset, stripped)
    except csv.Error as exc:
        raise ScreeningFileError(
            f"{source} is not a readable CSV file (line {reader.line_num + offset}: {exc})."
        ) from exc


def detect_delimiter(start: str, source: str = "the file") -> str:
    """The separator of the first non-blank line: the most frequent of comma, semicolon and tab.

    A line with none of them cannot hold 30 measurements, so the file is refused with a message that
    says what is wrong (instead of every row being "short" or the header "missing" measurements).
    """
    first = next((line for line in start.splitlines() if line.strip()), "")
    if not first:
        return ","
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise ScreeningFileError(
            f"{source} does not separate its values with commas, semicolons or tabs (line 1: "
            f"{first[:40]!r}). Save it as CSV with one row per case and a comma between values."
        )
    return best


def check_decimal_mark(row: RawRow, delimiter: str, source: str) -> None:
    """Refuse a semicolon- or tab-separated file whose numbers use a decimal comma (``17,99``), the
    usual export of spreadsheets set to a European locale: every row would otherwise be refused (or
    the first taken for a header naming no measurement)."""
    if delimiter == ",":
        return
    sample = next((c for c in row.cells if _DECIMAL_COMMA.match(c)), None)
    if sample is not None:
        raise ScreeningFileError(
            f"{source} separates values with {DELIMITERS[delimiter]}s and writes numbers with a decimal "
            f"comma (line {row.line}: {sample!r}). Save it with a decimal point (17.99), e.g. as "
            "comma-separated CSV."
        )


def looks_like_header(cells: tuple[str, ...]) -> bool:
    """At least half the cells are text that is neither a number nor a diagnosis letter."""
    words = sum(1 for c in cells if c and not _is_number(c) and c.lower() not in _DIAGNOSES)
    return words * 2 >= len(cells)


class Layout:
    """Where the id, diagnosis and 30 values sit in a row; built from the header or per row."""

    def __init__(self, header: list[str] | None) -> None:
        self.header = header
        self.ignored: tuple[str, ...] = ()
        self.positions: list[int] = []
        self.id_pos: int | None = None
        self.diagnosis_pos: int | None = None
        if header is not None:
            self._from_header(header)

    @property
    def name(self) -> str:
        return "wdbc" if self.header is None else "header"

    def _from_header(self, header: list[str]) -> None:
        names = [normalise_column(h) for h in header]
        duplicates = sorted({n for n in names if names.count(n) > 1 and n})
        if duplicates:
            raise ScreeningFileError(
                f"The header names these columns more than once: {', '.join(duplicates)}."
            )
        missing = [f for f in FEATURE_NAMES if f not in names]
        if missing:
            shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
            raise ScreeningFileError(
                f"The header does not name all 30 measurements; missing: {shown}. Use the wdbc.data layout "
                "(no header) or name every measurement, e.g. radius_mean."
            )
        self.positions = [names.index(f) for f in FEATURE_NAMES]
        self.id_pos = next((i for i, n in enumerate(names) if n in ID_COLUMNS), None)
        self.diagnosis_pos = next((i for i, n in enumerate(names) if n in DIAGNOSIS_COLUMNS), None)
        used = {*self.positions, self.id_pos, self.diagnosis_pos}
        self.ignored = tuple(header[i] for i in range(len(header)) if i not in used)

    def parse(self, row: RawRow) -> ParsedRow:
        """The checked row, or ValueError whose message is the reason shown to the person."""
        cells = row.cells
        if self.header is not None:
            if len(cells) != len(self.header):
                raise ValueError(f"expected {len(self.header)} values as in the header, found {len(cells)}")
            case_id = cells[self.id_pos] if self.id_pos is not None else ""
            diagnosis_text = cells[self.diagnosis_pos] if self.diagnosis_pos is not None else ""
            values = [cells[i] for i in self.positions]
        elif len(cells) == N + 2:
            case_id, diagnosis_text, values = cells[0], cells[1], list(cells[2:])
        elif len(cells) == N + 1:
            case_id, diagnosis_text, values = cells[0], "", list(cells[1:])
        else:
            raise ValueError(f"expected {N + 2} values (id, diagnosis, 30 measurements), found {len(cells)}")
        diagnosis = None
        if diagnosis_text:
            diagnosis = _DIAGNOSES.get(diagnosis_text.lower())
            if diagnosis is None:
                raise ValueError(f"diagnosis must be M or B (got {diagnosis_text[:20]!r})")
        return ParsedRow(row.line, case_id, diagnosis, _features(values))


def _features(values: list[str]) -> tuple[float, ...]:
    try:  # fast path; the slow one below words the problem per field
        numbers = [float(v) for v in values]
        if all(0.0 <= x <= MAX_MEASUREMENT for x in numbers):
            return tuple(numbers)
    except ValueError:
        pass
    try:
        return validate_features(dict(zip(FEATURE_NAMES, values, strict=True)))
    except ValidationError as exc:
        raise ValueError(" ".join(exc.fields.values())) from exc
