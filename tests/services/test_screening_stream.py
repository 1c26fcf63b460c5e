"""The streaming screen against the figures of the row-by-row implementation it replaced, delimiters,
values beyond float32, and the equivalence of the numpy and row-by-row readers.

The expected summaries were produced by the earlier implementation (which read the whole file and
checked every row in Python) on the same files; the streaming result must match them exactly, with
the default blocks and with blocks so small that the file is cut into many pieces.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from desktop.domain.screening import ScreeningFileError, ScreeningReport
from desktop.services.predictor_provider import PredictorProvider
from desktop.services.screening import ScreeningService
from tests.fixtures.screening_files import FIXTURES, uci_lines, write_uci, write_uci_with_bad_lines

ROOT = Path(__file__).resolve().parents[2]
NOT_32 = "expected 32 values (id, diagnosis, 30 measurements), found 22"
NOT_M_OR_B = "diagnosis must be M or B (got 'X')"
NEGATIVE = "Concave points (mean) must not be negative."
INFINITE = "Perimeter (standard error) must be a finite number."
NOT_A_NUMBER = "Texture (mean) must be a number (got 'abc')."
MISSING = "Fractal dimension (worst) is missing."
NAN = "Smoothness (mean) must be a number (got NaN)."

#: name -> (rows read, predicted, malignant, (low, medium, high), out of range, (tp, fn, fp, tn),
#: rejected (line, id, reason)), as the earlier implementation reported them.
EXPECTED = {
    "uci": (569, 569, 209, (317, 43, 209), 0, (208, 4, 1, 356), []),
    "uci_with_bad_lines": (
        11388, 11380, 4180, (6340, 860, 4180), 0, (4160, 80, 20, 7120),
        [
            (1, "bad-short", NOT_32), (4097, "bad-diagnosis", NOT_M_OR_B), (4100, "bad-2", NEGATIVE),
            (5695, "bad-3", INFINITE), (8198, "bad-0", NOT_A_NUMBER), (9008, "bad-4", MISSING),
            (11389, "bad-1", NAN), (11391, "bad-1", NAN),
        ],
    ),
    "mixed": (
        18, 11, 4, (6, 1, 4), 1, (4, 1, 0, 6),
        [
            (5, "bad-short", NOT_32), (6, "bad-diagnosis", NOT_M_OR_B), (9, "bad-2", NEGATIVE),
            (12, "bad-3", INFINITE), (13, "bad-0", NOT_A_NUMBER), (16, "bad-4", MISSING), (17, "bad-1", NAN),
        ],
    ),
    "header": (20, 20, 14, (4, 2, 14), 0, None, []),
}  # fmt: skip


@pytest.fixture(scope="module")
def service() -> ScreeningService:
    return ScreeningService(PredictorProvider(ROOT / "onnx_model"))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("screening")
    return {
        "uci": write_uci(folder / "wdbc.data", 569),
        "uci_with_bad_lines": write_uci_with_bad_lines(folder / "bad.csv"),
        "mixed": FIXTURES / "wdbc_mixed.csv",
        "header": FIXTURES / "wdbc_header.csv",
    }


def summary(report: ScreeningReport) -> tuple:
    a = report.agreement
    return (
        report.rows_read,
        report.predicted,
        report.malignant,
        (report.risk.low, report.risk.medium, report.risk.high),
        report.out_of_range_rows,
        None if a is None else (a.true_positive, a.false_negative, a.false_positive, a.true_negative),
        [(r.line, r.case_id, r.reason) for r in report.rejected],
    )


@pytest.mark.parametrize("block_bytes", [4 << 20, 3000], ids=["default-blocks", "small-blocks"])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_summary_matches_the_earlier_implementation(service, files, name: str, block_bytes: int) -> None:
    report = service.screen_file(files[name], block_bytes=block_bytes)
    assert summary(report) == EXPECTED[name]
    assert report.rejected_count == len(EXPECTED[name][6])


def test_numpy_and_row_readers_write_the_same_results(service, tmp_path: Path) -> None:
    """A quoted id sends its block to the row-by-row reader; every other line must come out the same."""
    lines = list(uci_lines())
    (tmp_path / "fast.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines[0] = '"' + lines[0].replace(",", '",', 1)
    (tmp_path / "slow.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast = service.screen_file(tmp_path / "fast.csv", out=tmp_path / "fast-out.csv")
    slow = service.screen_file(tmp_path / "slow.csv", out=tmp_path / "slow-out.csv")
    assert summary(fast) == summary(slow) == EXPECTED["uci"]
    assert (tmp_path / "fast-out.csv").read_bytes() == (tmp_path / "slow-out.csv").read_bytes()


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_semicolon_and_tab_files_screen_like_the_comma_file(
    service, files, tmp_path: Path, delimiter
) -> None:
    comma = files["mixed"].read_text(encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text(comma.replace(",", delimiter), encoding="utf-8")
    report = service.screen_file(other, out=tmp_path / "out.csv")
    assert report.delimiter == delimiter
    assert summary(report) == EXPECTED["mixed"]  # the same lines, ids and reasons
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    assert len(written) == 19 and all(len(row) == 41 for row in written)


def test_semicolon_header_file_is_mapped_by_name(service, files, tmp_path: Path) -> None:
    other = tmp_path / "header.csv"
    other.write_text(files["header"].read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert summary(service.screen_file(other)) == EXPECTED["header"]


def test_decimal_comma_is_named_plainly(service, files, tmp_path: Path) -> None:
    text = files["mixed"].read_text(encoding="utf-8").replace(",", ";").replace(".", ",")
    path = tmp_path / "european.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScreeningFileError, match="decimal comma") as caught:
        service.screen_file(path)
    assert "semicolon" in caught.value.message and "missing" not in caught.value.message


def test_a_file_without_separators_is_named_plainly(service, tmp_path: Path) -> None:
    path = tmp_path / "spaces.csv"
    path.write_text("842302 M 17.99 10.38\n", encoding="utf-8")
    with pytest.raises(ScreeningFileError, match="commas, semicolons or tabs"):
        service.screen_file(path)


@pytest.mark.parametrize("value", ["1e308", "3.5e38", "1e39"])
def test_values_beyond_float32_are_refused_as_too_large(service, tmp_path: Path, value: str) -> None:
    lines = list(uci_lines())[:50]
    cells = lines[10].split(",")
    cells[2 + 3] = value  # area_mean
    lines[10] = ",".join(cells)
    path = tmp_path / "huge.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = service.screen_file(path, keep_rows=True)
    assert report.predicted == 49
    assert [(r.line, r.reason) for r in report.rejected] == [(11, "Area (mean) is too large.")]
    table = report.results
    assert table is not None
    assert all(0.0 <= table.row(i).probability_malignant <= 1.0 for i in range(len(table)))


def test_largest_float32_value_is_accepted(service, tmp_path: Path) -> None:
    line = next(uci_lines()).split(",")
    line[5] = "3.4e38"
    report = service.screen_text(",".join(line))
    assert report.predicted == 1 and report.out_of_range_rows == 1


def test_windows_line_endings_and_bom_keep_line_numbers(service, files, tmp_path: Path) -> None:
    text = files["mixed"].read_text(encoding="utf-8")
    path = tmp_path / "windows.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    for block_bytes in (4 << 20, 700):
        assert summary(service.screen_file(path, block_bytes=block_bytes)) == EXPECTED["mixed"]


def test_quoted_value_across_a_block_boundary(service, tmp_path: Path) -> None:
    """A quoted id that spans two lines is one row; the reader never cuts inside the quotes."""
    lines = list(uci_lines())[:40]
    cells = lines[20].split(",", 1)
    lines[20] = f'"case\nwith a line break",{cells[1]}'
    path = tmp_path / "quoted.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    boundary = len("\n".join(lines[:20])) + 8  # inside the quotes
    report = service.screen_file(path, keep_rows=True, block_bytes=boundary)
    assert report.predicted == 40 and report.rejected_count == 0
    table = report.results
    assert table is not None
    assert table.row(20).case_id == "case\nwith a line break" and table.row(21).line == 23
