"""Saving a prediction report as a PDF file from wherever it is shown: the file name is asked for
through the prompts module, and a file that cannot be written is said in plain words."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop.ui import report
from desktop.ui.dialogs import prompts


def save_as_pdf(parent: QWidget, data: report.ReportData, default_name: str) -> str | None:
    """Ask where, then write ``data`` as a PDF; the path written, or None (cancelled, or the file
    could not be written, which the person was told)."""
    path = prompts.save_file(parent, "Save report as PDF", "PDF files (*.pdf)", default_name)
    if not path:
        return None
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    try:
        report.save_pdf(data, path)
    except OSError as error:
        prompts.error(parent, f"The report could not be written to {path}: {error.strerror or error}.")
        return None
    return path
