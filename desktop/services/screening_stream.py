"""Reading a screening file in blocks of whole lines, and the vectorised parse of a clean block.

A file of a million rows is read a few megabytes at a time, so memory does not grow with the file.
A block that is plain (ASCII, no quotes, no blanks, no empty lines, the same number of separators on
every line) is parsed with one ``numpy.loadtxt`` call and its ids and diagnoses are cut out of the
bytes with array operations. Anything else (a quoted value, a short row, a word where a number
belongs) makes :func:`fast_parse` return None, and the caller reads that block row by row with the
csv module, which words a reason for each bad line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from desktop.domain.prediction import MAX_MEASUREMENT
from desktop.domain.screening import ScreeningFileError
from desktop.services.screening_csv import Layout

#: Bytes read per block: about 18,000 rows of the wdbc.data layout.
BLOCK_BYTES = 4 << 20
_BOM = b"\xef\xbb\xbf"
_FORMULA_STARTS = np.frombuffer(b"=+-@", dtype=np.uint8)
_CODES = np.full(256, -2, dtype=np.int8)  # diagnosis letter -> 1 malignant, 0 benign, -2 not one
for _letter, _code in ((b"M", 1), (b"m", 1), (b"B", 0), (b"b", 0)):
    _CODES[_letter[0]] = _code


@dataclass(frozen=True, slots=True)
class Block:
    """Whole lines of the file (``\\n`` endings), the number of the first one and the bytes read so far."""

    data: bytes
    first_line: int
    done_bytes: int
    lines: int  # newlines in data


def iter_blocks(handle: BinaryIO, source: str, block_bytes: int = BLOCK_BYTES) -> Iterator[Block]:
    """Blocks of whole lines; ScreeningFileError for a file that is not text. Line endings become
    ``\\n`` (as Python's text mode does), so line numbers match what an editor shows."""
    line, carry, first = 1, b"", True
    while True:
        chunk = handle.read(block_bytes)
        data = carry + chunk
        if first and data:
            data = data.removeprefix(_BOM)
            first = False
        if not chunk:
            if not data:
                return
            cut = len(data)
        else:
            cut = data.rfind(b"\n") + 1
            # Never cut inside a quoted value (it may span lines): read on until the quotes pair up.
            if cut == 0 or (b'"' in data and data.count(b'"', 0, cut) % 2):
                carry = data
                continue
        block, carry = data[:cut], data[cut:]
        if b"\x00" in block:
            raise ScreeningFileError(f"{source} is not a text (CSV) file.")
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if not block.endswith(b"\n"):
            block += b"\n"
        lines = count_byte(block, 10)
        yield Block(block, line, handle.tell() - len(carry), lines)
        line += lines


def count_byte(data: bytes, value: int) -> int:
    """How often a byte occurs (numpy's compare-and-count is several times faster than bytes.count)."""
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == value))


def decode(block: Block, source: str) -> str:
    try:
        return block.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScreeningFileError(f"{source} is not a UTF-8 text (CSV) file.") from exc


@dataclass(frozen=True, slots=True)
class FastChunk:
    """A block parsed in one go: every row valid. Offsets index the block's bytes (ASCII, so they
    index ``lines`` too once shifted by each line's start)."""

    lines: list[str]
    features: np.ndarray  # [n, 30] float64, checked: finite, >= 0, within float32
    diagnosis: np.ndarray  # [n] int8: 1 malignant, 0 benign, -1 not given
    id_start: np.ndarray | None  # [n] offsets within each line, or None without an id column
    id_end: np.ndarray | None
    tail_start: np.ndarray | None  # where the 30 values start in each line when they end it, in order
    buffer: np.ndarray  # the block as uint8, for cutting the ids out
    line_start: np.ndarray  # [n] offset of each line in the block

    def __len__(self) -> int:
        return len(self.lines)

    def ids_as_bytes(self) -> np.ndarray:
        """The ids as a fixed-width bytes array (one allocation, no Python string per row)."""
        n = len(self.lines)
        if self.id_start is None or self.id_end is None:
            return np.zeros(n, dtype="S1")
        lengths = self.id_end - self.id_start
        width = max(1, int(lengths.max(initial=0)))
        steps = np.arange(width)
        where = (self.line_start + self.id_start)[:, None] + steps
        cut = self.buffer[np.minimum(where, self.buffer.size - 1)] * (steps < lengths[:, None])
        return np.ascontiguousarray(cut, dtype=np.uint8).view(f"S{width}").ravel()


