"""The one-page printable report of a prediction: print it or save it as PDF.

Laid out as HTML in a QTextDocument (Qt's rich-text subset: tables, bold, colours) and printed with
``QTextDocument.print_`` onto a QPrinter, which is either a real printer chosen in QPrintDialog or a
PDF file (QPrinter.OutputFormat.PdfFormat). The 30 inputs fit in one 10 x 3 table, so the whole report
stays on one A4 / Letter page; :func:`page_count` lets tests check that.

The report always names the patient (name, date of birth, MRN: a printout travels without the screen
and the banner it came from), the clinician, the model's version with the start of its file's
sha256 and its cross-validated metrics, and says that the result is decision support to be read by
a clinician, not a diagnosis.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from desktop.domain.features import BASE_MEASUREMENTS, GROUPS
from desktop.ui.formatting import percent
from desktop.ui.patient_format import NOT_KNOWN, display_date, mrn
from desktop.ui.widgets.feature_form import format_value
from desktop.ui.widgets.risk_badge import risk_colour

DISCLAIMER = (
    "This result is decision support to be read by a clinician, not a diagnosis. It comes from a "
    "statistical model trained on the Wisconsin Diagnostic Breast Cancer data and must be interpreted "
    "by a qualified clinician together with the clinical picture, imaging and pathology."
)


@dataclass(frozen=True)
class ReportData:
    """Everything printed; ``metrics`` are (label, text) pairs, e.g. ("ROC AUC", "0.996 ± 0.004")."""

    patient_name: str
    created_at: dt.datetime
    features: Mapping[str, float]
    prediction: str
    confidence: float
    probability: float | None
    risk_level: str
    model_version: str = "unknown"
    metrics: Sequence[tuple[str, str]] = ()
    notes: str = ""
    out_of_range: Sequence[str] = ()
    prediction_id: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    patient_date_of_birth: dt.date | None = None
    patient_mrn: str = ""
    clinician: str = ""  # who made the prediction


def model_text(version: str) -> str:
    """ "1.2.0 (model file sha256 3f2a9c01d4e5…)" from the stored "1.2.0+3f2a9c01d4e5"."""
    number, _, digest = version.partition("+")
    return f"{number} (model file sha256 {digest}…)" if digest else version


#: Notes longer than this are cut so the report stays on one page (the full text stays in ClinicDesk).
NOTES_MAX_CHARS = 600
NOTES_MAX_LINES = 8


def printable_notes(notes: str) -> str:
    """``notes`` cut to what fits on the page, saying so when something was left out."""
    text = notes.strip()
    lines = text.splitlines()
    cut = len(text) > NOTES_MAX_CHARS or len(lines) > NOTES_MAX_LINES
    if cut:
        text = "\n".join(lines[:NOTES_MAX_LINES])[:NOTES_MAX_CHARS].rstrip()
        text += " … (shortened; the full notes are in ClinicDesk)"
    return text


def _when(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone()  # local time of the machine printing it
    return value.strftime("%Y-%m-%d %H:%M")


def report_html(data: ReportData) -> str:
    """The report as Qt rich-text HTML (kept separate so tests and previews can use it)."""
    esc = html.escape
    colour = risk_colour(data.risk_level)
    probability = "not recorded" if data.probability is None else percent(data.probability)
    rows = []
    for base, label, _ in BASE_MEASUREMENTS:
        cells = []
        for group, _ in GROUPS:
            name = f"{base}_{group}"
            value = data.features.get(name)
            text = "-" if value is None else format_value(float(value))
            if name in data.out_of_range:
                text = f"<b>{text}*</b>"
            cells.append(f'<td align="right">{text}</td>')
        rows.append(f"<tr><td>{esc(label)}</td>{''.join(cells)}</tr>")
    header = "".join(f'<th align="right">{esc(label)}</th>' for _, label in GROUPS)
    metrics = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in data.metrics)
    out_of_range = ""
    if data.out_of_range:
        out_of_range = (
            "<p style='color:#b45309'>* Outside the range of the training data: "
            f"{len(data.out_of_range)} measurement(s). The result is less certain.</p>"
        )
    note_text = printable_notes(data.notes)
    notes = f"<h3>Notes</h3><p>{esc(note_text).replace(chr(10), '<br>')}</p>" if note_text else ""
    ident = f" &middot; prediction #{data.prediction_id}" if data.prediction_id is not None else ""
    born = display_date(data.patient_date_of_birth)
    clinician = esc(data.clinician or NOT_KNOWN)
    return f"""
