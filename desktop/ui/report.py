"""The two-page printable report of a prediction: print it or save it as PDF.

The report is HTML (report_html.py) laid out in a QTextDocument and printed with
``QTextDocument.print_`` onto a QPrinter, which is either a real printer chosen in QPrintDialog or a
PDF file (QPrinter.OutputFormat.PdfFormat). The contribution chart (report_chart.py) travels with the
document as an image resource. :func:`page_count` lets tests check that it stays two pages.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from desktop.ui.dialogs import prompts
from desktop.ui.report_chart import CHART_URL, contributions_image
from desktop.ui.report_data import ReportData
from desktop.ui.report_html import report_html

PRINT_MARGIN_CM = 2  # what QTextDocument.print_ adds inside the printer's page rectangle
LAYOUT_DPI = 96  # Qt's default logical DPI: the unit of a document's frame margins


def build_document(data: ReportData) -> QTextDocument:
    document = QTextDocument()
    if data.contributions:
        image = contributions_image(data.contributions)
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(CHART_URL), image)
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
    # Lay out on the printer itself, as QTextDocument::print does, so fonts scale by its resolution;
    # print also puts a 2 cm margin inside the page (with the page number in it): the same here.
    document.documentLayout().setPaintDevice(printer)
    frame = document.rootFrame().frameFormat()
    frame.setMargin(PRINT_MARGIN_CM / 2.54 * LAYOUT_DPI)  # the layout scales it to the printer
    document.rootFrame().setFrameFormat(frame)
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


def save_pdf_with_dialog(data: ReportData, parent: QWidget | None, default_name: str) -> str | None:
    """Ask where, then :func:`save_pdf` there; the path written, or None when the person cancelled or
    the file could not be written (then they have been told why)."""
    path = prompts.save_file(parent, "Save report as PDF", "PDF files (*.pdf)", default_name)
    if not path:
        return None
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    try:
        save_pdf(data, path)
    except OSError as error:
        prompts.error(parent, f"The report could not be written to {path}: {error.strerror or error}.")
        return None
    return path


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
