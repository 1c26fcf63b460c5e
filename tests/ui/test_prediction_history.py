"""Prediction history page: table over the real service, chart, detail dialog, notes, delete."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.domain.enums import Role
from desktop.ui.pages.prediction_history import PredictionHistoryPage
from desktop.ui.tablemodels.predictions_model import (
    COL_PROBABILITY,
    COL_RISK,
    PredictionRole,
    PredictionsModel,
)
from desktop.ui.widgets.feature_form import format_value
from tests.ui.sample_predictions import save_predictions


def _page(qtbot: Any, ctx: Any) -> PredictionHistoryPage:
    page = PredictionHistoryPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    page.show()
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=10_000)
    return page


def test_model_passes_modeltester(qtmodeltester: Any, services: Any, signed_in_ctx: Any) -> None:
    save_predictions(services, signed_in_ctx.token, [0.01, 0.2, 0.9, 0.97, 0.03])
    model = PredictionsModel(signed_in_ctx)
    model.reload()
    assert model.rowCount() == model.total == 5
    qtmodeltester.check(model)
    newest = model.index(0, COL_PROBABILITY)
    assert model.data(newest) == "3.0%"
    assert model.data(model.index(0, COL_RISK)) == "Low"
    assert model.data(newest, PredictionRole).probability == pytest.approx(0.03, abs=1e-6)


def test_empty_model_passes_modeltester(qtmodeltester: Any, signed_in_ctx: Any) -> None:
    model = PredictionsModel(signed_in_ctx)
    qtmodeltester.check(model)
    model.reload()
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_page_shows_the_users_predictions_and_chart(
    qtbot: Any, services: Any, signed_in_ctx: Any, staff_ctx: Any, two_patients: Any
) -> None:
    save_predictions(services, signed_in_ctx.token, [0.01, 0.6, 0.99])
    clinician = staff_ctx(Role.CLINICIAN)  # another patient's: never shown
    save_predictions(services, clinician.token, [0.5], patient_id=two_patients[0].id)
    page = _page(qtbot, signed_in_ctx)
    assert page.model.rowCount() == 3
    assert page.chart.point_count == 3
    assert page.count_label.text() == "3 saved predictions"
    page.risk_filter.setCurrentIndex(page.risk_filter.findData("High"))
    assert page.model.rowCount() == 2
    assert {page.model.dto(r).risk_level for r in range(2)} == {"High"}


def test_refresh_keeps_the_selected_prediction(qtbot: Any, services: Any, signed_in_ctx: Any) -> None:
    save_predictions(services, signed_in_ctx.token, [0.01, 0.6, 0.99])
    page = _page(qtbot, signed_in_ctx)
    page.table.selectRow(1)
    chosen = page.selected()
    assert chosen is not None
    save_predictions(services, signed_in_ctx.token, [0.2])  # a newer one: the chosen row moves down
    page.refresh()
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=10_000)
    assert page.model.rowCount() == 4
    selected = page.selected()
    assert selected is not None and selected.id == chosen.id
    (row,) = page.table.selectionModel().selectedRows()
    assert row.model() is page.table.model()  # the view's (marking) proxy, not the list model behind it


def test_open_edit_notes_and_delete_from_detail(
    qtbot: Any, services: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    saved = save_predictions(services, signed_in_ctx.token, [0.02, 0.95], notes="first")
    page = _page(qtbot, signed_in_ctx)
    page.table.selectRow(0)  # newest: the 0.95 one
    dialog = page.open_prediction(page.selected())
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=10_000)
    assert dialog.result_panel.prediction_label.text() == "Malignant"
    assert dialog.inputs.item(0, 0).text() == format_value(saved[1].features["radius_mean"])

    dialog.notes_edit.setPlainText("Referred for biopsy.")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.save_notes_button.click()
    assert services.predictions.get(signed_in_ctx.token, saved[1].id).notes == "Referred for biopsy."
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=10_000)
    assert page.model.dto(0).notes == "Referred for biopsy."

    no_dialogs.answer = False  # cancelled: nothing deleted
    dialog.delete_button.click()
    assert services.predictions.list(signed_in_ctx.token).total == 2
    no_dialogs.answer = True
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.delete_button.click()
    assert "Delete prediction #" in no_dialogs.messages("confirm")[-1]
    assert services.predictions.list(signed_in_ctx.token).total == 1
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)


def test_delete_from_page_needs_confirmation(
    qtbot: Any, services: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    save_predictions(services, signed_in_ctx.token, [0.02, 0.95])
    page = _page(qtbot, signed_in_ctx)
    page.table.selectRow(1)
    assert page.delete_button.isEnabled()
    no_dialogs.answer = False
    page.delete_button.click()
    assert services.predictions.list(signed_in_ctx.token).total == 2
    no_dialogs.answer = True
    page.delete_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert services.predictions.list(signed_in_ctx.token).rows[0].probability == pytest.approx(0.95, abs=1e-6)
    assert page.model.data(page.model.index(0, COL_RISK), Qt.ItemDataRole.DisplayRole) == "High"


def test_session_gone_shows_a_message_not_a_traceback(
    qtbot: Any, services: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    services.auth.sign_out(signed_in_ctx.token)
    page = PredictionHistoryPage(signed_in_ctx)
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 0
    assert any("sign in" in m.lower() for m in no_dialogs.messages("error"))
