"""The audit log follows the chart's access rule: an administrator reads who changed what and when,
but the medical values of someone else's chart only where the clinic lets administrators read medical
data (the setting the chart services check too)."""

from __future__ import annotations

from desktop.db.models import AuditLog, User
from desktop.domain.dto import AuditQuery, ProfileUpdate, RecordDraft
from desktop.services import audit
from desktop.ui.sample_cases import BENIGN_EXAMPLE
from tests.services.conftest import make_services

LESION = "2.1 cm hypoechoic lesion"


def _alice_changes_her_chart(services, alice):
    record = services.records.create(
        alice.token, RecordDraft(date="2026-02-01", type="Ultrasound", result="?")
    )
    services.records.update(
        alice.token,
        record.id,
        RecordDraft(date="2026-02-01", type="Ultrasound", result=LESION),
        record.version,
    )
    profile = services.profile.get(alice.token)
    services.profile.update(
        alice.token,
        ProfileUpdate(name="Alice", age=44, phone="555 0101", allergies="penicillin"),
        profile.version,
    )
    services.predictions.save(alice.token, BENIGN_EXAMPLE, notes="follow the lesion")


def _everything(services, token):
    return services.audit.list(token, AuditQuery(limit=1000)).rows


def test_an_admin_does_not_read_medical_values_in_the_audit_log(services, alice, admin):
    _alice_changes_her_chart(services, alice)
    entries = _everything(services, admin.token)
    shown = repr([(e.before, e.after) for e in entries])
    # The age as a value (a bare "44" can turn up inside a random id).
    for medical in (LESION, "penicillin", "follow the lesion", "'age': 44"):
        assert medical not in shown
    record_change = next(e for e in entries if e.entity == "medicalrecord" and e.action == "update")
    assert record_change.values_hidden and record_change.actor == "alice@clinic.example"
    assert record_change.summary == "Record changed"  # not which examination
    saved = next(e for e in entries if e.entity == "breastcancerprediction")
    assert saved.summary == "Prediction saved"  # not its result
    profile_change = next(e for e in entries if e.entity == "user" and e.action == "update")
    assert profile_change.values_hidden
    assert profile_change.after["phone"] == "555 0101"  # demographics stay readable
    assert "allergies" not in profile_change.after and "blood_type" not in profile_change.before


def test_the_audit_table_reads_entries_by_id_with_the_same_rule(services, alice, admin, db_url, clock):
    _alice_changes_her_chart(services, alice)
    ids = services.audit.ids(admin.token)
    shown = repr([(e.before, e.after) for e in services.audit.rows(admin.token, ids)])
    for medical in (LESION, "penicillin", "follow the lesion"):
        assert medical not in shown
    reading = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        entries = reading.audit.rows(admin.token, ids)
    finally:
        reading.close()
    assert LESION in repr([e.after for e in entries])


def test_the_clinic_setting_lets_admins_read_them(services, alice, admin, db_url, clock):
    _alice_changes_her_chart(services, alice)
    reading = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        entries = _everything(reading, admin.token)
    finally:
        reading.close()
    record_change = next(e for e in entries if e.entity == "medicalrecord" and e.action == "update")
    assert not record_change.values_hidden and record_change.after["result"] == LESION
    assert record_change.summary == "Record changed: Ultrasound (2026-02-01)"
    profile_change = next(e for e in entries if e.entity == "user" and e.action == "update")
    assert profile_change.after["allergies"] == "penicillin"


def test_a_patient_may_read_the_values_of_their_own_chart_only(services, alice, bob, admin):
    """The rule the audit log applies is the chart's: a patient reads their own medical values (should
    an entry reach them), no one else's; an administrator's own account gives no way around it."""
    _alice_changes_her_chart(services, alice)
    entries = _everything(services, admin.token)
    shown = next(e for e in entries if e.entity == "medicalrecord" and e.action == "update")
    ctx = services.context
    with ctx.unit_of_work() as s:
        change = audit.to_dto(s.get(AuditLog, shown.id))  # as stored, before any reader's rule
        readers = {who.user.email: s.get(User, who.user.id) for who in (alice, bob, admin)}
        assert not audit.readable(ctx, readers["alice@clinic.example"], change).values_hidden
        assert audit.readable(ctx, readers["bob@clinic.example"], change).values_hidden
        assert audit.readable(ctx, readers["admin@clinic.example"], change).values_hidden


def test_a_new_account_has_no_made_up_age_or_blood_type(services, alice):
    profile = services.profile.get(alice.token)
    assert profile.age is None and profile.blood_type == ""
    saved = services.profile.update(
        alice.token, ProfileUpdate(name="Alice", age=None, blood_type=""), profile.version
    )
    assert saved.blood_type == "" and saved.age is None