def fast_parse(block: Block, text: str, delimiter: str, layout: Layout) -> FastChunk | None:
    """The whole block parsed with numpy, or None when any line needs the row-by-row reader."""
    data = block.data
    if not data.isascii() or b'"' in data or b" " in data:
        return None
    sep = delimiter.encode()
    if (delimiter != "\t" and b"\t" in data) or (delimiter != "," and b"," in data):
        return None  # a tab inside a value, or a comma that the comma-separated results would split
    n = block.lines
    buf = np.frombuffer(data, dtype=np.uint8)
    separators = int(np.count_nonzero(buf == sep[0]))
    if layout.header is not None:
        fields = len(layout.header)
        id_pos, diag_pos, positions = layout.id_pos, layout.diagnosis_pos, layout.positions
    elif separators == 31 * n:
        fields, id_pos, diag_pos, positions = 32, 0, 1, list(range(2, 32))
    elif separators == 30 * n:
        fields, id_pos, diag_pos, positions = 31, 0, None, list(range(1, 31))
    else:
        return None  # also a blank line (no separators), which loadtxt would skip silently
    if separators != (fields - 1) * n:
        return None
    lines = text.split("\n")
    lines.pop()  # after the final newline
    try:  # a row with too few values or a non-number fails here; too many is caught by the count above
        x = np.loadtxt(
            lines, delimiter=delimiter, usecols=positions, dtype=np.float64, ndmin=2, comments=None
        )
    except ValueError:
        return None
    if x.shape != (n, len(positions)) or not (x.min() >= 0 and x.max() <= MAX_MEASUREMENT):
        return None  # NaN fails both comparisons
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = np.flatnonzero(buf == 10)[:-1] + 1
    bounds = _leading_fields(buf, starts, sep[0]) if layout.header is None else None
    if bounds is None:
        bounds = _all_fields(buf, starts, sep[0], n, fields)
    diagnosis = np.full(n, -1, dtype=np.int8)
    if diag_pos is not None:
        begin, end = bounds[diag_pos], bounds[diag_pos + 1] - 1
        length = end - begin
        if length.max() > 1:
            return None  # a word ("malignant") or a bad value: the row reader decides
        given = length == 1
        codes = _CODES[buf[begin[given]]]
        if (codes < 0).any():
            return None
        diagnosis[given] = codes
    id_start = id_end = None
    if id_pos is not None:
        begin, end = bounds[id_pos], bounds[id_pos + 1] - 1
        named = end > begin
        if np.isin(buf[begin[named]], _FORMULA_STARTS).any():
            return None  # the writer defuses such ids row by row
        id_start, id_end = begin - starts, end - starts
    tail = None
    if layout.header is None:  # the 30 values close the line in model order: reuse their text
        tail = bounds[fields - 31 + 1] - starts
    return FastChunk(lines, x, diagnosis, id_start, id_end, tail, buf, starts)


#: Bytes looked at from each line's start for its first two separators (id and diagnosis fields).
_WINDOW = 24


def _leading_fields(buf: np.ndarray, starts: np.ndarray, sep: int) -> list[np.ndarray] | None:
    """Offsets where fields 0, 1 and 2 begin, from a short window at each line's start (much cheaper
    than finding all 31 separators of every line); None when an id is too long for the window."""
    window = buf[np.minimum(starts[:, None] + np.arange(_WINDOW, dtype=np.int64), buf.size - 1)] == sep
    first = window.argmax(axis=1)
    window[np.arange(len(starts)), first] = False
    second = window.argmax(axis=1)
    if not (window.any(axis=1).all() and (second > first).all()):
        return None
    return [starts, starts + first + 1, starts + second + 1]


def _all_fields(buf: np.ndarray, starts: np.ndarray, sep: int, n: int, fields: int) -> list[np.ndarray]:
    """Offsets where each field begins (a header file may put the id or diagnosis anywhere), plus
    one past the last field's end (where the newline is), so field k ends at bounds[k + 1] - 1."""
    seps = np.flatnonzero(buf == sep).reshape(n, fields - 1)
    ends = np.empty(n, dtype=np.int64)
    ends[:-1] = starts[1:] - 1
    ends[-1] = buf.size - 1
    return [starts, *(seps[:, k] + 1 for k in range(fields - 1)), ends + 1]
