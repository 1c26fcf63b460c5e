"""Family history and the profile: CRUD, validation, versions, audit."""

from __future__ import annotations

import pytest

from desktop.domain.dto import FamilyDraft, FamilyQuery, ProfileUpdate
from desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from tests.services.conftest import make_services


def test_family_crud_paging_and_history(services, alice):
    ids = [
        services.family.create(alice.token, FamilyDraft(relation=rel, age=age, condition=cond)).id
        for rel, age, cond in (
            ("Mother", 61, "Breast cancer"),
            ("Father", 70, "Diabetes"),
            ("Sister", 40, "Breast cancer"),
        )
    ]
    page = services.family.list(alice.token, FamilyQuery(sort="age", descending=False))
    assert [r.age for r in page.rows] == [40, 61, 70] and page.total == 3
    assert services.family.list(alice.token, FamilyQuery(text="BREAST")).total == 2
    entry = services.family.get(alice.token, ids[1])
    changed = services.family.update(
        alice.token, entry.id, FamilyDraft("Father", 71, "Type 2 diabetes"), entry.version
    )
    assert changed.version == entry.version + 1
    with pytest.raises(ConflictError):
        services.family.update(alice.token, entry.id, FamilyDraft("Father", 72, "x"), entry.version)
    services.family.delete(alice.token, entry.id)
    history = services.family.history(alice.token, entry.id)
    assert [h.action for h in history] == ["create", "update", "delete"]
    assert history[1].before["age"] == 70 and history[2].before["condition"] == "Type 2 diabetes"
    with pytest.raises(NotFoundError):
        services.family.get(alice.token, entry.id)


def test_family_validation(services, alice):
    with pytest.raises(ValidationError) as info:
        services.family.create(alice.token, FamilyDraft(relation="", age=131, condition="c" * 201))
    assert set(info.value.fields) == {"relation", "age", "condition"}


def test_profile_read_and_update_own_fields(services, alice):
    profile = services.profile.get(alice.token)
    # Version 2: an administrator created the account, then Alice chose her own password.
    assert profile.email == "alice@clinic.example" and profile.version == 2
    updated = services.profile.update(
        alice.token,
        ProfileUpdate(
            name=" Alice Liddell ",
            age=34,
            phone="+44 20 7946 0000",
            emergency_contact="Bob, 555",
            blood_type="ab-",
            allergies="penicillin\nlatex",
            medications="",
        ),
        profile.version,
    )
    assert updated.name == "Alice Liddell" and updated.blood_type == "AB-" and updated.age == 34
    assert updated.version == profile.version + 1
    with pytest.raises(ConflictError):
        services.profile.update(alice.token, ProfileUpdate(name="Stale", age=1), profile.version)


@pytest.mark.parametrize(
    ("update", "fields"),
    [
        (ProfileUpdate(name="", age=10), {"name"}),
        (ProfileUpdate(name="A", age=131), {"age"}),
        (ProfileUpdate(name="A", age=-1, blood_type="C+"), {"age", "blood_type"}),
        (ProfileUpdate(name="A", age=None, phone="1" * 51), {"phone"}),
    ],
)
def test_profile_validation_messages(services, alice, update, fields):
    with pytest.raises(ValidationError) as info:
        services.profile.update(alice.token, update, 1)
    assert set(info.value.fields) == fields


def test_profile_update_keeps_previous_values_in_the_audit_log(services, alice, admin, db_url, clock):
    profile = services.profile.get(alice.token)
    services.profile.update(alice.token, ProfileUpdate(name="A", age=30, allergies="nuts"), profile.version)
    # a clinic that lets its administrators read medical data (off by default: see test_audit_access)
    reading = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        entries = reading.audit.list(admin.token).rows
    finally:
        reading.close()
    update = next(e for e in entries if e.action == "update" and e.entity == "user")
    assert update.before["allergies"] == "" and update.after["allergies"] == "nuts"
    assert "password_hash" not in update.before
