"""Which pages the main window offers, in sidebar order, who sees each, and how each is built.

Pages come in two kinds. Chart pages (Profile, Medical records, Family history, the prediction
pages) belong to one patient: they are built for the chart that is open, under its banner, and
thrown away with it, so nothing typed in one chart can be saved into another. The other pages
(Patients, Batch screening, the administrators' pages) belong to the person signed in.

Who sees a page follows the access policy (``access_policy.allowed``): a page whose action the
policy refuses to this role is not offered (the services refuse it anyway). Each page's module is
imported the first time the page is shown (in its builder below), so opening the main window costs
only what the first page needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from desktop.domain.enums import Role
from desktop.domain.patient_dto import PatientDTO
from desktop.services.access_policy import Action, allowed
from desktop.settings import Settings
from desktop.ui.context import UiContext

#: (context, the chart's patient or None for a page that is not a chart page) -> the page
PageBuilder = Callable[[UiContext, PatientDTO | None], QWidget]

STAFF = frozenset({Role.RECEPTION, Role.CLINICIAN, Role.ADMIN})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class PageSpec:
    key: str  # stable id, stored in QSettings as the last page
    title: str  # sidebar text
    build: PageBuilder
    action: Action  # what the page does; it is offered only to roles the policy allows it
    chart: bool = False  # one patient's page, shown under the patient banner
    roles: frozenset[Role] = EVERYONE  # the roles the page is meant for at all
    shortcut: str = ""

    def offered_to(self, role: Role, settings: Settings) -> bool:
        return role in self.roles and allowed(role, self.action, settings)


# The imports below sit inside the builders on purpose: see the module docstring.


def _patients(ctx: UiContext, _patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.patients import PatientsPage

    return PatientsPage(ctx)


def _profile(ctx: UiContext, patient: PatientDTO | None) -> QWidget:
    user = ctx.user
    if user is not None and user.role is Role.PATIENT:  # their own details and password
        from desktop.ui.pages.profile import ProfilePage

        return ProfilePage(ctx, patient)
    from desktop.ui.pages.patient_details import PatientDetailsPage

    return PatientDetailsPage(ctx, patient)


def _records(ctx: UiContext, patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.records import RecordsPage

    return RecordsPage(ctx, patient)


def _family(ctx: UiContext, patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.family import FamilyPage

    return FamilyPage(ctx, patient)


def _new_prediction(ctx: UiContext, patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.new_prediction import NewPredictionPage

    return NewPredictionPage(ctx, patient)


def _prediction_history(ctx: UiContext, patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.prediction_history import PredictionHistoryPage

    return PredictionHistoryPage(ctx, patient)


def _screening(ctx: UiContext, _patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.screening import ScreeningPage

    return ScreeningPage(ctx)


def _users(ctx: UiContext, _patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.users import UsersPage

    return UsersPage(ctx)


def _audit(ctx: UiContext, _patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.audit import AuditPage

    return AuditPage(ctx)


def _access_log(ctx: UiContext, _patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.access_log import AccessLogPage

    return AccessLogPage(ctx)


def _my_access_log(ctx: UiContext, _patient: PatientDTO | None) -> QWidget:
    from desktop.ui.pages.access_log import MyAccessLogPage

    return MyAccessLogPage(ctx)


A = Action
PAGES: tuple[PageSpec, ...] = (
    PageSpec("patients", "Patients", _patients, A.PATIENTS_SEARCH, roles=STAFF, shortcut="Ctrl+0"),
    PageSpec("profile", "Profile", _profile, A.PATIENTS_READ, chart=True, shortcut="Ctrl+1"),
    PageSpec("records", "Medical records", _records, A.CHART_READ_MEDICAL, chart=True, shortcut="Ctrl+2"),
    PageSpec("family", "Family history", _family, A.CHART_READ_MEDICAL, chart=True, shortcut="Ctrl+3"),
    PageSpec(
        "new_prediction", "New prediction", _new_prediction, A.PREDICTIONS_RUN, chart=True, shortcut="Ctrl+4"
    ),
    PageSpec(
        "prediction_history",
        "Prediction history",
        _prediction_history,
        A.CHART_READ_MEDICAL,
        chart=True,
        shortcut="Ctrl+5",
    ),
    PageSpec("screening", "Batch screening", _screening, A.PREDICTIONS_RUN, shortcut="Ctrl+6"),
    PageSpec("users", "Users", _users, A.ACCOUNTS_MANAGE, shortcut="Ctrl+7"),
    PageSpec("audit", "Audit log", _audit, A.AUDIT_READ, shortcut="Ctrl+8"),
    PageSpec("access_log", "Access log", _access_log, A.ACCESS_LOG_READ, shortcut="Ctrl+9"),
    PageSpec(
        "my_access_log",
        "Who opened my chart",
        _my_access_log,
        A.ACCESS_LOG_READ_OWN,
        roles=frozenset({Role.PATIENT}),
        shortcut="Ctrl+9",
    ),
)


def pages_for(role: Role, settings: Settings) -> list[PageSpec]:
    """The pages this role may open, in sidebar order (the services refuse the others themselves)."""
    return [spec for spec in PAGES if spec.offered_to(role, settings)]
