"""Shared fixtures for the Qt tests (also used by the prediction/screening page tests).

Everything is real: a SQLite file in tmp_path brought to head by the real Alembic migrations (done
once per session into a template file that each test copies, to keep the suite fast), the real
services with bcrypt cost 4, and real widgets offscreen.

Fixtures:
- ``ui_db_url``: URL of a fresh migrated SQLite file for this test.
- ``services``: ``Services`` over it (closed afterwards).
- ``runner``: the worker bridge; ``make_ctx(services)`` builds a UiContext.
- ``admin_session`` / ``user_session``: SessionInfo of the first admin and of a normal user
  (``USER_EMAIL`` / ``USER_PASSWORD``) who has a few records and family entries.
- ``signed_in_ctx``: UiContext signed in as that normal user; ``admin_ctx``: signed in as the admin.
- ``no_dialogs``: replaces every function of dialogs/prompts.py with a recorder (answers
  ``confirm`` with ``no_dialogs.answer``), so a stray modal dialog cannot hang a test.

Helpers (plain functions, imported by the tests): ``show_main_window(qtbot, ctx)``,
``wait_idle(qtbot, ctx)``, ``bulk_add_records(...)``.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from desktop.app import AppController
from desktop.db import migrate
from desktop.db.models import MedicalRecord
from desktop.db.types import utcnow
from desktop.domain.dto import FamilyDraft, RecordDraft
from desktop.domain.enums import Role
from desktop.domain.patient_dto import PatientDraft
from desktop.services.container import Services
from desktop.settings import Settings
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.patients import PatientsPage
from desktop.ui.workers import Runner

ADMIN_EMAIL = "admin@clinic.example"
ADMIN_NAME = "Ada Admin"
ADMIN_PASSWORD = "admin-pass-4321"
USER_EMAIL = "pat@clinic.example"
USER_NAME = "Pat Patient"
USER_PASSWORD = "patient-pass-8765"
BCRYPT_ROUNDS = 4


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file at head, made by the real migrations; tests copy it."""

    folder = tmp_path_factory.mktemp("template")
    old = os.environ.get("CLINICDESK_DATA_DIR")
    os.environ["CLINICDESK_DATA_DIR"] = str(folder / "data")
    try:
        path = folder / "template.db"
        migrate.upgrade(f"sqlite:///{path}")
    finally:
        if old is None:
            os.environ.pop("CLINICDESK_DATA_DIR", None)
        else:
            os.environ["CLINICDESK_DATA_DIR"] = old
    return path


@pytest.fixture
def ui_db_url(migrated_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "clinic.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def ui_settings(ui_db_url: str) -> Settings:
    # Self-registration on: ``user_session`` registers its patient as a kiosk would.
    return Settings(database_url=ui_db_url, idle_lock_minutes=10, self_registration=True)


@pytest.fixture
def services(ui_db_url: str, ui_settings: Settings) -> Iterator[Any]:

    svc = Services.create(ui_db_url, ui_settings, bcrypt_rounds=BCRYPT_ROUNDS)
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def runner(qapp: Any) -> Iterator[Any]:

    r = Runner()
    yield r
    r.wait_for_done(10_000)
    # deliver queued results so no callback fires into a deleted widget of the next test

    QCoreApplication.processEvents()
    r.deleteLater()


@pytest.fixture
def make_ctx(services: Any, ui_settings: Settings, runner: Any):

    def make(session: Any = None) -> UiContext:
        ctx = UiContext(services, ui_settings, runner)
        if session is not None:
            ctx.set_session(session)
        return ctx

    return make


@pytest.fixture
def admin_session(services: Any) -> Any:
    services.auth.create_first_admin(ADMIN_EMAIL, ADMIN_NAME, ADMIN_PASSWORD)
    return services.auth.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def user_session(services: Any, admin_session: Any) -> Any:
    """A normal user with three records and two family-history entries."""
    services.auth.register(USER_EMAIL, USER_NAME, USER_PASSWORD)
    session = services.auth.sign_in(USER_EMAIL, USER_PASSWORD)
    for day, kind, status in (
        ("2026-01-05", "Blood test", "normal"),
        ("2026-02-10", "Mammogram", "abnormal"),
        ("2026-03-15", "Biopsy", "pending"),
    ):
        services.records.create(
            session.token,
            RecordDraft(date=day, type=kind, result="see notes", doctor="Dr. Grey", notes="", status=status),
        )
    services.family.create(session.token, FamilyDraft(relation="Mother", age=62, condition="Breast cancer"))
    services.family.create(session.token, FamilyDraft(relation="Father", age=65, condition="Hypertension"))
    return session


@pytest.fixture
def signed_in_ctx(make_ctx: Any, user_session: Any) -> Any:
    return make_ctx(user_session)


@pytest.fixture
def admin_ctx(make_ctx: Any, admin_session: Any) -> Any:
    return make_ctx(admin_session)


class PromptRecorder:
    """Stands in for dialogs/prompts.py: records every call, answers questions from attributes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []
        self.answer = True
        self.text: str | None = None
        self.file: str | None = None
        self.choice: int | None = None

    def messages(self, kind: str | None = None) -> list[str]:
        return [str(args[1]) for name, args, _ in self.calls if kind in (None, name) and len(args) > 1]

    def _record(self, name: str, result: Any):
        def fn(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return result() if callable(result) else result

        return fn


@pytest.fixture
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> PromptRecorder:

    rec = PromptRecorder()
    for name in ("info", "warn", "error"):
        monkeypatch.setattr(prompts, name, rec._record(name, None))
    monkeypatch.setattr(prompts, "confirm", rec._record("confirm", lambda: rec.answer))
    monkeypatch.setattr(prompts, "ask_text", rec._record("ask_text", lambda: rec.text))
    monkeypatch.setattr(prompts, "choose", rec._record("choose", lambda: rec.choice))
    for name in ("open_file", "save_file", "choose_folder"):
        monkeypatch.setattr(prompts, name, rec._record(name, lambda: rec.file))
    return rec


# The offscreen platform plugin warns when a top-level window is shown; it says nothing about our code.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


def bulk_add_records(services: Any, user_id: str, n: int, start: int = 0) -> None:
    """Insert ``n`` records for ``user_id`` in one transaction (fast set-up for paging tests).

    Goes straight to the table, as an import of old data would; the services read them back.
    """

    now = utcnow()
    rows = [
        {
            "user_id": user_id,
            "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "type": f"Test {i:06d}",
            "result": "within range",
            "doctor": "Dr. Bulk",
            "notes": "",
            "status": "normal",
            "status_color": "#10b981",
            "created_at": now,
            "version_id": 1,
        }
        for i in range(start, start + n)
    ]
    with services.database.engine.begin() as conn:
        conn.execute(MedicalRecord.__table__.insert(), rows)


def show_main_window(qtbot: Any, ctx: UiContext) -> MainWindow:
    """The main window, shown; a signed-in patient's own chart open (it opens on a worker thread)."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    if ctx.user.role is Role.PATIENT:
        with qtbot.waitSignal(window.chart_opened, timeout=10_000):
            window.show()
    else:
        window.show()
    return window


def wait_idle(qtbot: Any, ctx: UiContext, timeout: int = 10_000) -> None:
    """Until no work that ``ctx`` started on a worker thread is still running."""
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=timeout)


