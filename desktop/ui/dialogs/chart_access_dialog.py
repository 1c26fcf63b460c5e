"""Who opened this patient's chart, and when: the access log narrowed to one patient, from the chart.

The same table model as the Access log page (``AccessLogModel``, filtered by patient through the
service), so what the administrator sees here is exactly that page's "Only this patient". The
patient column is hidden: every row is about this patient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.domain.errors import SessionExpiredError
from desktop.domain.patient_dto import PatientDTO
from desktop.ui import patient_format as fmt
from desktop.ui.errors import user_message
from desktop.ui.formatting import count_text
from desktop.ui.tablemodels.access_log_model import AccessLogModel, size_columns
from desktop.ui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

EMPTY = "Nobody else has opened this chart yet."


class ChartAccessDialog(QDialog):
    def __init__(self, ctx: UiContext, patient: PatientDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"Who opened the chart of {fmt.display_name(patient)}")
        intro = QLabel(
            f"Every opening of the chart of {fmt.display_name(patient)} ({fmt.mrn(patient.mrn)}) and "
            "every read of their data by someone other than the patient, newest first."
        )
        intro.setWordWrap(True)
        self.model = AccessLogModel(ctx, self)
        self.model.fetch_failed.connect(self._fetch_failed)
        self.model.reloaded.connect(lambda *_: self._update_count())
        self.view = RowTable(self.model, "Who opened this chart")
        self.view.horizontalHeader().setSortIndicatorShown(False)  # always newest first
        size_columns(self.view, self.model)
        patient_column = [attribute for _, attribute, _ in self.model.COLUMNS].index("patient_name")
        self.view.hideColumn(patient_column)
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        self.count_label.setAccessibleName("Number of entries")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 72, self.fontMetrics().lineSpacing() * 24)
        self.model.set_filter(patient_id=patient.id)  # reads the log

    def _fetch_failed(self, error: BaseException) -> None:
        self.count_label.setText(user_message(error))
        if isinstance(error, SessionExpiredError):
            self.ctx.runner.session_expired.emit()

    def _update_count(self) -> None:
        total = self.model.total
        text = count_text(total, self.model.rowCount(), ("entry", "entries"), False) if total else EMPTY
        self.count_label.setText(text)
