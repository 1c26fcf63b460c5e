"""The widgets of the New prediction page, laid out: the heading, the 30-measurement form and the
result with its notes in a scrolling column, and the actions in a row below it.

The actions stay below the scrolling column, so Predict, Save and Print are on screen at any window
height (at 1024x700 the form alone is taller than the window). What the widgets do is the page's
(desktop/ui/pages/new_prediction.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.feature_form import FeatureForm
from desktop.ui.widgets.result_panel import ResultPanel


class PredictionView(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = FeatureForm()
        self.predict_button = QPushButton("Predict")
        self.predict_button.setDefault(True)
        self.predict_button.setAccessibleName("Predict from the measurements")
        self.status_label = QLabel()
        self.status_label.setObjectName("predictionStatus")
        self.status_label.setWordWrap(True)

        self.result_panel = ResultPanel()
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Notes saved with the prediction (optional)")
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setMaximumHeight(70)
        self.notes_edit.setTabChangesFocus(True)  # Tab moves on to Save, as in every other field
        notes_label = QLabel("&Notes:")
        notes_label.setBuddy(self.notes_edit)
        self.save_button = QPushButton("Save prediction")
        self.save_button.setAccessibleName("Save the prediction to your history")
        self.print_button = QPushButton("Print…")
        self.print_button.setAccessibleName("Print the prediction report")
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.setAccessibleName("Save the prediction report as a PDF file")

        self.result_box = QGroupBox("Result")
        result_layout = QVBoxLayout(self.result_box)
        result_layout.addWidget(self.result_panel)
        result_layout.addWidget(notes_label)
        result_layout.addWidget(self.notes_edit)

        heading = QLabel(title)
        heading.setObjectName("PageTitle")
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(heading)
        layout.addWidget(self.form)
        layout.addWidget(self.result_box, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)  # like the other pages: heading, content
        self.scroll_area.setWidget(content)
        actions = QHBoxLayout()
        actions.setContentsMargins(9, 4, 9, 9)
        actions.addWidget(self.predict_button)
        actions.addWidget(self.status_label, 1)
        for button in (self.save_button, self.print_button, self.pdf_button):
            actions.addWidget(button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll_area, 1)
        outer.addLayout(actions)
