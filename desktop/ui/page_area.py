"""The main window's working area: the sidebar of pages, the open chart's banner, and the pages.

Pages are built the first time they are shown (page_registry.py). Chart pages belong to the chart
that is open: they are built for that patient, shown under the chart bar (the banner), and thrown
away, with any dialog opened from them, when the chart is closed or another patient is chosen, so
nothing typed in one chart can be saved into another. Leaving a chart whose pages hold input not yet
saved asks first (unsaved.py); Cancel leaves the chart open as it was. Staff open a chart by choosing
a patient on the Patients page (``choose_patient``) and leave it with "Close chart"; a signed-in
patient's own chart is opened once and stays open.

A page built for a chart (or outside any) where the signed-in person's draft was kept when they were
switched out gets it back (``DraftKeeper``), and ``drafts_note(text)`` says so; on opening a chart it
also names the chart's other pages where a draft waits to be opened.

Signals: ``title_changed(text)`` (the window title: the patient's name and MRN while a chart page is
shown), ``chart_opened(patient_id)``, ``chart_closed()`` and ``drafts_note(text)``.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from desktop.domain.enums import Role
from desktop.domain.patient_dto import PatientDTO
from desktop.ui.chart_bar import ChartBar, ChartIdentity, chart_title, load_chart
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.page_registry import PageSpec
from desktop.ui.sidebar import PageSidebar
from desktop.ui.unsaved import BuiltPage, DraftKeeper, confirm_discard, restored_note, unsaved_items

PATIENTS = "patients"
#: The chart page shown when a chart opens, the first of these this person has.
CHART_START = ("records", "profile")


class PageArea(QWidget):
    title_changed = Signal(str)
    chart_opened = Signal(str)
    chart_closed = Signal()
    drafts_note = Signal(str)

    def __init__(
        self,
        ctx: UiContext,
        specs: list[PageSpec],
        role: Role,
        keeper: DraftKeeper,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.specs = specs
        self.role = role
        self.keeper = keeper
        self.pages: dict[str, QWidget] = {}
        self.chart: PatientDTO | None = None  # whose chart is open
        self._wanted: str | None = None  # a chart page asked for before any chart was open
        self._restored = ""  # the note of the draft given back last

        self.sidebar = PageSidebar(specs)
        self.stack = QStackedWidget()
        for _spec in specs:
            self.stack.addWidget(QWidget())  # replaced by the real page the first time it is shown
        self.sidebar.currentRowChanged.connect(self._show_row)
        self.chart_bar = ChartBar(closable=role is not Role.PATIENT)
        self.chart_bar.close_requested.connect(self.close_chart)
        self.chart_bar.hide()
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.chart_bar)
        column.addWidget(self.stack, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(right, 1)
        self._show_chart_rows(False)

    # --- pages -------------------------------------------------------------------------------------

    def keys(self) -> list[str]:
        return [spec.key for spec in self.specs]

    def current_key(self) -> str | None:
        row = self.sidebar.currentRow()
        return self.specs[row].key if 0 <= row < len(self.specs) else None

    def can_show(self, row: int) -> bool:
        return 0 <= row < len(self.specs) and not (self.specs[row].chart and self.chart is None)

    def show_page(self, key: str) -> QWidget | None:
        """Switch to ``key`` (building it if needed); None if this person has no such page now."""
        keys = self.keys()
        if key not in keys:
            return None
        row = keys.index(key)
        if not self.can_show(row):
            self._wanted = key
            return None
        if self.sidebar.currentRow() == row:
            self._show_row(row)  # e.g. the same page of a newly opened chart: build it again
        else:
            self.sidebar.setCurrentRow(row)
        return self.pages.get(key)

    def start(self, key: str) -> None:
        """Show ``key`` first; a chart page with no chart open waits for the chart (the patient
        list meanwhile, for staff)."""
        if self.show_page(key) is None and PATIENTS in self.keys():
            self.show_page(PATIENTS)

    def go_to_row(self, row: int) -> None:
        if self.can_show(row):
            self.sidebar.setCurrentRow(row)

    @Slot(int)
    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self.specs):
            return
        spec = self.specs[row]
        if spec.chart and self.chart is None:  # no chart open: the patient list instead
            self._wanted = spec.key
            if PATIENTS in self.keys():
                self.sidebar.setCurrentRow(self.keys().index(PATIENTS))
            return
        page = self.pages.get(spec.key)
        built = page is None
        if page is None:
            page = self._build(spec)
            old = self.stack.widget(row)
            self.stack.insertWidget(row, page)
            if old is not None:
                self.stack.removeWidget(old)
                old.deleteLater()
            self.pages[spec.key] = page
        else:
            refresh = getattr(page, "refresh", None)
            if callable(refresh):
                refresh()
        self.stack.setCurrentIndex(row)
        self.chart_bar.setVisible(spec.chart)
        self.title_changed.emit(self.title())
        if built:  # once shown: a kept form dialog reopens over its page
            self._give_back_draft(spec, page)

    def _give_back_draft(self, spec: PageSpec, page: QWidget) -> None:
        patient_id = self.chart.id if spec.chart and self.chart is not None else ""
        draft = self.keeper.give_back(patient_id, spec.key, page)
        if draft is not None:
            self._restored = restored_note(draft)
            self.drafts_note.emit(self._restored)

    def _build(self, spec: PageSpec) -> QWidget:
        page = spec.build(self.ctx, self.chart if spec.chart else None)
        chosen = getattr(page, "patient_chosen", None)
        if chosen is not None:
            chosen.connect(self.choose_patient)
        changed = getattr(page, "identity_changed", None)
        if changed is not None:
            changed.connect(self._identity_changed)
        return page

    def title(self) -> str:
        """The window title for what is shown: the patient on a chart page, else the page."""
        row = self.sidebar.currentRow()
        if not 0 <= row < len(self.specs):
            return "ClinicDesk"
        spec = self.specs[row]
        if spec.chart and self.chart is not None:
            return chart_title(self.chart)
        return f"{getattr(self.pages.get(spec.key), 'title', spec.title)} - ClinicDesk"

    # --- input not yet saved -----------------------------------------------------------------------

    def built_pages(self, *, chart_only: bool = False) -> list[BuiltPage]:
        """The pages built now, in sidebar order, with the chart each belongs to ("" for none)."""
        chart_id = self.chart.id if self.chart is not None else ""
        return [
            (chart_id if spec.chart else "", spec.key, self.pages[spec.key])
            for spec in self.specs
            if spec.key in self.pages and (spec.chart or not chart_only)
        ]

    def unsaved(self, *, chart_only: bool = False) -> list[str]:
        """What the built pages (only the open chart's, with ``chart_only``) hold unsaved."""
        return unsaved_items(page for _chart, _key, page in self.built_pages(chart_only=chart_only))

    def _may_leave_chart(self, then: str) -> bool:
        """True when the open chart holds nothing unsaved, or the person chose to discard it."""
        items = self.unsaved(chart_only=True)
        return not items or confirm_discard(self, items, then)

    # --- the chart ---------------------------------------------------------------------------------

    @Slot(str)
    def choose_patient(self, patient_id: str) -> None:
        """Open ``patient_id``'s chart (closing the one open now, if it is another patient's)."""
        if self.chart is not None and self.chart.id == patient_id:
            self._show_chart_start()
            return
        if self.chart is not None and not self._may_leave_chart("open another patient's chart"):
            return  # Cancel: the open chart stays as it was
        self.open_chart(patient_id)

    def open_chart(self, patient_id: str | None) -> None:
        """Load the banner off the GUI thread, then show the chart; None: a patient's own chart."""
        self.ctx.runner.run(
            partial(load_chart, self.ctx, patient_id),
            key="open-chart",
            on_done=self._chart_loaded,
            on_error=lambda error: prompts.error(self, user_message(error, already_logged=True)),
        )

    def _chart_loaded(self, identity: ChartIdentity) -> None:
        self._drop_chart_pages()
        self.chart = identity[0]
        self.chart_bar.show_patient(identity)
        self._show_chart_rows(True)
        self._restored = ""
        self._show_chart_start()
        waiting = self.keeper.waiting_pages(self.chart.id)
        if waiting:
            pages = ", ".join(spec.title for spec in self.specs if spec.key in waiting)
            self.drafts_note.emit(f"{self._restored} Unsaved input kept for you on: {pages}.".strip())
        self.chart_opened.emit(self.chart.id)

    def _show_chart_start(self) -> None:
        chart_keys = [spec.key for spec in self.specs if spec.chart]
        wanted = [self._wanted] if self._wanted in chart_keys else []
        start = [key for key in (*wanted, *CHART_START, *chart_keys) if key in chart_keys]
        self._wanted = None
        if start:
            self.show_page(start[0])

    @Slot()
    def close_chart(self) -> None:
        """Close the open chart and go back to the patient list (staff only)."""
        if self.chart is None or self.role is Role.PATIENT:
            return
        if not self._may_leave_chart("close the chart"):
            return
        self._drop_chart_pages()
        self.chart = None
        self.chart_bar.banner.clear()
        self._show_chart_rows(False)
        page = self.show_page(PATIENTS)
        focus = getattr(page, "focus_search", None)
        if callable(focus):
            focus()
        self.chart_closed.emit()

    def _drop_chart_pages(self) -> None:
        """Throw the chart pages away, with their open dialogs and whatever was typed in them."""
        for row, spec in enumerate(self.specs):
            page = self.pages.pop(spec.key, None) if spec.chart else None
            if page is None:
                continue
            for dialog in page.findChildren(QDialog):
                dialog.done(QDialog.DialogCode.Rejected)  # the person was asked before leaving
            self.stack.insertWidget(row, QWidget())
            self.stack.removeWidget(page)
            page.deleteLater()

    def _show_chart_rows(self, shown: bool) -> None:
        for row, spec in enumerate(self.specs):
            if spec.chart:
                self.sidebar.setRowHidden(row, not shown)

    def _identity_changed(self, identity: ChartIdentity) -> None:
        if self.chart is not None and identity[0].id == self.chart.id:
            self.chart = identity[0]
            self.chart_bar.show_patient(identity)
            self.title_changed.emit(self.title())
