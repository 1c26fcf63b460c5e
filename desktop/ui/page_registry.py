"""Which pages the main window offers, in sidebar order, and how each is built.

Each page's module is imported the first time the page is shown (in its builder below), so opening
the main window costs only what the first page needs: the charts of the prediction pages and the
batch-screening tables load when someone opens them. A page that fails to import or to build raises,
like any other fault (logged, with an apology on screen).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from desktop.ui.context import UiContext

PageBuilder = Callable[[UiContext], QWidget]


@dataclass(frozen=True)
class PageSpec:
    key: str  # stable id, stored in QSettings as the last page
    title: str  # sidebar text
    build: PageBuilder
    admin_only: bool = False
    shortcut: str = ""


# The imports below sit inside the builders on purpose: see the module docstring.


def _profile(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.profile import ProfilePage

    return ProfilePage(ctx)


def _records(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.records import RecordsPage

    return RecordsPage(ctx)


def _family(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.family import FamilyPage

    return FamilyPage(ctx)


def _new_prediction(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.new_prediction import NewPredictionPage

    return NewPredictionPage(ctx)


def _prediction_history(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.prediction_history import PredictionHistoryPage

    return PredictionHistoryPage(ctx)


def _screening(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.screening import ScreeningPage

    return ScreeningPage(ctx)


def _users(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.users import UsersPage

    return UsersPage(ctx)


def _audit(ctx: UiContext) -> QWidget:
    from desktop.ui.pages.audit import AuditPage

    return AuditPage(ctx)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("profile", "Profile", _profile, shortcut="Ctrl+1"),
    PageSpec("records", "Medical records", _records, shortcut="Ctrl+2"),
    PageSpec("family", "Family history", _family, shortcut="Ctrl+3"),
    PageSpec("new_prediction", "New prediction", _new_prediction, shortcut="Ctrl+4"),
    PageSpec("prediction_history", "Prediction history", _prediction_history, shortcut="Ctrl+5"),
    PageSpec("screening", "Batch screening", _screening, shortcut="Ctrl+6"),
    PageSpec("users", "Users", _users, admin_only=True, shortcut="Ctrl+7"),
    PageSpec("audit", "Audit log", _audit, admin_only=True, shortcut="Ctrl+8"),
)


def pages_for(is_admin: bool) -> list[PageSpec]:
    """The pages this person may open (admin pages are also refused by the services themselves)."""
    return [spec for spec in PAGES if is_admin or not spec.admin_only]
