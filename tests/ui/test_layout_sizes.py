"""Every page of the main window, with sample data, at the two screen sizes the clinic's computers
have (a 1024x700 window on an old laptop, 1366x800), light and dark: nothing cut off or squeezed
(see tests/ui/layout_check.py for what that means), and the New prediction page's actions reachable
without scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.ui import theme
from desktop.ui.main_window import MainWindow
from tests.ui.layout_check import problems
from tests.ui.sample_predictions import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

SIZES = [(1024, 700), (1366, 800)]
SCREENED = Path(__file__).resolve().parents[1] / "fixtures" / "wdbc_mixed.csv"


@pytest.fixture(params=[False, True], ids=["light", "dark"])
def themed(qapp: QApplication, request: pytest.FixtureRequest) -> Iterator[bool]:
    style, sheet, palette = qapp.style().name(), qapp.styleSheet(), qapp.palette()
    theme.apply_theme(qapp, dark=request.param)
    yield request.param
    qapp.setStyle(style)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    theme.apply_theme(qapp, dark=False)  # is_dark() back to the default the other tests expect
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)


def _settle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=30_000)
    QApplication.processEvents()


def _window(qtbot: Any, ctx: Any, size: tuple[int, int]) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    _settle(qtbot, ctx)
    assert (window.width(), window.height()) == size, "the window does not fit this screen size"
    return window


def _page_problems(qtbot: Any, window: MainWindow, ctx: Any) -> dict[str, list[str]]:
    found = {}
    for key in window.page_keys():
        page = window.show_page(key)
        _settle(qtbot, ctx)
        if key == "new_prediction":  # with a result, chart and warnings: the page at its fullest
            page.form.set_values(dict(MALIGNANT_EXAMPLE, radius_mean=50.0))
            page.predict()
            _settle(qtbot, ctx)
            assert page.result_panel.warning_text
        if key == "screening":  # with results, out-of-range names and the agreement figures
            page.screen_file(str(SCREENED))
            _settle(qtbot, ctx)
            assert page.report is not None and page.report.out_of_range_rows
        QApplication.processEvents()
        if problems(window):
            found[key] = problems(window)
    return found


def _assert_fits(found: dict[str, list[str]]) -> None:
    assert found == {}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_page_is_clipped(qtbot: Any, signed_in_ctx: Any, services: Any, size: Any, themed: bool) -> None:
    for case in (BENIGN_EXAMPLE, MALIGNANT_EXAMPLE):
        services.predictions.save(signed_in_ctx.token, case, "sample")
    window = _window(qtbot, signed_in_ctx, size)
    _assert_fits(_page_problems(qtbot, window, signed_in_ctx))


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_admin_page_is_clipped(qtbot: Any, admin_ctx: Any, size: Any, themed: bool) -> None:
    window = _window(qtbot, admin_ctx, size)
    _assert_fits(_page_problems(qtbot, window, admin_ctx))


def test_prediction_actions_are_on_screen_at_the_smallest_size(qtbot: Any, signed_in_ctx: Any) -> None:
    window = _window(qtbot, signed_in_ctx, SIZES[0])
    page = window.show_page("new_prediction")
    page.form.set_values(MALIGNANT_EXAMPLE)
    page.predict()
    _settle(qtbot, signed_in_ctx)
    for button in (page.predict_button, page.save_button, page.print_button, page.pdf_button):
        seen = button.visibleRegion().boundingRect()
        assert seen.size() == button.size(), f"{button.text()} is not fully on screen without scrolling"


def test_the_checker_finds_a_squeezed_button_and_a_child_outside_its_parent(qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.resize(200, 100)
    button = QPushButton("Save the prediction", window)
    button.setGeometry(0, 0, 40, 30)
    label = QLabel("far away", window)
    label.setGeometry(180, 0, 80, 20)
    window.show()
    found = problems(window)
    assert any("Save the prediction" in line and "smaller than its minimum" in line for line in found)
    assert any("far away" in line and "sticks out" in line for line in found)
    button.setGeometry(0, 0, button.minimumSizeHint().width(), button.minimumSizeHint().height())
    label.move(0, 50)
    assert problems(window) == []
