"""Which pages the main window offers, in sidebar order, and how each is built.

Pages are imported and constructed lazily, the first time they are shown, so opening the main window
costs only what the first page needs. A page module that does not exist yet (another part of the
project still writing it) or fails to import becomes a placeholder naming the problem, so the rest of
the application keeps running; the import error is logged.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSpec:
    key: str  # stable id, stored in QSettings as the last page
    title: str  # sidebar text
    module: str
    class_name: str
    admin_only: bool = False
    shortcut: str = ""


PAGES: tuple[PageSpec, ...] = (
    PageSpec("profile", "Profile", "desktop.ui.pages.profile", "ProfilePage", shortcut="Ctrl+1"),
    PageSpec("records", "Medical records", "desktop.ui.pages.records", "RecordsPage", shortcut="Ctrl+2"),
    PageSpec("family", "Family history", "desktop.ui.pages.family", "FamilyPage", shortcut="Ctrl+3"),
    PageSpec(
        "new_prediction",
        "New prediction",
        "desktop.ui.pages.new_prediction",
        "NewPredictionPage",
        shortcut="Ctrl+4",
    ),
    PageSpec(
        "prediction_history",
        "Prediction history",
        "desktop.ui.pages.prediction_history",
        "PredictionHistoryPage",
        shortcut="Ctrl+5",
    ),
    PageSpec(
        "screening", "Batch screening", "desktop.ui.pages.screening", "ScreeningPage", shortcut="Ctrl+6"
    ),
    PageSpec("users", "Users", "desktop.ui.pages.users", "UsersPage", admin_only=True, shortcut="Ctrl+7"),
    PageSpec("audit", "Audit log", "desktop.ui.pages.audit", "AuditPage", admin_only=True, shortcut="Ctrl+8"),
)


def pages_for(is_admin: bool) -> list[PageSpec]:
    """The pages this person may open (admin pages are also refused by the services themselves)."""
    return [spec for spec in PAGES if is_admin or not spec.admin_only]


class PlaceholderPage(QWidget):
    """Stands in for a page whose module is not available."""

    def __init__(self, title: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        label = QLabel(f"{title}\n\nThis page is not available in this build.\n{reason}")
        label.setObjectName("Muted")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        QVBoxLayout(self).addWidget(label)


def build_page(spec: PageSpec, ctx: UiContext, parent: QWidget | None = None) -> QWidget:
    """Construct the page for ``spec``, or a placeholder if its module is missing or broken."""
    factory: Callable[..., QWidget]
    try:
        module = importlib.import_module(spec.module)
        factory = getattr(module, spec.class_name)
    except ModuleNotFoundError as error:
        if error.name and spec.module.startswith(error.name):
            log.info("page %s not available: %s", spec.key, error)
            return PlaceholderPage(spec.title, "(not installed)", parent)
        log.exception("page %s failed to import", spec.key)
        return PlaceholderPage(spec.title, "It failed to load; see the log file.", parent)
    except Exception:
        log.exception("page %s failed to import", spec.key)
        return PlaceholderPage(spec.title, "It failed to load; see the log file.", parent)
    try:
        page = factory(ctx, parent)
    except Exception:
        log.exception("page %s failed to open", spec.key)
        return PlaceholderPage(spec.title, "It failed to open; see the log file.", parent)
    if not getattr(page, "title", None):
        page.title = spec.title  # type: ignore[attr-defined]
    return page