def open_chart_from_list(qtbot: Any, window: MainWindow, patient_id: str) -> list[Any]:
    """Open ``patient_id``'s chart as a double-click or Enter on the Patients page does; the
    arguments ``chart_opened`` carried."""
    patients = window.show_page("patients")
    assert isinstance(patients, PatientsPage)
    with qtbot.waitSignal(window.chart_opened, timeout=10_000) as opened:
        patients.patient_chosen.emit(patient_id)
    return list(opened.args)


@pytest.fixture
def make_controller(qapp: Any, ui_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make_controller()``: the real AppController over this test's database, as ``run_gui`` builds
    it; closing its windows does not end the test run. Each is shut down when the test ends."""
    monkeypatch.delenv("CLINICDESK_EXIT_AFTER_SHOWN", raising=False)
    made: list[AppController] = []

    def make() -> AppController:
        app_controller = AppController(qapp, ui_db_url)
        app_controller.login.rejected.disconnect()  # closing windows must not quit the test run
        made.append(app_controller)
        return app_controller

    yield make
    for app_controller in made:
        app_controller.runner.wait_for_done(10_000)
        if app_controller.main_window is not None:
            app_controller.main_window.close()
        app_controller.login.close()
        app_controller.shutdown()
        app_controller.deleteLater()


STAFF_PASSWORD = "staff-password-123"


@pytest.fixture
def staff_ctx(services: Any, admin_session: Any, make_ctx: Any):
    """``staff_ctx(role)``: a UiContext signed in as a new account of ``role`` (named by its label)."""

    def make(role: Any) -> UiContext:
        email = f"{role.value}@clinic.example"
        services.users.create_user(admin_session.token, email, role.label, "given-" + STAFF_PASSWORD, role)
        session = services.auth.sign_in(email, "given-" + STAFF_PASSWORD)
        # The person chooses their own password first, as the app asks before any page.
        services.auth.set_required_password(session.token, STAFF_PASSWORD)
        return make_ctx(dataclasses.replace(session, must_change_password=False))

    return make


@pytest.fixture
def two_patients(services: Any, admin_session: Any) -> tuple[Any, Any]:
    """Two registered patients without portal access: María José García López (MRN 000123) and
    John Smith (MRN 000456)."""
    token = admin_session.token
    first = services.patients.register(
        token,
        PatientDraft(
            given_names="María José", family_name="García López", date_of_birth="1945-07-14",
            sex="female", mrn="000123",
        ),
    )  # fmt: skip
    second = services.patients.register(
        token,
        PatientDraft(
            given_names="John", family_name="Smith", date_of_birth="1980-03-02", sex="male", mrn="000456"
        ),
    )
    return first, second
