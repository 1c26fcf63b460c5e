"""A patient's Profile page in the chart, for the clinic's staff: demographics, allergies, the
medical information of the profile, and the patient's registration.

Reception and clinicians change the demographics and contact details (``PatientService.update``,
with the version they saw, so a change made meanwhile on another desk is refused rather than
overwritten); clinicians also state the allergies, the banner's allergy zone, in one of its three
states, and the blood type and medications (widgets/medical_info_group.py). The Registration group
(widgets/registration_group.py) deactivates, reactivates and merges the patient and shows who opened
the chart. What a role may not change is shown read-only or not at all, as the access policy says.

All of it is one database row with one version: after each save here the other parts of the page
take the row's new version (and the profile is read again where the save changed its fields).

Signals: ``identity_changed`` carries the new (patient, allergies) so the banner shows them at once;
``patient_chosen(patient_id)`` asks the window to open the kept patient's chart after a merge.
The page keeps unsaved input as a draft (desktop/ui/drafts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop.domain.dto import ProfileDTO
from desktop.domain.errors import ValidationError
from desktop.domain.patient_dto import AllergyInfo, PatientDraft, PatientDTO
from desktop.services.access_policy import Action, allowed
from desktop.services.patient_merge import MergeResult
from desktop.ui.errors import user_message
from desktop.ui.widgets.allergy_group import AllergyGroup, AllergyInputs
from desktop.ui.widgets.medical_info_group import MedicalInfoGroup, MedicalInputs
from desktop.ui.widgets.patient_form import PatientForm
from desktop.ui.widgets.registration_group import RegistrationGroup

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


@dataclass(frozen=True)
class DetailsDraft:
    """What the page holds that is not saved; None for a part without unsaved input."""

    details: PatientDraft | None
    allergies: AllergyInputs | None
    medical: MedicalInputs | None


class PatientDetailsPage(QWidget):
    title = "Profile"
    identity_changed = Signal(object)  # ChartIdentity after a save
    patient_chosen = Signal(str)  # the kept patient, after this chart was merged into theirs

    def __init__(self, ctx: UiContext, patient: PatientDTO | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if patient is None:
            raise ValueError("the staff's profile page shows one patient's chart")
        self.ctx = ctx
        self.patient = patient
        role = ctx.user.role if ctx.user else None

        def may(action: Action) -> bool:
            return role is not None and allowed(role, action, ctx.settings)

        self.can_edit = may(Action.PATIENTS_UPDATE)
        self.can_medical = may(Action.CHART_WRITE_MEDICAL)

        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        self.form = PatientForm()
        self.form.fill(patient)
        self._loaded_details = self.form.draft()
        self.form.set_read_only(not self.can_edit)
        self.save_button = QPushButton("&Save details")
        self.save_button.setAccessibleName("Save the patient's details")
        self.save_button.clicked.connect(self.save)
        self.save_button.setVisible(self.can_edit)
        self.message = QLabel()
        self.message.setAccessibleName("Profile message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.message, 1)
        details = QGroupBox("Identity and contact")
        box = QVBoxLayout(details)
        box.addWidget(self.form)
        box.addLayout(buttons)

        self.allergies: AllergyGroup | None = None
        if self.can_medical:
            self.allergies = AllergyGroup(ctx, patient.id)
            self.allergies.saved.connect(self._allergies_saved)
        self.medical: MedicalInfoGroup | None = None
        if may(Action.CHART_READ_MEDICAL):  # clinicians edit; an administrator may be let read
            self.medical = MedicalInfoGroup(ctx, patient.id, editable=self.can_medical)
            self.medical.saved.connect(self._medical_saved)
        self.registration = RegistrationGroup(ctx, patient)
        self.registration.patient_changed.connect(self._registration_changed)
        self.registration.merged.connect(self._merged)
        self.registration.setVisible(self.registration.offers_anything())

        # One column on a narrow window; on a wide one the medical and registration groups stand
        # beside the details, so nothing needs scrolling at 1366 pixels (see resizeEvent).
        self._inner = QWidget()
        self._left, self._right = QVBoxLayout(), QVBoxLayout()
        self._left.addWidget(details)
        groups = (self.allergies, self.medical, self.registration)
        self._side: list[QWidget] = [group for group in groups if group is not None]
        for layout in (self._left, self._right):
            layout.addStretch(1)
        self._columns = QHBoxLayout()
        self._columns.addLayout(self._left, 1)
        self._columns.addLayout(self._right, 0)
        page = QVBoxLayout(self._inner)
        page.addWidget(heading)
        page.addLayout(self._columns, 1)
        self._em = self.fontMetrics().horizontalAdvance("M")
        self._two_columns: bool | None = None
        self._arrange(two_columns=False)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._inner)
        QVBoxLayout(self).addWidget(scroll)
        self.refresh()

    def _arrange(self, *, two_columns: bool) -> None:
        """Put the side groups under the details (one column) or beside them (two)."""
        if two_columns == self._two_columns:
            return
        self._two_columns = two_columns
        target = self._right if two_columns else self._left
        for group in self._side:
            for layout in (self._left, self._right):
                layout.removeWidget(group)
            target.insertWidget(target.count() - 1, group)  # before the column's stretch
        self._columns.setStretch(1, 1 if two_columns else 0)
        self._inner.setMaximumWidth(self._em * (100 if two_columns else 48))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(two_columns=self.width() >= self._em * 96)

    @property
    def allergy_info(self) -> AllergyInfo | None:
        """The allergies as last read (None: not yet, or not for this role)."""
        return self.allergies.info if self.allergies is not None else None

    @Slot()
    def refresh(self) -> None:
        """Read the medical parts again (shown again, or changed elsewhere); typed input stays."""
        if self.allergies is not None:
            self.allergies.reload()
        if self.medical is not None:
            self.medical.reload()

    # --- saving --------------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        if not self.can_edit or self.ctx.runner.is_running("patient-save"):
            return
        self.form.clear_errors()
        self.message.clear()
        self.save_button.setEnabled(False)
        self.ctx.runner.run(
            partial(
                self.ctx.services.patients.update,
                self.ctx.token,
                self.patient.id,
                self.form.draft(),
                self.patient.version,
            ),
            key="patient-save",
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, patient: PatientDTO) -> None:
        self.save_button.setEnabled(True)
        self._row_moved(patient, profile_changed=True)
        self.form.fill(patient)
        self._loaded_details = self.form.draft()
        self.message.setText("Saved.")
        self.identity_changed.emit((patient, self.allergy_info))

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and self.form.show_errors(error.fields):
            self.message.setText("Not saved: please correct the fields marked in red.")
            return
        self.message.setText(user_message(error, already_logged=True))

    def _row_moved(self, patient: PatientDTO, *, profile_changed: bool) -> None:
        """One row, one version: every part of the page follows a save made by another part."""
        self.patient = patient
        if self.allergies is not None:
            self.allergies.follow_version(patient.version)
        self.registration.set_patient(patient)
        if self.medical is not None and profile_changed:
            self.medical.reload()  # its saves send the whole profile back: it must hold the new one
        elif self.medical is not None:
            self.medical.follow_version(patient.version)

    def _allergies_saved(self, info: AllergyInfo) -> None:
        self._row_moved(replace(self.patient, version=info.version), profile_changed=True)
        self.identity_changed.emit((self.patient, info))

    def _medical_saved(self, profile: ProfileDTO) -> None:
        self._row_moved(replace(self.patient, version=profile.version), profile_changed=False)

    def _registration_changed(self, patient: PatientDTO) -> None:
        self._row_moved(patient, profile_changed=False)
        self.identity_changed.emit((patient, self.allergy_info))

    def _merged(self, result: MergeResult) -> None:
        self.patient_chosen.emit(result.into_id)

    # --- unsaved input (desktop/ui/drafts.py) -----------------------------------------------------

    def take_draft(self) -> DetailsDraft:
        details = self.form.draft()
        return DetailsDraft(
            details=details if details != self._loaded_details else None,
            allergies=self.allergies.draft() if self.allergies is not None else None,
            medical=self.medical.draft() if self.medical is not None else None,
        )

    def unsaved_changes(self) -> str:
        draft = self.take_draft()
        parts = [
            words
            for words, part in (
                ("the patient's details", draft.details),
                ("the allergies", draft.allergies),
                ("the blood type and medications", draft.medical),
            )
            if part is not None
        ]
        if not parts:
            return ""
        return "changes to " + (parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}")

    def restore_draft(self, draft: object) -> None:
        """Put a draft taken from this page of the same chart back (parts read later wait for it)."""
        if not isinstance(draft, DetailsDraft):
            return
        if draft.details is not None and self.can_edit:
            self.form.set_draft(draft.details)
        if draft.allergies is not None and self.allergies is not None:
            self.allergies.restore(draft.allergies)
        if draft.medical is not None and self.medical is not None and self.medical.editable:
            self.medical.restore(draft.medical)