<html><body style="font-family: sans-serif; font-size: 9pt;">
<h2>ClinicDesk &ndash; breast cytology decision support report</h2>
<table cellspacing="0" cellpadding="3" width="100%" style="background-color: #eef2f7;">
<tr><td><span style="font-size: 12pt;"><b>{esc(data.patient_name)}</b></span></td>
<td>Born <b>{born}</b></td><td><b>{esc(mrn(data.patient_mrn))}</b></td></tr>
<tr><td>Clinician <b>{clinician}</b></td><td colspan="2">Date <b>{_when(data.created_at)}</b>{ident}</td></tr>
</table>
<p></p>
<table border="1" cellspacing="0" cellpadding="6" width="100%">
<tr><td width="33%"><b>Prediction</b><br><span style="font-size: 14pt;">{esc(data.prediction)}</span></td>
<td width="33%"><b>Probability of malignancy</b><br><span style="font-size: 14pt;">{probability}</span>
<br>confidence in the prediction {percent(data.confidence)}</td>
<td width="34%" style="background-color: {colour}; color: white;"><b>Risk level</b><br>
<span style="font-size: 14pt;">{esc(data.risk_level)}</span></td></tr>
</table>
{out_of_range}
<h3>Measurements (fine-needle aspirate, nuclear features)</h3>
<table border="1" cellspacing="0" cellpadding="3" width="100%">
<tr><th align="left">Measurement</th>{header}</tr>
{"".join(rows)}
</table>
{notes}
<h3>Model</h3>
<p>Version {esc(model_text(data.model_version))}.
Cross-validated performance (mean &plusmn; spread over folds):</p>
<table cellspacing="0" cellpadding="2">{metrics}</table>
<p></p>
<table border="1" cellspacing="0" cellpadding="6" width="100%">
<tr><td><b>{esc(DISCLAIMER)}</b></td></tr></table>
</body></html>
"""


def build_document(data: ReportData) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(report_html(data))
    return document


def _configure(printer: QPrinter) -> None:
    layout = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(15, 15, 15, 15),
        QPageLayout.Unit.Millimeter,
    )
    printer.setPageLayout(layout)


def page_count(data: ReportData, printer: QPrinter | None = None) -> int:
    """How many pages the report takes on ``printer``'s page (A4 with 15 mm margins by default)."""
    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        _configure(printer)
    document = build_document(data)
    # Lay out on the printer itself, as QTextDocument::print does, so fonts scale by its resolution.
    document.documentLayout().setPaintDevice(printer)
    document.setPageSize(QSizeF(printer.pageRect(QPrinter.Unit.DevicePixel).size()))
    return document.pageCount()


def save_pdf(data: ReportData, path: str) -> None:
    """Write the report to ``path`` as a PDF (no dialog); OSError when the file cannot be written.

    Qt only logs a warning ("QPainter::begin: Cannot open file") and the caller would report success,
    so the file is opened here first, where a missing folder or a read-only place raises OSError.
    """
    with open(path, "wb"):
        pass
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    printer.setDocName("ClinicDesk prediction report")
    printer.setCreator("ClinicDesk")
    _configure(printer)
    build_document(data).print_(printer)


def print_with_dialog(data: ReportData, parent: QWidget | None = None) -> bool:
    """Show the print dialog and print; False when the person cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _configure(printer)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print prediction report")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    build_document(data).print_(printer)
    return True
