"""The input form, the edit dialogs and the services refuse the same inputs with the same messages:
each rule is written once, in desktop/domain, and both sides call it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from desktop.domain.dto import FamilyDraft, RecordDraft
from desktop.domain.errors import ValidationError
from desktop.ui.dialogs.family_dialog import FamilyDialog
from desktop.ui.dialogs.record_dialog import RecordDialog
from desktop.ui.widgets.feature_form import FeatureForm, format_value
from tests.ui.sample_predictions import BENIGN_EXAMPLE


def _refusal(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    "typed",
    [
        {"radius_mean": "-1"},
        {"texture_mean": "abc", "area_worst": ""},
        {"smoothness_se": "nan", "symmetry_worst": "inf"},
        {"concavity_mean": "1e39"},
    ],
    ids=["negative", "text-and-missing", "nan-and-infinity", "too-large"],
)
def test_feature_form_and_prediction_service_give_the_same_messages(
    qtbot: Any, services: Any, user_session: Any, typed: dict[str, str]
) -> None:
    form = FeatureForm()
    qtbot.addWidget(form)
    form.set_values(BENIGN_EXAMPLE)
    for name, text in typed.items():
        form.edit_for(name).setText(text)
    in_form = _refusal(form.values)
    sent = {name: typed.get(name, format_value(value)) for name, value in BENIGN_EXAMPLE.items()}
    in_service = _refusal(lambda: services.predictions.save(user_session.token, sent))
    assert set(in_form.fields) == set(typed)
    assert in_form.fields == {name: in_service.fields[name] for name in typed}
    assert in_form.message == in_service.fields["features"]
    assert all(form.message_for(name) == message for name, message in in_form.fields.items())


RECORD = {
    "date": "2026-03-01",
    "type": "Blood test",
    "result": "",
    "doctor": "",
    "notes": "",
    "status": "normal",
}


@pytest.mark.parametrize(
    "changed",
    [
        {"type": "   "},
        {"type": "Blood\x07test", "doctor": "Dr\x00Who"},
        {"result": "r" * 150},
        {"notes": "n" * 1001},
    ],
    ids=["type-missing", "control-characters", "result-too-long", "notes-too-long"],
)
def test_record_dialog_and_records_service_give_the_same_messages(
    qtbot: Any, services: Any, signed_in_ctx: Any, changed: dict[str, str]
) -> None:
    draft = RecordDraft(**{**RECORD, **changed})
    dialog = RecordDialog(signed_in_ctx)
    qtbot.addWidget(dialog)
    # The inputs by the service's field names (EditDialog.fields), as the dialog files its errors.
    for key in ("type", "result", "doctor"):
        dialog.fields[key].setText(getattr(draft, key))
    dialog.fields["notes"].setPlainText(draft.notes)
    in_service = _refusal(lambda: services.records.create(signed_in_ctx.token, draft))
    if len(draft.result) > 100:
        # The input itself stops at the rule's limit, so that text cannot even be typed.
        assert dialog.fields["result"].text() == draft.result[:100]
        assert dialog.draft().result == draft.result[:100]
        assert in_service.fields == {"result": "Result is too long: at most 100 characters (this has 150)."}
        return
    in_dialog = _refusal(dialog.draft)
    assert in_dialog.fields == in_service.fields and in_dialog.message == in_service.message
    dialog.save()
    assert dialog.message.text() == in_service.message
    assert {key: dialog.errors[key].text() for key in in_service.fields} == in_service.fields
    assert services.records.list(signed_in_ctx.token).total == 3  # the fixture's records only


@pytest.mark.parametrize(
    "draft",
    [
        FamilyDraft(relation="", age=50, condition="Breast cancer"),
        FamilyDraft(relation="Mother", age=50, condition="   "),
        FamilyDraft(relation="Aunt\x1b", age=50, condition="c" * 201),
    ],
    ids=["relation-missing", "condition-missing", "control-character-and-too-long"],
)
def test_family_dialog_and_family_service_give_the_same_messages(
    qtbot: Any, services: Any, signed_in_ctx: Any, draft: FamilyDraft
) -> None:
    dialog = FamilyDialog(signed_in_ctx)
    qtbot.addWidget(dialog)
    dialog.fields["relation"].setCurrentText(draft.relation)
    dialog.fields["age"].setValue(draft.age)
    dialog.fields["condition"].setText(draft.condition)
    typed = dialog.draft if len(draft.condition) <= 200 else None
    in_service = _refusal(lambda: services.family.create(signed_in_ctx.token, draft))
    if typed is None:
        # The input stops at the rule's limit; what is left is refused for the same reason as here.
        assert dialog.fields["condition"].text() == draft.condition[:200]
        assert _refusal(dialog.draft).fields["relation"] == in_service.fields["relation"]
        return
    in_dialog = _refusal(typed)
    assert in_dialog.fields == in_service.fields and in_dialog.message == in_service.message
