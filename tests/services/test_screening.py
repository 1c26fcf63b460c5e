"""Batch screening of CSV files with the real model: layouts, rejected rows, agreement, export, cancel.

The pipeline streams the file in blocks; several tests run with tiny blocks so that one file goes
through many blocks, some parsed with numpy and some (those holding a bad line) row by row."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from desktop.domain.enums import Diagnosis
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.screening import ScreeningCancelledError, ScreeningFileError
from desktop.ml.predictor import Predictor
from desktop.services.predictor_provider import PredictorProvider
from desktop.services.screening import EXPORT_COLUMNS, ScreeningService

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
MODEL_DIR = ROOT / "onnx_model"


@pytest.fixture(scope="module")
def provider() -> PredictorProvider:
    return PredictorProvider(MODEL_DIR)


@pytest.fixture
def service(provider: PredictorProvider) -> ScreeningService:
    return ScreeningService(provider)


def sample_rows() -> list[list[str]]:
    with (FIXTURES / "wdbc_sample.csv").open(encoding="utf-8") as f:
        return list(csv.reader(f))


def results(report) -> list:
    """Every kept row as a ScreenedRow (fine for the small files of these tests)."""
    table = report.results
    assert table is not None
    return [table.row(i) for i in range(len(table))]


def test_wdbc_layout_predicts_every_row_like_the_predictor(service: ScreeningService, provider) -> None:
    report = service.screen_file(FIXTURES / "wdbc_sample.csv", keep_rows=True)
    rows = sample_rows()
    assert report.layout == "wdbc" and report.rows_read == len(rows) == report.predicted == 64
    assert report.rejected == () and report.rejected_count == 0
    predictor: Predictor = provider.get()
    for result, raw in zip(results(report), rows, strict=True):
        assert result.case_id == raw[0]
        assert result.known_diagnosis is (Diagnosis.MALIGNANT if raw[1] == "M" else Diagnosis.BENIGN)
        single = predictor.predict(dict(zip(FEATURE_NAMES, map(float, raw[2:]), strict=True)))
        assert result.prediction is single.prediction and result.risk_level is single.risk_level
        # batch vs single row: float32 rounding
        assert result.probability_malignant == pytest.approx(single.probability_malignant, abs=1e-6)
    assert [r.line for r in results(report)] == list(range(1, 65))


def test_agreement_is_counted_against_the_files_diagnoses(service: ScreeningService) -> None:
    report = service.screen_file(FIXTURES / "wdbc_sample.csv", keep_rows=True)
    a = report.agreement
    assert a is not None
    actual = [r.known_diagnosis is Diagnosis.MALIGNANT for r in results(report)]
    predicted = [r.prediction is Diagnosis.MALIGNANT for r in results(report)]
    tp = sum(x and y for x, y in zip(actual, predicted, strict=True))
    tn = sum(not x and not y for x, y in zip(actual, predicted, strict=True))
    assert (a.true_positive, a.true_negative, a.total) == (tp, tn, 64)
    assert a.true_positive + a.false_negative == sum(actual)
    assert a.accuracy == pytest.approx((tp + tn) / 64)
    assert a.sensitivity == pytest.approx(tp / sum(actual))
    assert a.specificity == pytest.approx(tn / (64 - sum(actual)))
    assert a.confusion_matrix == ((a.true_positive, a.false_negative), (a.false_positive, a.true_negative))
    assert a.accuracy >= 0.95  # the model on cases it was trained with


def test_header_layout_maps_columns_by_name(service: ScreeningService) -> None:
    by_header = service.screen_file(FIXTURES / "wdbc_header.csv", keep_rows=True)
    plain = service.screen_file(FIXTURES / "wdbc_sample.csv", keep_rows=True)
    assert by_header.layout == "header" and by_header.predicted == 20 and by_header.rejected == ()
    assert by_header.ignored_columns == ("notes",)
    assert by_header.agreement is None
    assert [r.case_id for r in results(by_header)][:2] == ["case-000", "case-009"]
    assert [r.probability_malignant for r in results(by_header)] == [
        r.probability_malignant for r in results(plain)[:20]
    ]


def test_sklearn_style_header_with_diagnosis(service: ScreeningService, tmp_path: Path) -> None:
    data = load_breast_cancer()
    path = tmp_path / "sk.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Diagnosis", *data.feature_names])
        for i in range(5):
            w.writerow(["M" if data.target[i] == 0 else "B", *data.data[i]])
    report = service.screen_file(path)
    assert report.predicted == 5 and report.agreement is not None and report.agreement.total == 5


def test_mixed_file_reports_each_bad_row_with_line_and_reason(service: ScreeningService) -> None:
    report = service.screen_file(FIXTURES / "wdbc_mixed.csv", keep_rows=True)
    assert report.rows_read == 18 and report.predicted == 11 and len(report.rejected) == 7
    reasons = {r.case_id: (r.line, r.reason) for r in report.rejected}
    assert reasons["bad-0"][1] == "Texture (mean) must be a number (got 'abc')."
    assert "NaN" in reasons["bad-1"][1]
    assert "must not be negative" in reasons["bad-2"][1]
    assert "finite" in reasons["bad-3"][1]
    assert "is missing" in reasons["bad-4"][1]
    assert "found 22" in reasons["bad-short"][1]
    assert "diagnosis must be M or B" in reasons["bad-diagnosis"][1]
    lines = (FIXTURES / "wdbc_mixed.csv").read_text(encoding="utf-8").splitlines()
    for case_id, (line, _) in reasons.items():  # line numbers are the file's own (blank line counted)
        assert lines[line - 1].startswith(case_id + ",")
    far = next(r for r in results(report) if r.case_id == "far-out")
    assert far.out_of_range == ("area_mean",)
    assert report.out_of_range_rows == 1
    assert report.agreement is not None and report.agreement.total == 11


def test_export_round_trip(service: ScreeningService, tmp_path: Path) -> None:
    report = service.screen_file(FIXTURES / "wdbc_mixed.csv", keep_rows=True)
    (tmp_path / "exports").mkdir()
    out = tmp_path / "exports" / "results.csv"
    assert service.export_csv(report, out) == 18
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [int(r["line"]) for r in rows] == sorted(int(r["line"]) for r in rows)
    assert sum(r["status"] == "rejected" for r in rows) == 7
    by_id = {r["id"]: r for r in rows}
    far = next(r for r in results(report) if r.case_id == "far-out")
    assert by_id["far-out"]["prediction"] == far.prediction.value
    assert float(by_id["far-out"]["probability_malignant"]) == pytest.approx(
        far.probability_malignant, abs=1e-6
    )
    assert float(by_id["far-out"]["area_mean"]) == 5000.0
    assert by_id["far-out"]["out_of_range"] == "area_mean"
    assert by_id["bad-0"]["reason"].startswith("Texture (mean)")
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind
    direct = tmp_path / "direct.csv"
    service.screen_file(FIXTURES / "wdbc_mixed.csv", out=direct)
    assert direct.read_bytes() == out.read_bytes()
    spool = Path(report.output)
    service.discard(report)
    assert not spool.exists()


def test_export_defuses_spreadsheet_formulas(service: ScreeningService, tmp_path: Path) -> None:
    line = ",".join(["=HYPERLINK(1)", "B", *sample_rows()[0][2:]])
    service.screen_text(line, out=tmp_path / "out.csv")
    assert "'=HYPERLINK(1)" in (tmp_path / "out.csv").read_text(encoding="utf-8")


def test_progress_is_reported_in_bytes_per_block(service: ScreeningService) -> None:
    calls: list[tuple[int, int]] = []
    path = FIXTURES / "wdbc_sample.csv"
    size = path.stat().st_size
    service.screen_file(path, progress=lambda d, t: calls.append((d, t)), block_bytes=4096)
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    assert len(calls) >= size // 4096
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(t == size for _, t in calls)


def test_cancel_stops_between_blocks_and_writes_nothing(service: ScreeningService, tmp_path: Path) -> None:
    flag = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done >= 4096:
            flag.set()

    (tmp_path / "results").mkdir()
    out = tmp_path / "results" / "out.csv"
    with pytest.raises(ScreeningCancelledError):
        service.screen_file(
            FIXTURES / "wdbc_sample.csv", out=out, progress=progress, cancel=flag, block_bytes=4096
        )
    assert seen[-1] >= 4096 and seen[-1] < (FIXTURES / "wdbc_sample.csv").stat().st_size  # stopped early
    assert list(out.parent.iterdir()) == []  # neither the output nor its temporary file
    with pytest.raises(ScreeningCancelledError):
        service.screen_file(FIXTURES / "wdbc_sample.csv", cancel=lambda: True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"\xff\xfe\x00b\x00", "not"),
        (b"id,radius_mean,texture_mean\n1,2,3\n", "does not name all 30 measurements"),
    ],
    ids=["missing", "empty", "blank", "binary", "partial-header"],
)
def test_unreadable_files_raise(service: ScreeningService, tmp_path: Path, content, message) -> None:
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ScreeningFileError, match=message):
        service.screen_file(path)


def test_large_file_goes_through_in_blocks(service: ScreeningService) -> None:
    rows = sample_rows()
    text = "\n".join(",".join(rows[i % len(rows)]) for i in range(5000))
    report = service.screen_text(text, keep_rows=True, block_bytes=50_000)
    assert report.predicted == 5000
    probabilities = np.array([r.probability_malignant for r in results(report)])
    np.testing.assert_array_equal(probabilities[:64], probabilities[64:128])
    assert report.results is not None and report.results.nbytes < 40 * 5000  # compact: no row objects


def test_export_to_a_missing_folder_is_a_clear_error(service: ScreeningService, tmp_path: Path) -> None:
    with pytest.raises(ScreeningFileError, match="Cannot write"):
        service.screen_file(FIXTURES / "wdbc_header.csv", out=tmp_path / "no-such-folder" / "out.csv")
    report = service.screen_file(FIXTURES / "wdbc_header.csv", keep_rows=True)
    with pytest.raises(ScreeningFileError, match="Cannot write"):
        service.export_csv(report, tmp_path / "no-such-folder" / "out.csv")


def test_header_only_file_screens_nothing(service: ScreeningService, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(",".join(FEATURE_NAMES) + "\n", encoding="utf-8")
    report = service.screen_file(path)
    assert (report.layout, report.rows_read, report.predicted, report.agreement) == ("header", 0, 0, None)
