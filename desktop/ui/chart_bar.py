"""The strip above every chart page: the patient banner and the explicit way out of the chart.

Which patient's chart is open is the main window's state; this module only shows it and loads it.
Closing the chart is a button here (and File > Close chart); choosing another patient on the
Patients page switches charts. A signed-in patient's chart is their own and has nothing to close.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from desktop.domain.patient_dto import AllergyInfo, PatientDTO
from desktop.services.access_policy import Action, allowed
from desktop.ui.context import UiContext
from desktop.ui.patient_format import display_name, mrn
from desktop.ui.widgets.patient_banner import PatientBanner

#: What a chart shows before its pages: who the patient is and, for those who may read medical
#: data, the allergies (None: not shown to this role).
ChartIdentity = tuple[PatientDTO, AllergyInfo | None]


def load_chart(ctx: UiContext, patient_id: str | None) -> ChartIdentity:
    """Open ``patient_id``'s chart (a patient: their own with None). Blocking: run it on the runner.

    Those who may open charts get the banner with allergies (and the opening is logged by the
    service); reception gets the demographics only, as the access policy says.
    """
    user = ctx.user
    if user is not None and allowed(user.role, Action.CHART_OPEN, ctx.settings):
        header = ctx.services.patients.open_chart(ctx.token, patient_id)
        return header.patient, header.allergies
    return ctx.services.patients.get(ctx.token, patient_id), None


def chart_title(patient: PatientDTO) -> str:
    """The window title while a chart is open: the patient first, so the task bar names them too."""
    return f"{display_name(patient)} \u2014 {mrn(patient.mrn)} \u2014 ClinicDesk"


class ChartBar(QWidget):
    close_requested = Signal()

    def __init__(self, closable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = PatientBanner()
        self.close_button = QPushButton("Close c&hart")
        self.close_button.setAccessibleName("Close this patient's chart")
        self.close_button.clicked.connect(self.close_requested)
        self.close_button.setVisible(closable)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 8, 8, 0)
        row.addWidget(self.banner, 1)
        row.addWidget(self.close_button)

    def show_patient(self, identity: ChartIdentity) -> None:
        self.banner.set_patient(*identity)
