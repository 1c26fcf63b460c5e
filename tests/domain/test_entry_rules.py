"""The rules for records, family history and measurements: one message per field, written once."""

from __future__ import annotations

import pytest

from desktop.domain.dto import FamilyDraft, RecordDraft
from desktop.domain.entry_rules import RECORD_TEXT_MAX, family_values, prediction_notes, record_values
from desktop.domain.errors import ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.prediction import MAX_MEASUREMENT, feature_value, validate_features


def test_a_record_is_trimmed_and_gets_its_status_colour():
    values = record_values(RecordDraft(date="2026-03-01", type=" Blood test ", status="abnormal"))
    assert values["type"] == "Blood test" and values["status"] == "abnormal"
    assert values["status_color"]


def test_a_record_lists_every_problem():
    draft = RecordDraft(date="01/03/2026", type="", result="r" * (RECORD_TEXT_MAX + 1), status="lost")
    with pytest.raises(ValidationError) as info:
        record_values(draft)
    assert set(info.value.fields) == {"date", "type", "result", "status"}
    assert info.value.fields["result"] == "Result is too long: at most 100 characters (this has 101)."


def test_family_rules():
    assert (
        family_values(FamilyDraft(relation=" Mother ", age=58, condition="Breast cancer"))["relation"]
        == "Mother"
    )
    with pytest.raises(ValidationError) as info:
        family_values(FamilyDraft(relation="", age=131, condition="c" * 201))
    assert set(info.value.fields) == {"relation", "age", "condition"}


def test_prediction_notes():
    assert prediction_notes(" two\nlines ") == "two\nlines"
    with pytest.raises(ValidationError):
        prediction_notes("n" * 2001)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Radius (mean) is missing."),
        ("  ", "Radius (mean) is missing."),
        (True, "Radius (mean) must be a number."),
        ("abc", "Radius (mean) must be a number (got 'abc')."),
        (float("nan"), "Radius (mean) must be a number (got NaN)."),
        (float("inf"), "Radius (mean) must be a finite number."),
        (-0.5, "Radius (mean) must not be negative."),
        (1e39, "Radius (mean) is too large."),
    ],
)
def test_one_measurement_and_all_thirty_give_the_same_message(value, message):
    with pytest.raises(ValidationError) as one:
        feature_value("radius_mean", value)
    assert one.value.fields == {"radius_mean": message}
    case = dict.fromkeys(FEATURE_NAMES, 1.0) | {"radius_mean": value}
    with pytest.raises(ValidationError) as all_thirty:
        validate_features(case)
    assert all_thirty.value.fields == {"radius_mean": message}


def test_the_largest_single_precision_value_is_accepted():
    assert feature_value("area_worst", MAX_MEASUREMENT) == MAX_MEASUREMENT
    assert feature_value("area_worst", "12.5") == 12.5
    assert validate_features(dict.fromkeys(FEATURE_NAMES, MAX_MEASUREMENT)) == (MAX_MEASUREMENT,) * 30
