"""What the prediction, history, profile and audit pages save and show, with the real model and a
real SQLite file: the notes of one case never reach the next, a new person's unknown facts stay
unknown, a result from impossible measurements is flagged and saved only when confirmed, an old
web-version prediction shows its probability, and the audit log shows an admin no medical values."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from desktop.db.models import BreastCancerPrediction
from desktop.domain.dto import AuditQuery, RecordDraft
from desktop.ui.dialogs.history_dialog import HistoryDialog
from desktop.ui.pages.new_prediction import NewPredictionPage
from desktop.ui.pages.prediction_history import PredictionHistoryPage
from desktop.ui.pages.profile import NOT_KNOWN, ProfilePage
from desktop.ui.tablemodels.predictions_model import COL_PREDICTION, COL_PROBABILITY
from tests.ui.sample_predictions import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE


def _new_prediction(qtbot: Any, ctx: Any) -> NewPredictionPage:
    page = NewPredictionPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page._card is not None, timeout=30_000)
    return page


def _predict(qtbot: Any, page: NewPredictionPage) -> None:
    page.predict_button.click()
    qtbot.waitUntil(lambda: not page._ctx.runner.is_running("predict"), timeout=30_000)
    assert page.result is not None


def _save(qtbot: Any, page: NewPredictionPage) -> int:
    with qtbot.waitSignal(page.prediction_saved, timeout=10_000) as saved:
        page.save_button.click()
    return int(saved.args[0])


def test_notes_belong_to_one_case(qtbot: Any, signed_in_ctx: Any, services: Any) -> None:
    page = _new_prediction(qtbot, signed_in_ctx)
    page.form.set_values(MALIGNANT_EXAMPLE)
    _predict(qtbot, page)
    page.notes_edit.setPlainText("Malignant pattern: refer for biopsy.")
    first = _save(qtbot, page)
    assert page.notes_edit.toPlainText() == ""  # emptied by the save

    page.form.set_values(BENIGN_EXAMPLE)
    _predict(qtbot, page)
    second = _save(qtbot, page)  # no note typed for this one

    page.form.set_values(MALIGNANT_EXAMPLE)
    _predict(qtbot, page)
    page.notes_edit.setPlainText("typed, then the case was abandoned")
    page.form.clear_button.click()
    assert page.notes_edit.toPlainText() == "" and not page.save_button.isEnabled()

    token = signed_in_ctx.token
    read = services.predictions.get
    assert (read(token, first).prediction, read(token, first).notes) == (
        "Malignant",
        "Malignant pattern: refer for biopsy.",
    )
    assert (read(token, second).prediction, read(token, second).notes) == ("Benign", "")


def test_impossible_measurements_are_flagged_and_saved_only_when_confirmed(
    qtbot: Any, signed_in_ctx: Any, services: Any, no_dialogs: Any
) -> None:
    page = _new_prediction(qtbot, signed_in_ctx)
    page.form.set_values(dict(BENIGN_EXAMPLE, radius_mean=50.0))  # training range 6.98-28.11
    _predict(qtbot, page)
    panel = page.result_panel
    assert "Outside what the model has seen: not reliable: Radius (mean)" in panel.warning_text
    assert panel.prediction_label.text().endswith("(not reliable)")

    no_dialogs.answer = False  # "Cancel" in the confirmation
    page.save_button.click()
    question = no_dialogs.messages("confirm")[-1]
    assert "Radius (mean)" in question and "not reliable" in question
    assert services.predictions.list(signed_in_ctx.token).total == 0
    assert page.save_button.isEnabled()

    no_dialogs.answer = True
    saved_id = _save(qtbot, page)
    assert services.predictions.get(signed_in_ctx.token, saved_id).features["radius_mean"] == 50.0
    report = page.report_data()
    assert report is not None and report.out_of_range == ("radius_mean",)

    history = PredictionHistoryPage(signed_in_ctx)
    qtbot.addWidget(history)
    history.show()
    qtbot.waitUntil(lambda: history._card is not None, timeout=30_000)
    index = history.table.model().index(0, COL_PREDICTION)
    assert index.data().endswith("(not reliable)")
    assert "Radius (mean)" in index.data(0x03)  # ToolTipRole names the measurement


def test_a_new_person_has_no_made_up_facts(qtbot: Any, signed_in_ctx: Any, services: Any) -> None:
    page = ProfilePage(signed_in_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.profile is not None, timeout=10_000)
    assert page.age.text() == NOT_KNOWN and page.blood.currentText() == NOT_KNOWN
    page.phone.setText("555 0199")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Saved.", timeout=10_000)
    stored = services.profile.get(signed_in_ctx.token)
    assert (stored.age, stored.blood_type, stored.phone) == (None, "", "555 0199")


def test_a_web_version_prediction_shows_its_probability_and_chart(
    qtbot: Any, signed_in_ctx: Any, services: Any
) -> None:
    saved = services.predictions.save(signed_in_ctx.token, BENIGN_EXAMPLE)
    with services.database.engine.begin() as conn:  # what the web version stored: no probability
        conn.execute(
            sa.update(BreastCancerPrediction)
            .where(BreastCancerPrediction.id == saved.id)
            .values(confidence=0.97, probability=None, model_version=None)
        )
    page = PredictionHistoryPage(signed_in_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page._card is not None, timeout=30_000)
    assert page.table.model().index(0, COL_PROBABILITY).data() == "3.0%"
    assert page.chart.point_count == 1
    assert "nothing to plot" not in page.chart.chart().title()
    dialog = page.open_prediction(page.model.dto(0))  # a child of the page: closed with it
    assert dialog.result_panel.probability_label.text().startswith("3.0% (worked out from")


def test_the_audit_entry_of_someones_record_shows_an_admin_no_medical_values(
    qtbot: Any, services: Any, user_session: Any, admin_session: Any
) -> None:
    token = user_session.token
    record = services.records.create(
        token, RecordDraft(date="2026-04-01", type="Ultrasound", status="pending")
    )
    services.records.update(
        token,
        record.id,
        RecordDraft(
            date="2026-04-01", type="Ultrasound", result="2.1 cm hypoechoic lesion", status="follow-up"
        ),
        record.version,
    )
    entries = services.audit.list(admin_session.token, AuditQuery(entity="medicalrecord")).rows
    change = next(e for e in entries if e.action == "update")
    dialog = HistoryDialog([change], "Audit entry")
    qtbot.addWidget(dialog)
    cells = [dialog.details.item(r, c).text() for r in range(dialog.details.rowCount()) for c in range(3)]
    assert not any("lesion" in c for c in cells)
    assert dialog.hidden_label.isVisibleTo(dialog)

    own = services.records.history(token, record.id)  # the patient's own history: words, not codes
    mine = HistoryDialog(own, "History")
    qtbot.addWidget(mine)
    mine.table.selectRow(1)
    values = {
        mine.details.item(r, 0).text(): mine.details.item(r, 2).text() for r in range(mine.details.rowCount())
    }
    assert values["Status"] == "Follow up" and values["Result"] == "2.1 cm hypoechoic lesion"
    assert "status" not in values and "follow-up" not in values.values()
