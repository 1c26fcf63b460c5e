"""The printable report: saved as a real PDF into tmp_path, two pages (the result; why, and what the
measurements are), with the right text: the patient (name, date of birth, MRN), the clinician, the
model version with its file hash, and the decision-support sentence."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from desktop.domain.enums import Sex
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.patient_dto import PatientDTO
from desktop.ml.predictor import Predictor, default_model_dir
from desktop.ui import report
from desktop.ui.formatting import percent
from desktop.ui.model_card import ModelCard, contributions_of, report_data_for
from tests.ui.sample_predictions import MALIGNANT_EXAMPLE, utc

PATIENT = PatientDTO(
    id="p1", mrn="000123", name="María José García López", family_name="García López",
    given_names="María José", date_of_birth=dt.date(1945, 7, 14), sex=Sex.FEMALE, phone="", email=None,
    emergency_contact="", is_active=True, has_portal_access=False, created_at=utc(2026, 1, 1, 0, 0), version=1,
)  # fmt: skip
SHA = "3f2a9c01d4e5"


def _data(**overrides: Any) -> report.ReportData:
    card = ModelCard(
        version=f"lr-test-1+{SHA}",
        metrics=(("Accuracy", "0.981 ± 0.017"), ("ROC AUC", "0.996 ± 0.004")),
        ranges={"area_worst": (185.2, 1500.0)},
    )
    values = dict(
        patient=PATIENT,
        clinician="Dr Cleo Clinician",
        created_at=utc(2026, 3, 1, 9, 30),
        features=MALIGNANT_EXAMPLE,
        prediction="Malignant",
        confidence=0.991,
        probability=0.991,
        risk_level="High",
        notes="Refer to the breast clinic.",
        prediction_id=7,
    )
    values.update(overrides)
    return report_data_for(card, **values)


def _pdf_pages(path: Path) -> int:
    """Page objects in the PDF (Qt writes the page dictionaries uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


def test_report_html_has_every_part(qapp: Any) -> None:
    data = _data()
    text = report.build_document(data).toPlainText()
    for expected in (
        "GARCÍA LÓPEZ, María José",
        "Born 14-Jul-1945",
        "MRN 000123",
        "Clinician Dr Cleo Clinician",
        f"Version lr-test-1 (model file sha256 {SHA}",
        "Malignant",
        "99.1%",
        "High",
        "lr-test-1",
        "ROC AUC",
        "0.996 ± 0.004",
        "decision support to be read by a clinician, not a diagnosis",
        "Refer to the breast clinic.",
        "prediction #7",
    ):
        assert expected in text
    # every one of the 30 inputs is printed
    for name in FEATURE_NAMES:
        assert f"{MALIGNANT_EXAMPLE[name]:.6g}" in text
    # area_worst (2019) is above the range given by the card: marked and explained
    assert "2019*" in text
    assert "Outside what the model has seen: not reliable: Area (worst) outside the training range." in text


def test_save_pdf_writes_two_pages_with_text(qapp: Any, tmp_path: Path) -> None:
    data = _data(notes="A longer note.\n" * 5)
    assert report.page_count(data) == 2
    target = tmp_path / "report.pdf"
    report.save_pdf(data, str(target))
    assert target.read_bytes().startswith(b"%PDF")
    assert _pdf_pages(target) == 2
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: text extraction not checked")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    for expected in ("GARCÍA LÓPEZ, María José", "14-Jul-1945", "MRN 000123", "Dr Cleo Clinician", SHA):
        assert expected in words
    assert "Malignant" in text
    assert "decision support to be read by a clinician, not a diagnosis" in words


def test_save_pdf_into_a_missing_folder_is_an_error_not_a_silent_success(qapp: Any, tmp_path: Path) -> None:
    # Qt only warns ("QPainter::begin: Cannot open file"); the page would then say "Report saved".
    with pytest.raises(OSError):
        report.save_pdf(_data(), str(tmp_path / "no-such-folder" / "report.pdf"))


def test_save_with_dialog_names_the_file_and_says_why_it_could_not(
    qapp: Any, tmp_path: Path, no_dialogs: Any
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    no_dialogs.file = None  # cancelled
    assert report.save_pdf_with_dialog(_data(), None, "prediction-7.pdf") is None
    assert list(out.iterdir()) == []
    no_dialogs.file = str(out / "for the referral")
    written = report.save_pdf_with_dialog(_data(), None, "prediction-7.pdf")
    assert written == str(out / "for the referral.pdf")
    assert (out / "for the referral.pdf").read_bytes().startswith(b"%PDF")
    assert no_dialogs.messages("error") == []
    no_dialogs.file = str(tmp_path / "no-such-folder" / "report.pdf")
    assert report.save_pdf_with_dialog(_data(), None, "prediction-7.pdf") is None
    (message,) = no_dialogs.messages("error")
    assert message.startswith(f"The report could not be written to {no_dialogs.file}")


def test_report_of_an_old_prediction_without_probability(qapp: Any, tmp_path: Path) -> None:
    data = _data(probability=None, model_version=None, notes="")
    assert "not recorded" in report.build_document(data).toPlainText()
    target = tmp_path / "old.pdf"
    report.save_pdf(data, str(target))
    assert _pdf_pages(target) == 2


def test_report_names_a_different_model_version(qapp: Any) -> None:
    data = _data(model_version="lr-old-0")
    text = report.build_document(data).toPlainText()
    assert "Version lr-old-0" in text
    assert f"figures below are of model lr-test-1+{SHA}" in text


def test_unknown_patient_and_clinician_are_said_so(qapp: Any) -> None:
    text = report.build_document(_data(patient=None, clinician="")).toPlainText()
    assert "Not known" in text and "MRN not known" in text and "Clinician Not known" in text


def test_long_notes_are_shortened_to_keep_the_first_page(qapp: Any, tmp_path: Path) -> None:
    data = _data(notes="A very long clinical note line.\n" * 60)
    assert report.page_count(data) == 2
    assert "shortened; the full notes are in ClinicDesk" in report.build_document(data).toPlainText()
    target = tmp_path / "long.pdf"
    report.save_pdf(data, str(target))
    assert _pdf_pages(target) == 2


def test_percent_never_claims_certainty() -> None:

    assert percent(0.5) == "50.0%"
    assert percent(0.99996) == "> 99.9%"
    assert percent(1.0) == "> 99.9%"
    assert percent(0.00001) == "< 0.1%"
    assert percent(None) == "-"
    assert percent(None, "not recorded") == "not recorded"


def test_report_shows_the_contributions_and_explains_the_measurements(qapp: Any, tmp_path: Path) -> None:
    result = Predictor(default_model_dir()).predict(MALIGNANT_EXAMPLE)
    contributions = contributions_of(result)
    data = _data(contributions=contributions)
    document = report.build_document(data)
    text = document.toPlainText()
    chart = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(report.CHART_URL))
    assert not chart.isNull() and chart.width() > 0  # the chart is drawn into the document
    largest = max(contributions, key=lambda name: abs(contributions[name]))
    assert f"{contributions[largest]:+.3f}" in text  # the table lists the values, all 30
    assert sum(f"{value:+.3f}" in text for value in contributions.values()) == len(contributions) == 30
    for expected in (
        "fine-needle aspirate (FNA)",
        "cell nuclei",
        "mean of the three largest values",
        "gives none",
        "pixels",
        "Nuclear feature extraction for breast tumor diagnosis",
        "volume 1905, pages 861-870, San Jose, CA, 1993",
    ):
        assert expected in text
    target = tmp_path / "why.pdf"
    report.save_pdf(data, str(target))
    assert report.page_count(data) == _pdf_pages(target) == 2


def test_report_without_contributions_says_why(qapp: Any) -> None:
    assert "not available for this printout" in report.build_document(_data()).toPlainText()
