"""The part of the main window that interrupts or ends a session: the lock screen, signing out,
switching user and quitting, with the input not yet saved that each of them asks about or keeps.

- The idle lock (and Ctrl+L) only hides: the pages and their open dialogs come back on unlock, so it
  asks nothing.
- Signing out from the menu and quitting (File > Quit, the title bar's close button) are the signed-in
  person's own acts: when a page holds input not yet saved they are asked once, naming it; Cancel
  leaves everything as it was. A ``close()`` from code (after a sign-out, when the database cannot be
  used) has already been decided and asks nothing.
- Leaving from the lock screen ("Switch user", "Sign out") and a session that ends by itself (it
  expired, the account was locked, the database was changed) happen with the owner of the input
  possibly away: the next person is not asked about someone else's data. The owner's unsaved input is
  kept as drafts in the run-long ``DraftStore`` instead, and given back when they sign in again on
  this desk and open the same page of the same chart (unsaved.py, drafts.py).

Emits ``signed_out(reason)``; the app then shows the sign-in window again.
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QStackedWidget, QWidget

from desktop.domain.errors import SessionExpiredError
from desktop.ui import window_state
from desktop.ui.context import UiContext
from desktop.ui.idle import IdleWatcher
from desktop.ui.lock_screen import LockScreen
from desktop.ui.main_menus import MainMenus
from desktop.ui.page_area import PageArea
from desktop.ui.unsaved import DraftKeeper, confirm_discard

log = logging.getLogger(__name__)

#: How long a note about kept drafts ("Restored unsaved input from 14:05.") stays in the status bar.
RESTORED_NOTE_MS = 30_000


class SessionWindow(QMainWindow):
    signed_out = Signal(str)
    menus: MainMenus  # built by the subclass; the lock disables it

    def __init__(
        self, ctx: UiContext, content: PageArea, keeper: DraftKeeper, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.content = content
        self.keeper = keeper
        self._closing_for_sign_out = False
        self._quit_asked = False  # File > Quit asked already: closeEvent does not ask again
        self._disconnected = False
        self._hidden_dialogs: list[QDialog] = []  # dialogs hidden by the lock screen
        # Kept: the session is cleared before closeEvent saves this person's last page.
        self._user_id = ctx.user.id if ctx.user else ""

        content.drafts_note.connect(self._drafts_note)
        self.lock_screen = LockScreen(ctx)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.sign_out_requested.connect(self.leave_unattended)
        self.lock_screen.switch_user_requested.connect(self.switch_user)
        self.central = QStackedWidget()
        self.central.addWidget(content)
        self.central.addWidget(self.lock_screen)
        self.setCentralWidget(self.central)
        self.idle = IdleWatcher(ctx.settings.idle_lock_minutes, self)
        self.idle.idle.connect(self.lock)
        ctx.runner.session_expired.connect(self._session_expired)

    # --- lock --------------------------------------------------------------------------------------

    def is_locked(self) -> bool:
        return self.central.currentWidget() is self.lock_screen

    @Slot()
    def lock(self) -> None:
        if self.is_locked():
            return
        self.idle.set_enabled(False)
        self.menus.set_enabled(False)
        self.content.sidebar.setEnabled(False)
        # Open dialogs (an edit form, a history) would stay readable over the lock screen and, being
        # window-modal, would block its password field: hide them now, show them again on unlock.
        self._hidden_dialogs = [d for d in self.findChildren(QDialog) if d.isVisible()]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        self.lock_screen.prepare()
        self.central.setCurrentWidget(self.lock_screen)
        self.setWindowTitle("ClinicDesk - Locked")  # the task bar says so too
        self.lock_screen.password.setFocus()
        log.info("screen locked")

    @Slot()
    def unlock(self) -> None:
        self.menus.set_enabled(True)
        self.content.sidebar.setEnabled(True)
        self.central.setCurrentWidget(self.content)
        self.setWindowTitle(self.content.title())
        self.idle.set_enabled(True)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        key = self.content.current_key()
        refresh = getattr(self.content.pages.get(key) if key else None, "refresh", None)
        if callable(refresh):
            refresh()
        log.info("screen unlocked")

    # --- leaving -----------------------------------------------------------------------------------

    def unsaved(self) -> list[str]:
        """Everything this person would lose by leaving now: their pages' unsaved input and the
        drafts kept for them from an earlier session that they have not opened again."""
        return self.content.unsaved() + self.keeper.waiting()

    def may_discard(self, then: str) -> bool:
        """True when nothing is unsaved, or the person at the keyboard chose to discard it and
        ``then`` ("sign out") go on; their kept drafts are dropped with it."""
        items = self.unsaved()
        if not items:
            return True
        if not confirm_discard(self, items, then):
            return False
        self.keeper.drop()
        return True

    @Slot(str)
    def sign_out(self, reason: str = "") -> None:
        """File > Sign out: asks first about unsaved input, then ends the session."""
        if self._closing_for_sign_out or not self.may_discard("sign out"):
            return
        self._end_session(reason)

    @Slot(str)
    def leave_unattended(self, reason: str = "") -> None:
        """End the session without asking: the owner's unsaved input is kept as drafts for them."""
        if self._closing_for_sign_out:
            return
        kept = self.keeper.keep(self.content.built_pages())
        if kept:
            log.info("kept %d draft(s) of the signed-out person", kept)
        for dialog in self._hidden_dialogs:
            dialog.reject()
        self._hidden_dialogs = []
        self._end_session(reason)

    @Slot()
    def switch_user(self) -> None:
        """From the lock screen: end this session so the next person can sign in (see the module
        docstring: nobody is asked, the owner's unsaved input waits for them as drafts)."""
        self.leave_unattended("")

    @Slot()
    def quit(self) -> None:
        """File > Quit: asks first about unsaved input (``closeEvent`` then asks no more)."""
        if self.may_discard("quit ClinicDesk"):
            self._quit_asked = True
            self.close()

    @Slot()
    def _session_expired(self) -> None:
        """A job failed because a session ended. The worker pool is the app's, so the session may
        be that of whoever sat here before (a job of theirs can finish after they left): leave only
        when this window's own session is over, which the service says."""
        token = self.ctx.session.token if self.ctx.session else None
        if token is None or self._closing_for_sign_out:
            return
        self.ctx.runner.run(
            partial(self.ctx.services.auth.current_user, token),
            on_error=lambda error: self._own_session_checked(error),
        )

    def _own_session_checked(self, error: BaseException) -> None:
        if isinstance(error, SessionExpiredError):
            self.leave_unattended("Your session has ended. Please sign in again.")

    def _end_session(self, reason: str) -> None:
        """End the session (on the worker pool), close this window and hand back to the app."""
        self._closing_for_sign_out = True
        token = self.ctx.session.token if self.ctx.session else None
        if token:
            self.ctx.runner.run(partial(self.ctx.services.auth.sign_out, token), on_error=lambda _e: None)
        self.ctx.clear_session()
        self.close()
        self.signed_out.emit(reason)

    @Slot(str)
    def _drafts_note(self, note: str) -> None:
        self.statusBar().showMessage(note, RESTORED_NOTE_MS)

    # --- state -------------------------------------------------------------------------------------

    def save_state(self) -> None:
        window_state.save(self, self.content.current_key(), self._user_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        quitting = not self._closing_for_sign_out
        # The title bar's close button and Alt+F4 arrive as spontaneous events; File > Quit asked.
        asks = quitting and event.spontaneous() and not self._quit_asked
        if asks and not self.may_discard("quit ClinicDesk"):
            event.ignore()
            return
        self.save_state()
        self.idle.stop()
        if not self._disconnected:  # a window can be closed twice (sign-out, then the app's teardown)
            self._disconnected = True
            self.ctx.runner.session_expired.disconnect(self._session_expired)
            self.disconnect_runner()
        if quitting:
            self._closing_for_sign_out = True
            token = self.ctx.session.token if self.ctx.session else None
            if token:  # quitting: end the session too, synchronously is fine at exit
                try:
                    self.ctx.services.auth.sign_out(token)
                except Exception:
                    log.exception("sign-out at exit failed")
                self.ctx.clear_session()
        super().closeEvent(event)

    def disconnect_runner(self) -> None:
        """Disconnect the subclass's own runner signals when the window closes."""
