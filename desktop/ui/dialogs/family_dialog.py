"""Add or edit one family-history entry (relation, age, condition).

The inputs' limits and the check before saving come from the domain's family-history rules, the ones
the family service applies, so the dialog shows the service's own messages without a round trip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from desktop.domain.dto import FamilyDraft, FamilyDTO
from desktop.domain.entry_rules import AGE_MAX, CONDITION_MAX, RELATION_MAX, family_values
from desktop.ui.dialogs.edit_dialog import EditDialog

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

RELATIONS = (
    "Mother",
    "Father",
    "Sister",
    "Brother",
    "Daughter",
    "Son",
    "Grandmother",
    "Grandfather",
    "Aunt",
    "Uncle",
    "Cousin",
)


class FamilyDialog(EditDialog[FamilyDTO, FamilyDraft]):
    noun = "family history entry"

    def __init__(
        self,
        ctx: UiContext,
        entry: FamilyDTO | None = None,
        parent: QWidget | None = None,
        *,
        patient_id: str | None = None,
    ) -> None:
        super().__init__(ctx, entry, parent, patient_id=patient_id)
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems(RELATIONS)
        self.relation.setCurrentText("")
        typed = self.relation.lineEdit()
        if typed is not None:  # always, for an editable combo box
            typed.setMaxLength(RELATION_MAX)
        self.age = QSpinBox()
        self.age.setRange(0, AGE_MAX)
        self.age.setSuffix(" years")
        self.condition = QLineEdit()
        self.condition.setMaxLength(CONDITION_MAX)
        self.condition.setPlaceholderText("e.g. Breast cancer at 48")
        self.add_field("relation", "&Relation:", self.relation)
        self.add_field("age", "&Age:", self.age)
        self.add_field("condition", "&Condition:", self.condition)
        if entry is not None:
            self.fill(entry)
        self.relation.setFocus()

    def draft(self) -> FamilyDraft:
        """The typed-in entry; ValidationError (per field) when the family-history rules refuse it."""
        draft = FamilyDraft(
            relation=self.relation.currentText(), age=self.age.value(), condition=self.condition.text()
        )
        family_values(draft)
        return draft

    def fill(self, dto: FamilyDTO) -> None:
        self.relation.setCurrentText(dto.relation)
        self.age.setValue(int(dto.age))
        self.condition.setText(dto.condition)

    def create_row(self, token: str, draft: FamilyDraft) -> FamilyDTO:
        return self.ctx.services.family.create(token, draft, patient_id=self.patient_id)

    def update_row(self, token: str, row: FamilyDTO, draft: FamilyDraft) -> FamilyDTO:
        return self.ctx.services.family.update(token, row.id, draft, row.version, patient_id=self.patient_id)

    def fetch_row(self, token: str, row: FamilyDTO) -> FamilyDTO:
        return self.ctx.services.family.get(token, row.id, patient_id=self.patient_id)
