"""The main window: the page area (sidebar, open chart, pages), menu bar, shortcuts, status bar;
the lock screen, signing out, switching user and quitting are its base class's (session_window.py).

Built after a successful sign-in with the UiContext holding the session; each role gets the pages
the access policy allows it (page_registry.py), and the Tools menu exists only for admins (the
services refuse what the policy refuses regardless). Staff start on the Patients page and open
charts from it; a signed-in patient's own chart opens at once (page_area.py).
Shortcuts dispatch to the current page when it offers the action (``new_item``, ``focus_search``,
``print_current``, see desktop/ui/context.py, and ``delete_selected``, ``predict``, ``save``);
Ctrl+N on a page without ``new_item`` opens the medical records page and starts a new record there.

Emits ``signed_out(reason)`` when the person signs out (or switches user from the lock screen), the
session expires or the account gets locked while the screen is locked; the app then shows the sign-in
window again. Window geometry and each person's last page are remembered (window_state.py). The
app passes the ``DraftStore`` that outlives this window, so a person switched out at the lock screen
gets their unsaved input back in the next window they sign in to.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.enums import Role
from desktop.domain.patient_dto import PatientDTO
from desktop.settings import Settings
from desktop.ui import theme, window_state
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts, startup
from desktop.ui.dialogs.database_tools import DatabaseToolsDialog
from desktop.ui.dialogs.help_dialog import HelpDialog
from desktop.ui.dialogs.preferences_dialog import PreferencesDialog
from desktop.ui.dialogs.server_settings import ServerSettingsDialog
from desktop.ui.drafts import DraftStore
from desktop.ui.main_menus import MainMenus, about_text, shortcuts
from desktop.ui.page_area import PageArea
from desktop.ui.page_registry import PageSpec, pages_for
from desktop.ui.session_window import SessionWindow
from desktop.ui.unsaved import DraftKeeper


class MainWindow(SessionWindow):
    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, drafts: DraftStore | None = None
    ) -> None:
        user = ctx.user
        role = user.role if user is not None else Role.PATIENT
        specs = pages_for(role, ctx.settings)
        keeper = DraftKeeper(drafts if drafts is not None else DraftStore(), user.id if user else "")
        super().__init__(ctx, PageArea(ctx, specs, role, keeper), keeper, parent)
        self.setWindowTitle("ClinicDesk")
        self._specs: list[PageSpec] = specs
        self.content.title_changed.connect(self._show_title)
        self.chart_opened = self.content.chart_opened
        self.chart_closed = self.content.chart_closed
        self.sidebar = self.content.sidebar

        self.menus = MainMenus(self, self, self._specs, ctx.is_admin, chart_closable=role.is_staff)
        self._build_status_bar()
        ctx.runner.busy_changed.connect(self._busy_changed)
        self._restore_state()
        if role is Role.PATIENT:
            self.content.open_chart(None)  # their own chart, open for the whole session

    def _build_status_bar(self) -> None:
        user = self.ctx.user
        who = ""
        if user:
            who = f"Signed in as {user.name} ({user.email}){' - administrator' if user.is_admin else ''}"
        self.user_label = QLabel(who)
        self.user_label.setAccessibleName("Signed-in user")
        self.db_label = QLabel(f"Database: {self.ctx.database_label}")
        self.db_label.setObjectName("Muted")
        self.db_label.setAccessibleName("Database location")
        self.busy_label = QLabel("")
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.db_label)

    # --- pages -------------------------------------------------------------------------------------

    def page_keys(self) -> list[str]:
        return self.content.keys()

    def current_key(self) -> str | None:
        return self.content.current_key()

    def current_page(self) -> QWidget | None:
        key = self.current_key()
        return self.content.pages.get(key) if key else None

    def show_page(self, key: str) -> QWidget | None:
        """Switch to the page ``key`` (building it if needed); None if this person has no such page,
        or it is a chart page and no chart is open."""
        return self.content.show_page(key)

    def page(self, key: str) -> QWidget | None:
        """The page object if it was built (tests and the shortcuts use it)."""
        return self.content.pages.get(key)

    @property
    def chart(self) -> PatientDTO | None:
        """The patient whose chart is open (PatientDTO), or None."""
        return self.content.chart

    def choose_patient(self, patient_id: str) -> None:
        self.content.choose_patient(patient_id)

    @Slot()
    def close_chart(self) -> None:
        self.content.close_chart()

    @Slot(str)
    def _show_title(self, title: str) -> None:
        if not self.is_locked():
            self.setWindowTitle(title)

    # --- shortcuts ---------------------------------------------------------------------------------

    def _dispatch(self, method: str) -> bool:
        return _call(self.current_page(), method)

    @Slot(int)
    def go_to_row(self, row: int) -> None:
        self.content.go_to_row(row)

    @Slot()
    def new_item(self) -> None:
        if not self._dispatch("new_item"):
            _call(self.show_page("records"), "new_item")  # nothing without an open chart

    @Slot()
    def focus_search(self) -> None:
        if not self._dispatch("focus_search"):
            self.statusBar().showMessage("This page has no search.", 4000)

    @Slot()
    def print_current(self) -> None:
        if not self._dispatch("print_current"):
            self.statusBar().showMessage("There is nothing to print on this page.", 4000)

    @Slot()
    def delete_selected(self) -> None:
        if not self._dispatch("delete_selected"):
            self.statusBar().showMessage("Nothing can be deleted on this page.", 4000)

    @Slot()
    def predict(self) -> None:
        if not self._dispatch("predict"):
            self.statusBar().showMessage("Predictions are made on the New prediction page.", 4000)

    @Slot()
    def save_current(self) -> None:
        if not self._dispatch("save"):
            self.statusBar().showMessage("This page saves each change in its own form.", 4000)

    @Slot()
    def open_preferences(self) -> None:
        dialog = PreferencesDialog(self.ctx, self)
        dialog.applied.connect(self.apply_settings)
        dialog.setModal(True)
        dialog.open()
        self._dialog = dialog

    @Slot(object)
    def apply_settings(self, settings: Settings) -> None:
        """Run with the preferences just saved: theme, idle lock and the services' settings."""
        self.ctx.settings = settings
        self.ctx.services.apply_settings(settings)
        theme.set_preference(settings.theme)
        self.idle.set_minutes(settings.idle_lock_minutes)

    @Slot()
    def open_database_tools(self) -> None:
        if not self.ctx.is_admin:
            return
        dialog = DatabaseToolsDialog(self.ctx, self)
        reasons: list[str] = []

        def leave(reason: str = "") -> None:  # after a restore or downgrade the app reopens cleanly
            reasons.append(reason or "The database was changed. Please sign in again.")
            dialog.done(0)

        dialog.sign_out_requested.connect(leave)
        dialog.exec()
        if reasons:  # only once the dialog's own event loop has ended
            self.after_database_change(reasons[0])

    def after_database_change(self, reason: str) -> None:
        """Run the start-up check again, then sign out; quit when the database cannot be used.

        A restored or downgraded database gets what a fresh start would give it (the upgrade offer,
        the too-new refusal, the repair choices) before the sign-in window comes back.
        """
        if startup.recheck_after_change(self, self.ctx.settings):
            self.leave_unattended(reason)  # chosen in the tools dialog; unsaved input waits as drafts
        else:  # the dialogs said why; with the sign-in window hidden, closing this one quits
            self.close()

    @Slot()
    def open_server_settings(self) -> None:
        """This computer's SQLite file or the clinic's PostgreSQL server (admins)."""
        if not self.ctx.is_admin:
            return
        ServerSettingsDialog(self.ctx, self).exec()

    @Slot()
    def show_help(self) -> None:
        help_dialog = HelpDialog(
            shortcuts(self._specs), self.ctx.settings.idle_lock_minutes, self.ctx.log_file, self
        )
        help_dialog.open()  # not modal: the manual can stay open beside the work
        self.help_dialog = help_dialog

    @Slot()
    def show_about(self) -> None:
        prompts.info(self, about_text(self.ctx.database_label, self.ctx.log_file), "About ClinicDesk")

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        self.busy_label.setText("Working..." if busy else "")

    def disconnect_runner(self) -> None:
        self.ctx.runner.busy_changed.disconnect(self._busy_changed)

    def _restore_state(self) -> None:
        window_state.restore_geometry(self)
        keys = self.page_keys()
        if keys:
            self.content.start(window_state.last_page(keys, self._user_id))


def _call(page: QWidget | None, method: str) -> bool:
    """Call ``page.method()`` if the page offers it (see desktop/ui/context.py); True if it did."""
    action = getattr(page, method, None)
    if callable(action):
        action()
        return True
    return False
