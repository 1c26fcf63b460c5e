"""New prediction page and its widgets: form validation, samples, predict with the real model, save,
print to PDF; and the error paths (bad input, model missing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.domain.errors import ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.ui.formatting import percent
from desktop.ui.sample_cases import SAMPLE_CASES
from desktop.ui.widgets.contributions_chart import ContributionsChart, top_contributions
from desktop.ui.widgets.feature_form import FeatureForm, read_value
from desktop.ui.widgets.risk_badge import RiskBadge, risk_colour
from tests.ui.sample_predictions import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

# --- widgets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("12.5", 12.5, ""),
        (" 0,25 ", 0.25, ""),
        ("", None, "Radius (mean) is missing."),
        ("abc", None, "Radius (mean) must be a number (got 'abc')."),
        ("-1", None, "Radius (mean) must not be negative."),
        ("nan", None, "Radius (mean) must be a number (got NaN)."),
        ("inf", None, "Radius (mean) must be a finite number."),
    ],
)
def test_read_value(text: str, value: float | None, message: str) -> None:
    assert read_value("radius_mean", text) == (value, message)


def test_form_reports_every_bad_field(qtbot: Any) -> None:
    form = FeatureForm()
    qtbot.addWidget(form)
    form.set_values(BENIGN_EXAMPLE)
    assert form.values() == pytest.approx(BENIGN_EXAMPLE)
    form.edit_for("radius_mean").setText("-3")
    form.edit_for("area_worst").setText("")
    with pytest.raises(ValidationError) as caught:
        form.values()
    assert caught.value.fields == {
        "radius_mean": "Radius (mean) must not be negative.",
        "area_worst": "Area (worst) is missing.",
    }
    assert form.message_for("radius_mean") == "Radius (mean) must not be negative."
    assert form.edit_for("radius_mean").property("invalid") is True


def test_typing_validates_as_you_go_and_emits_changed(qtbot: Any) -> None:
    form = FeatureForm()
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.changed, timeout=1000):
        qtbot.keyClicks(form.edit_for("texture_se"), "x")
    assert form.message_for("texture_se") == "Texture (standard error) must be a number (got 'x')."
    form.edit_for("texture_se").clear()
    qtbot.keyClicks(form.edit_for("texture_se"), "1.5")
    assert form.message_for("texture_se") == ""


def test_training_range_is_hint_and_out_of_range_is_a_warning_not_an_error(qtbot: Any) -> None:
    form = FeatureForm()
    qtbot.addWidget(form)
    form.set_ranges({"area_worst": (185.2, 1500.0)}, {"area_worst": "pixels²"})
    edit = form.edit_for("area_worst")
    assert edit.placeholderText() == "185.2 – 1500"
    assert "Training range: 185.2 to 1500" in edit.toolTip() and "pixels²" in edit.toolTip()
    form.set_values(MALIGNANT_EXAMPLE)  # area_worst 2019
    assert form.out_of_range() == ["area_worst"]
    assert form.message_for("area_worst").startswith("Outside the training range")
    assert form.values()["area_worst"] == 2019.0  # still predictable


def test_sample_menu_loads_cases(qtbot: Any) -> None:
    form = FeatureForm()
    qtbot.addWidget(form)
    assert not form.sample_button.isEnabled()
    form.set_samples(SAMPLE_CASES)
    assert form.sample_button.isEnabled()
    actions = form.sample_menu.actions()
    assert [a.text() for a in actions] == list(SAMPLE_CASES)
    with qtbot.waitSignal(form.sample_loaded, timeout=1000):
        actions[1].trigger()
    assert form.values() == pytest.approx(MALIGNANT_EXAMPLE)
    form.clear()
    assert all(form.edit_for(n).text() == "" for n in FEATURE_NAMES)


def test_risk_badge_spells_out_the_level(qtbot: Any) -> None:
    badge = RiskBadge()
    qtbot.addWidget(badge)
    assert badge.text() == "-"
    badge.set_level("High")
    assert badge.text() == "High risk"
    assert badge.accessibleName() == "Risk level: High"
    assert risk_colour("High") in badge.styleSheet()
    assert risk_colour("Low") != risk_colour("High") != risk_colour("Medium")


def test_contributions_chart_keeps_the_largest_signed_values(qtbot: Any) -> None:
    values = {name: 0.01 * i for i, name in enumerate(FEATURE_NAMES)}
    values["texture_worst"] = -2.5
    values["area_mean"] = 1.7
    top = top_contributions(values, 3)
    assert top[0] == ("texture_worst", -2.5)
    assert top[1] == ("area_mean", 1.7)
    chart = ContributionsChart(top=3)
    qtbot.addWidget(chart)
    chart.set_contributions(values)
    assert [n for n, _ in chart.shown] == [n for n, _ in top]
    series = chart.chart().series()[0]
    up, down = series.barSets()
    # bars run bottom-up: the biggest (texture_worst, towards benign) is last
    assert down.at(2) == -2.5 and up.at(2) == 0.0
    assert up.at(1) == 1.7
    chart.clear()
    assert chart.chart().series() == []


# --- the page, with the real model -------------------------------------------------------------------


def _page(qtbot: Any, ctx: Any) -> Any:
    from desktop.ui.pages.new_prediction import NewPredictionPage

    page = NewPredictionPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page._card is not None, timeout=30_000)
    return page


def _predict(qtbot: Any, page: Any) -> None:
    page.predict_button.click()
    qtbot.waitUntil(lambda: not page._ctx.runner.is_running("predict"), timeout=30_000)


def test_predict_save_and_print_a_malignant_case(
    qtbot: Any, signed_in_ctx: Any, services: Any, tmp_path: Path, no_dialogs: Any
) -> None:
    page = _page(qtbot, signed_in_ctx)
    assert page.form.edit_for("radius_mean").placeholderText()  # training range hint from the model card
    assert not page.save_button.isEnabled()
    page.form.load_sample(page.form.sample_names[1])  # the malignant example
    _predict(qtbot, page)
    result = page.result
    assert result is not None and str(result.prediction) == "Malignant"
    panel = page.result_panel
    assert panel.prediction_label.text() == "Malignant"
    assert panel.probability_label.text() == percent(result.probability_malignant)
    assert panel.badge.level == str(result.risk_level)
    assert panel.chart is not None and len(panel.chart.shown) == 8
    if result.out_of_range:
        assert "Outside the training range" in panel.warning_text
    assert page.save_button.isEnabled() and page.print_button.isEnabled()

    page.notes_edit.setPlainText("Refer for biopsy.")
    with qtbot.waitSignal(page.prediction_saved, timeout=10_000) as saved:
        page.save_button.click()
    stored = services.predictions.get(signed_in_ctx.token, saved.args[0])
    assert stored.prediction == "Malignant" and stored.notes == "Refer for biopsy."
    assert stored.features == pytest.approx(MALIGNANT_EXAMPLE)
    assert stored.probability == pytest.approx(result.probability_malignant)
    assert not page.save_button.isEnabled()  # saved once, not twice

    target = tmp_path / "report.pdf"
    no_dialogs.file = str(target)
    page.pdf_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    assert "Report saved" in page.status_label.text()


def test_out_of_range_value_is_named_in_the_result(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.form.load_sample(page.form.sample_names[0])  # benign example
    page.form.edit_for("area_worst").setText("9000")
    _predict(qtbot, page)
    assert "area_worst" in page.result.out_of_range
    assert "Area (worst)" in page.result_panel.warning_text


def test_editing_after_predict_marks_the_result_stale(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.form.load_sample(page.form.sample_names[0])
    _predict(qtbot, page)
    assert str(page.result.prediction) == "Benign"
    qtbot.keyClicks(page.form.edit_for("radius_mean"), "1")
    assert page.result_panel.stale_label.isVisibleTo(page.result_panel)
    assert not page.save_button.isEnabled() and not page.print_button.isEnabled()


def test_invalid_input_is_shown_per_field_and_not_sent(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.form.load_sample(page.form.sample_names[0])
    page.form.edit_for("texture_mean").setText("-2")
    page.predict_button.click()
    assert not signed_in_ctx.runner.is_running()
    assert page.result is None
    assert page.status_label.text() == "1 measurement needs attention: Texture (mean) must not be negative."
    assert page.form.message_for("texture_mean") == "Texture (mean) must not be negative."


def test_missing_model_is_a_clear_message(
    qtbot: Any, ui_db_url: str, ui_settings: Any, runner: Any, user_session: Any, tmp_path: Path
) -> None:
    from desktop.services.container import Services
    from desktop.services.predictor_provider import PredictorProvider
    from desktop.ui.context import UiContext
    from desktop.ui.pages.new_prediction import NewPredictionPage

    broken = Services.create(
        ui_db_url, ui_settings, bcrypt_rounds=4, predictor_provider=PredictorProvider(tmp_path / "nomodel")
    )
    ctx = UiContext(broken, ui_settings, runner)
    ctx.set_session(user_session)
    try:
        page = NewPredictionPage(ctx)
        qtbot.addWidget(page)
        page.refresh()
        qtbot.waitUntil(lambda: not runner.is_running(), timeout=10_000)
        assert "model" in page.status_label.text().lower()  # the card could not be read either
        page.form.set_values(BENIGN_EXAMPLE)
        _predict(qtbot, page)
        assert page.result is None
        text = page.status_label.text()
        assert "model" in text.lower() and "Traceback" not in text
        assert not page.save_button.isEnabled()
    finally:
        broken.close()


def test_load_from_csv_row(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui.dialogs import csv_row_dialog
    from desktop.ui.pages.new_prediction import NewPredictionPage

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    cases = csv_row_dialog.read_cases(str(fixtures / "wdbc_mixed.csv"))
    usable = [c for c in cases if c.values is not None]
    assert usable and any(c.values is None for c in cases)  # the fixture mixes good and bad rows
    shown: list[Any] = []

    def choose_second(dialog: Any) -> int:
        shown.append(dialog)
        bad_row = next(i for i, c in enumerate(cases) if c.values is None)
        dialog.table.selectRow(bad_row)  # refused rows cannot be chosen
        assert dialog.chosen() is None
        dialog.table.selectRow(cases.index(usable[1]))
        return int(csv_row_dialog.QDialog.DialogCode.Accepted)

    monkeypatch.setattr(csv_row_dialog, "exec_dialog", choose_second)
    page = NewPredictionPage(signed_in_ctx)
    qtbot.addWidget(page)
    no_dialogs.file = str(fixtures / "wdbc_mixed.csv")
    page.form.csv_button.click()
    assert shown
    assert page.form.values() == pytest.approx(usable[1].values)
    assert "loaded from the CSV file" in page.status_label.text()
