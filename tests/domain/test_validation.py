"""The shared validators: clean values pass through, bad ones get clinician-readable messages."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain import validation as v
from desktop.domain.enums import RecordStatus
from desktop.domain.errors import ValidationError


def test_email_is_trimmed_and_lower_cased():
    assert v.normalise_email("  Alice@Clinic.Example ") == "alice@clinic.example"


@pytest.mark.parametrize(
    "bad", ["", "   ", "alice", "alice@", "@clinic.org", "a b@c.org", None, 5, "a@b.c\x00"]
)
def test_bad_emails(bad):
    with pytest.raises(ValidationError) as info:
        v.normalise_email(bad)
    assert "email" in info.value.fields


def test_text_limits_and_control_characters():
    assert v.text("  hello ", "Name", max_length=10) == "hello"
    with pytest.raises(ValidationError, match="Name is required"):
        v.text("   ", "Name", max_length=10, required=True)
    with pytest.raises(ValidationError, match="at most 3 characters"):
        v.text("abcd", "Name", max_length=3)
    with pytest.raises(ValidationError, match="cannot be stored"):
        v.text("a\x00b", "Notes", max_length=10, multiline=True)
    with pytest.raises(ValidationError, match="cannot be stored"):
        v.text("a\ud800b", "Notes", max_length=10)
    with pytest.raises(ValidationError, match="cannot be stored"):
        v.text("line\nbreak", "Name", max_length=20)
    assert v.text("line\nbreak", "Notes", max_length=20, multiline=True) == "line\nbreak"
    with pytest.raises(ValidationError, match="must be text"):
        v.text(12, "Name", max_length=10)


def test_integers():
    assert v.integer(130, "Age", minimum=0, maximum=130) == 130
    assert v.integer(None, "Age", minimum=0, maximum=130, optional=True) is None
    for bad in (-1, 131, 1.5, "3", True, None, float("nan")):
        with pytest.raises(ValidationError, match="Age"):
            v.integer(bad, "Age", minimum=0, maximum=130)


def test_dates():
    assert v.iso_date("2024-03-31") == "2024-03-31"
    assert v.iso_date(dt.date(2024, 3, 31)) == "2024-03-31"
    for bad in ("31/03/2024", "2024-02-30", "20240331", "1800-01-01", "", None, 20240331):
        with pytest.raises(ValidationError, match="Date"):
            v.iso_date(bad)


def test_status_and_blood_type():
    assert v.record_status("critical") is RecordStatus.CRITICAL
    with pytest.raises(ValidationError, match="Status must be one of: pending"):
        v.record_status("fine")
    assert v.blood_type(" ab- ") == "AB-"
    with pytest.raises(ValidationError, match="O\\+, O-, A\\+"):
        v.blood_type("C+")


def test_page_bounds():
    assert v.page(0, 200) == (0, 200)
    for offset, limit in ((-1, 10), (0, 0), (0, 100_000)):
        with pytest.raises(ValidationError):
            v.page(offset, limit)
