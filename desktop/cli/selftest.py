"""``clinicdesk --self-test``: prove an installed copy works, headless, in a throw-away folder.

Why it exists: a frozen bundle can build fine and still miss a migration script, the model file, a Qt
plugin or a hidden import. This runs the real code paths once - Alembic upgrade / downgrade / upgrade
of a new SQLite file, bcrypt account creation and sign-in, an onnxruntime prediction on two known
cases, and every main page built and painted offscreen - and prints one summary line. It works the
same from source and frozen because every file is found through desktop.paths.resource_path.

Each step imports what it exercises inside itself: a module missing from a bundle (a hidden import
PyInstaller did not see) then fails that step by name, instead of stopping the self-test before it
starts with a bare traceback.

Exit code 0 when every step passed; otherwise 1, after printing the failing step and its error.
Nothing touches the user's data folder: CLINICDESK_DATA_DIR points at a temporary folder for the run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import desktop

SUMMARY_PREFIX = "ClinicDesk self-test"
#: bcrypt cost for the throw-away account: the self-test proves bcrypt works, not how slow cost 12 is.
SELF_TEST_BCRYPT_ROUNDS = 4
ADMIN_EMAIL = "selftest@clinicdesk.invalid"
CLINICIAN_EMAIL = "selftest-clinician@clinicdesk.invalid"
ADMIN_PASSWORD = "Self-test passw0rd!"
CLINICIAN_PASSWORD = "Self-test clinician passw0rd!"


class CheckFailedError(Exception):
    """A self-test check did not hold (as opposed to an unexpected exception)."""


class SelfTest:
    """The steps, in order; each stores what later steps need on ``self``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"sqlite:///{(folder / 'selftest.db').as_posix()}"
        self.timings: list[tuple[str, float]] = []
        self.services: Any = None
        self.session: Any = None
        self.clinician: Any = None
        self.patient_id = ""
        self.pages: list[str] = []
        self.qt_messages: list[str] = []

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("resources", self.check_resources),
            ("migrate", self.migrate),
            ("account", self.create_account),
            ("sign-in", self.sign_in),
            ("predict", self.predict),
            ("pages", self.render_pages),
        ]

    # --- steps ---------------------------------------------------------------------------------------

    def check_resources(self) -> None:
        from desktop.paths import resource_path

        for parts in (
            ("alembic", "env.py"),
            ("alembic", "versions"),
            ("onnx_model", "model.onnx"),
            ("onnx_model", "model.json"),
        ):
            resource_path(*parts)  # raises FileNotFoundError naming every place looked at

    def migrate(self) -> None:
        """Create the database at head, go all the way down to base, and up to head again."""
        from desktop.db import migrate

        first = migrate.upgrade(self.url)
        head = migrate.head_revision()
        if first.after != head:
            raise CheckFailedError(f"upgrade ended at {first.after}, expected head {head}")
        down = migrate.downgrade(self.url, "base")
        if down.after is not None:
            raise CheckFailedError(f"downgrade to base ended at {down.after}")
        again = migrate.upgrade(self.url)
        if again.after != head or not migrate.status(self.url).at_head:
            raise CheckFailedError(f"second upgrade ended at {again.after}, expected head {head}")

    def create_account(self) -> None:
        from desktop.services.container import Services
        from desktop.settings import Settings

        self.services = Services.create(
            self.url, Settings(database_url=self.url), bcrypt_rounds=SELF_TEST_BCRYPT_ROUNDS
        )
        if self.services.auth.has_any_user():
            raise CheckFailedError("a brand-new database already has accounts")
        self.services.auth.create_first_admin(ADMIN_EMAIL, "Self Test", ADMIN_PASSWORD)

    def sign_in(self) -> None:
        from desktop.domain.errors import AuthenticationError

        try:
            self.services.auth.sign_in(ADMIN_EMAIL, "not the password")
        except AuthenticationError:
            pass
        else:
            raise CheckFailedError("a wrong password was accepted")
        self.session = self.services.auth.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
        if not self.session.user.is_admin:
            raise CheckFailedError("the first account is not an administrator")

    def predict(self) -> None:
        """Two real rows of the training data (UCI ids 842302 malignant, 8510426 benign), run by a
        clinician for a registered patient, the way a clinic uses them."""
        from desktop.domain.enums import Diagnosis, Role
        from desktop.domain.patient_dto import PatientDraft
        from desktop.ui.sample_cases import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

        admin = self.session.token
        self.services.users.create_user(
            admin, CLINICIAN_EMAIL, "Self Test Clinician", ADMIN_PASSWORD, Role.CLINICIAN
        )
        self.clinician = self.services.auth.sign_in(CLINICIAN_EMAIL, ADMIN_PASSWORD)
        token = self.clinician.token
        # An account an administrator made chooses its own password before anything else.
        self.services.auth.set_required_password(token, CLINICIAN_PASSWORD)
        patient = self.patient_id = self.services.patients.register(
            token, PatientDraft(given_names="Self", family_name="Test")
        ).id
        for expected, case in ((Diagnosis.MALIGNANT, MALIGNANT_EXAMPLE), (Diagnosis.BENIGN, BENIGN_EXAMPLE)):
            result = self.services.predictions.make_prediction(token, case, patient_id=patient)
            got = getattr(result.prediction, "value", result.prediction)
            if got != expected.value:
                raise CheckFailedError(f"known {expected.value.lower()} case predicted {got}")
        saved = self.services.predictions.save(token, BENIGN_EXAMPLE, notes="self-test", patient_id=patient)
        if (
            self.services.predictions.get(token, saved.id, patient_id=patient).prediction
            != Diagnosis.BENIGN.value
        ):
            raise CheckFailedError("the saved prediction did not read back")

    def render_pages(self) -> None:
        """Build the main window and paint every page offscreen once: the administrator's pages, then
        a clinician's with the self-test patient's chart open (chart pages exist only then).

        Qt's own messages (the offscreen plugin warns about window hints it ignores) are kept in
        ``self.qt_messages`` and shown only if the step fails, so a passing run prints one line.
        """
        from PySide6.QtCore import qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        from desktop.ui.context import UiContext
        from desktop.ui.main_window import MainWindow
        from desktop.ui.workers import Runner

        previous = qInstallMessageHandler(lambda _kind, _context, text: self.qt_messages.append(text))
        app = QApplication.instance() or QApplication([sys.argv[0]])
        runner = Runner()
        try:
            for session, patient in ((self.session, None), (self.clinician, self.patient_id)):
                ctx = UiContext(self.services, self.services.settings, runner)
                ctx.set_session(session)
                window = MainWindow(ctx)
                try:
                    window.resize(1100, 750)
                    window.show()
                    if patient is not None:
                        window.choose_patient(patient)
                        _settle(app, runner)
                    for key in window.page_keys():
                        page = window.show_page(key) or window.page(key)
                        _settle(app, runner)
                        if page is None and patient is None:
                            continue  # a chart page: painted in the pass with a chart open
                        if page is None:
                            raise CheckFailedError(f"page {key!r} was not built")
                        if window.grab().isNull():
                            raise CheckFailedError(f"page {key!r} could not be painted")
                        if key not in self.pages:
                            self.pages.append(key)
                finally:
                    window.close()
                    _settle(app, runner)
                    window.deleteLater()
                    app.processEvents()
        finally:
            qInstallMessageHandler(previous)


