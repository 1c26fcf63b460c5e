"""Start-up flow before sign-in: backup + upgrade with progress, and the dialogs for a database that
needs attention. API for the start-up sequence (desktop/app/sequence.py):

    from desktop.ui.dialogs import startup
    decision = startup.check_database(settings)              # worker thread; None = ready at head
    go_on = startup.handle_startup_decision(parent, settings, decision)   # GUI thread, modal
    # go_on True -> continue to sign-in; False -> quit (the dialogs told the person why)

or in one blocking call from the GUI thread: ``startup.run_startup_flow(settings, parent=None) -> bool``.
After Database tools changed the database, the main window calls ``recheck_after_change(parent,
settings)`` before signing out (the same flow, but a database behind head is offered the upgrade).

The decisions come from desktop.services.startup (Qt-free). Each situation has its own small dialog
(desktop/ui/dialogs/startup_dialogs.py); they are shown through :func:`ask`, which tests replace to
answer without a modal event loop. Files are chosen through dialogs/prompts.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QWidget

from desktop.services import startup as startup_service
from desktop.services.startup import StartupCheck, StartupState, StartupUpgradeError
from desktop.settings import Settings, log_file_path, sqlite_file_of
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.startup_dialogs import ChoiceDialog, UpgradeProgressDialog
from desktop.ui.errors import user_message

log = logging.getLogger(__name__)

QUIT, OPEN_BACKUP, NEW_DATABASE, CONTINUE = "quit", "open_backup", "new_database", "continue"
RESTORE_NEWEST = "restore_newest"
UPGRADE = "upgrade"


def ask(dialog: ChoiceDialog) -> str:
    """Show ``dialog`` modally and return the choice made ("quit" when closed). Tests replace this."""
    dialog.exec()
    return dialog.choice


def check_database(settings: Settings, check_fingerprint: bool = True) -> StartupCheck | None:
    """Worker-thread check of the database; None when it is ready at head and unchanged by hand.

    Measured on a SQLite file at head: 37 ms in a fresh process without the fingerprint (standard
    library only); with it, SQLAlchemy is imported (which opening the services does next anyway) and
    the schema reflected: about 60 ms more once SQLAlchemy is loaded. ``check_fingerprint=False``
    skips it (then run ``check_database`` again later, e.g. after sign-in is possible, for the warning).
    """
    check = startup_service.inspect(settings.database_url, check_fingerprint=check_fingerprint)
    return None if check.state == StartupState.AT_HEAD else check


def run_startup_flow(settings: Settings, parent: QWidget | None = None) -> bool:
    """check_database + handle_startup_decision in one call (blocking, GUI thread)."""
    try:
        decision = check_database(settings)
    except Exception as error:  # unreachable server, unreadable file...: a message, never a traceback
        prompts.error(parent, "ClinicDesk cannot open the database.\n\n" + user_message(error))
        return False
    return handle_startup_decision(parent, settings, decision)


def recheck_after_change(parent: QWidget | None, settings: Settings) -> bool:
    """The start-up check again after Database tools changed the database (restore, downgrade).

    Called by the main window before it signs out, so sign-in never opens on a database this version
    cannot run on. A database left behind (a downgrade) is *offered* the upgrade rather than upgraded
    unasked: the maintainer just chose to go back, perhaps to hand the file to an older ClinicDesk.
    True to go on to sign-in; False when the person chose to quit (or the database cannot be used).
    """
    try:
        decision = check_database(settings)
    except Exception as error:  # unreachable server, unreadable file...: a message, never a traceback
        prompts.error(parent, "ClinicDesk cannot open the database.\n\n" + user_message(error))
        return False
    if decision is not None and decision.state in (StartupState.BEHIND, StartupState.MISSING):
        where = f"at revision {decision.current}" if decision.current else "empty (no tables)"
        text = (
            f"The database is now {where}; this version of ClinicDesk needs {decision.head} to run, so "
            "nobody can sign in until it is upgraded.\n\n"
            "Upgrade it now (a backup is made first), or quit and leave it as it is, for example to "
            f"open it with an older ClinicDesk.\n\nDatabase: {decision.location}"
        )
        options = [(UPGRADE, "Upgrade now"), (QUIT, "Quit ClinicDesk")]
        if ask(ChoiceDialog("Upgrade the database?", text, options, parent, icon="warning")) != UPGRADE:
            return False
    return handle_startup_decision(parent, settings, decision)


def handle_startup_decision(
    parent: QWidget | None, settings: Settings, decision: StartupCheck | None
) -> bool:
    """Show what ``decision`` needs (progress, refusal, repair choices); True to continue to sign-in."""
    if decision is None or decision.state == StartupState.AT_HEAD:
        return True
    state = decision.state
    if state == StartupState.FINGERPRINT_MISMATCH:
        return _fingerprint_warning(parent, decision)
    if state in (StartupState.MISSING, StartupState.BEHIND):
        return upgrade_with_progress(parent, settings, decision)
    if state == StartupState.TOO_NEW:
        return _too_new(parent, settings, decision)
    if state == StartupState.NOT_A_DATABASE:
        return _not_a_database(parent, settings, decision)
    if state == StartupState.CORRUPT:
        return _corrupt(parent, settings, decision)
    log.error("unknown start-up state %s", state)
    return False


# --- the situations --------------------------------------------------------------------------------


def upgrade_with_progress(parent: QWidget | None, settings: Settings, decision: StartupCheck) -> bool:
    """Backup + upgrade on a worker thread behind a progress dialog naming each revision."""
    dialog = UpgradeProgressDialog(decision, parent)
    dialog.start(startup_service.run_startup_upgrade, settings.database_url)
    dialog.exec()
    if dialog.error is None:
        return True
    error = dialog.error
    if isinstance(error, StartupUpgradeError):
        backup = str(error.backup_path) if error.backup_path else "no backup was made"
        text = (
            "ClinicDesk could not upgrade its database, so it will not start.\n\n"
            f"What happened: {error.message}\n\n"
            "Your data is safe: the database was left exactly as it was before the upgrade.\n"
            f"Backup made just before: {backup}\nLog file: {error.log_path or log_file_path()}\n\n"
            "Send the log file to your support contact."
        )
    else:
        text = (
            "ClinicDesk could not upgrade its database, so it will not start.\n\n"
            f"{user_message(error, already_logged=True)}\n\nLog file: {log_file_path()}"
        )
    ask(ChoiceDialog("The database upgrade failed", text, [(QUIT, "Quit")], parent, icon="critical"))
    return False


def _fingerprint_warning(parent: QWidget | None, decision: StartupCheck) -> bool:
    listed = "\n".join(f"  • {d}" for d in decision.differences[:12])
    more = f"\n  … and {len(decision.differences) - 12} more" if len(decision.differences) > 12 else ""
    text = (
        "The structure of the database differs from what its revision should have; someone may have "
        f"changed it by hand.\n\n{listed}{more}\n\nClinicDesk will start, but an administrator should "
        "open Tools > Database tools and run the integrity check."
    )
    choice = ask(
        ChoiceDialog(
            "Database changed outside ClinicDesk",
            text,
            [(CONTINUE, "Continue"), (QUIT, "Quit")],
            parent,
            icon="warning",
        )
    )
    return choice == CONTINUE


def _too_new(parent: QWidget | None, settings: Settings, decision: StartupCheck) -> bool:
    text = (
        f"{decision.message}\n\nThis copy of ClinicDesk is older than the one that last used this "
        "database, and it will not change it. Install the newer ClinicDesk, or open a backup made before "
        f"the upgrade (the current database is kept as a backup first).\n\nDatabase: {decision.location}"
    )
    while True:
        choice = ask(
            ChoiceDialog(
                "Database made by a newer ClinicDesk",
                text,
                [(OPEN_BACKUP, "Open a backup…"), (QUIT, "Quit")],
                parent,
                icon="warning",
            )
        )
        if choice != OPEN_BACKUP:
            return False
        if _restore_chosen_backup(parent, settings):
            return run_startup_flow(settings, parent)


def _not_a_database(parent: QWidget | None, settings: Settings, decision: StartupCheck) -> bool:
    path = sqlite_file_of(settings.database_url)
    options = [(OPEN_BACKUP, "Restore a backup…")]
    if path is not None:
        options.append((NEW_DATABASE, "Start a new database"))
    options.append((QUIT, "Quit"))
    keep = "The damaged file is never deleted: it is kept next to it under a new name." if path else ""
    text = f"ClinicDesk cannot use the database at {decision.location}.\n\n{decision.message}\n\n{keep}"
    while True:
        choice = ask(ChoiceDialog("The database cannot be used", text, options, parent, icon="critical"))
        if choice == OPEN_BACKUP:
            if _restore_chosen_backup(parent, settings, damaged=True):
                return run_startup_flow(settings, parent)
            continue
        if choice == NEW_DATABASE and path is not None:
            try:
                kept = startup_service.quarantine_corrupt(path)
            except OSError as error:
                prompts.error(parent, f"The damaged file could not be renamed: {error.strerror or error}.")
                continue
            prompts.info(
                parent, f"The damaged file was kept as:\n{kept}\n\nA new, empty database will be made."
            )
            return run_startup_flow(settings, parent)
        return False


def _corrupt(parent: QWidget | None, settings: Settings, decision: StartupCheck) -> bool:
    """A damaged ClinicDesk database: say what is wrong and offer the newest good backup in one click."""
    options = []
    if decision.backup is not None:
        options.append((RESTORE_NEWEST, "Restore the newest good backup"))
    options += [(OPEN_BACKUP, "Restore another backup…"), (QUIT, "Quit")]
    text = f"{decision.message}\n\nDatabase: {decision.location}"
    while True:
        choice = ask(ChoiceDialog("The database is damaged", text, options, parent, icon="critical"))
        if choice == RESTORE_NEWEST and decision.backup is not None:
            if _restore_backup(parent, settings, decision.backup, damaged=True):
                return run_startup_flow(settings, parent)
            continue
        if choice == OPEN_BACKUP:
            if _restore_chosen_backup(parent, settings, damaged=True):
                return run_startup_flow(settings, parent)
            continue
        return False


def _restore_chosen_backup(parent: QWidget | None, settings: Settings, damaged: bool = False) -> bool:
    """Let the person pick a backup file and put it in place; True when it was restored."""
    try:
        folder = str(startup_service.backups_folder())
    except Exception:  # an unusable data folder: the file dialog starts wherever it likes
        folder = ""
    chosen = prompts.open_file(
        parent, "Choose a ClinicDesk backup", "ClinicDesk databases (*.db);;All files (*)", folder
    )
    if not chosen:
        return False
    return _restore_backup(parent, settings, Path(chosen), damaged)


def _restore_backup(parent: QWidget | None, settings: Settings, chosen: Path, damaged: bool) -> bool:
    """Put ``chosen`` in place as the person at this computer, before anyone can sign in (they can
    already replace the file itself); a damaged current file is kept under a new name first."""
    path = sqlite_file_of(settings.database_url)
    try:
        startup_service.validate_backup(chosen)  # refuse before the damaged file is moved aside
        if damaged and path is not None and path.exists():
            startup_service.quarantine_corrupt(path)
        result = startup_service.restore_backup(settings.database_url, chosen)
    except Exception as error:
        prompts.error(parent, "The backup could not be restored.\n\n" + user_message(error))
        return False
    prompts.info(parent, f"The backup {chosen.name} was put in place.\n\n{result}")
    return True