def _settle(app: Any, runner: Any, timeout: float = 30.0) -> None:
    """Let the page's background jobs finish and their results reach the widgets."""
    deadline = time.monotonic() + timeout
    app.processEvents()
    while runner.is_running() and time.monotonic() < deadline:
        runner.wait_for_done(50)
        app.processEvents()
    app.processEvents()
    if runner.is_running():
        raise CheckFailedError("a page's background work did not finish within 30 s")


def _run_mode() -> str:
    """'frozen' (PyInstaller bundle), 'installed' (a wheel: resources in desktop/_bundled) or 'source'."""
    if getattr(sys, "frozen", False):
        return "frozen"
    return "installed" if (Path(desktop.__file__).resolve().parent / "_bundled").is_dir() else "source"


def run_self_test() -> int:
    """Run every step; print one summary line; 0 when all passed, 1 with the failing step otherwise."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="clinicdesk-selftest-") as tmp:
        folder = Path(tmp)
        previous_data_dir = os.environ.get("CLINICDESK_DATA_DIR")
        os.environ["CLINICDESK_DATA_DIR"] = str(folder / "data")
        test = SelfTest(folder)
        try:
            for name, step in test.steps():
                begun = time.perf_counter()
                try:
                    step()
                except Exception as error:  # the point is to report it, whatever it is
                    detail = str(error) or type(error).__name__
                    print(
                        f"{SUMMARY_PREFIX} FAILED at step '{name}': {type(error).__name__}: {detail}",
                        file=sys.stderr,
                    )
                    if not isinstance(error, CheckFailedError | FileNotFoundError):
                        traceback.print_exc(file=sys.stderr)
                    for message in test.qt_messages:
                        print(f"  Qt: {message}", file=sys.stderr)
                    return 1
                test.timings.append((name, time.perf_counter() - begun))
        finally:
            if test.services is not None:
                test.services.close()
            if previous_data_dir is None:
                os.environ.pop("CLINICDESK_DATA_DIR", None)
            else:
                os.environ["CLINICDESK_DATA_DIR"] = previous_data_dir
    total = time.perf_counter() - started
    mode = _run_mode()
    steps = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in test.timings)
    print(
        f"{SUMMARY_PREFIX} passed ({mode}): {len(test.timings)} steps, {len(test.pages)} pages "
        f"in {total:.2f}s [{steps}]"
    )
    return 0
