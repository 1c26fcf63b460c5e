"""Two desktops (two Database objects on one SQLite file / one PostgreSQL database) editing the same
rows: the second save never overwrites the first silently."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from desktop.db.models import AuditLog, MedicalRecord
from desktop.domain.dto import FamilyDraft, ProfileUpdate, RecordDraft, RecordQuery
from desktop.domain.errors import ConflictError, DatabaseError
from tests.services.conftest import make_services
from tests.services.test_predictions import FEATURES

DRAFT = RecordDraft(date="2024-05-01", type="Ultrasound", result="clear", doctor="Dr A", notes="")


@pytest.fixture
def second_desktop(db_url, clock):
    other = make_services(db_url, clock)
    yield other
    other.close()


def test_second_save_of_the_same_record_is_a_conflict(services, second_desktop, alice):
    seen_here = services.records.create(alice.token, DRAFT)
    seen_there = second_desktop.records.get(alice.token, seen_here.id)
    assert seen_there == seen_here
    saved = second_desktop.records.update(
        alice.token,
        seen_there.id,
        DRAFT.__class__(**{**DRAFT.__dict__, "result": "cyst"}),
        seen_there.version,
    )
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.records.update(
            alice.token,
            seen_here.id,
            DRAFT.__class__(**{**DRAFT.__dict__, "result": "mass"}),
            seen_here.version,
        )
    with pytest.raises(ConflictError):
        services.records.delete(alice.token, seen_here.id, seen_here.version)
    reloaded = services.records.get(alice.token, seen_here.id)  # "reload" then save again works
    assert reloaded == saved
    services.records.update(alice.token, reloaded.id, DRAFT, reloaded.version)


def test_conflicts_on_family_profile_and_prediction_notes(services, second_desktop, alice):
    entry = services.family.create(alice.token, FamilyDraft("Aunt", 50, "Ovarian cancer"))
    second_desktop.family.update(
        alice.token, entry.id, FamilyDraft("Aunt", 51, "Ovarian cancer"), entry.version
    )
    with pytest.raises(ConflictError):
        services.family.update(alice.token, entry.id, FamilyDraft("Aunt", 52, "x"), entry.version)
    profile = services.profile.get(alice.token)
    second_desktop.profile.update(alice.token, ProfileUpdate(name="Alice A", age=30), profile.version)
    with pytest.raises(ConflictError):
        services.profile.update(alice.token, ProfileUpdate(name="Alice B", age=31), profile.version)
    saved = services.predictions.save(alice.token, FEATURES)
    second_desktop.predictions.annotate(alice.token, saved.id, "one", saved.version)
    with pytest.raises(ConflictError):
        services.predictions.annotate(alice.token, saved.id, "two", saved.version)


def test_a_change_committed_between_read_and_write_is_caught_by_the_version_counter(
    services, second_desktop, alice, db_url
):
    """The race the explicit check cannot see: desktop 2 has already read the row when desktop 1
    commits. PostgreSQL, MariaDB: UPDATE ... WHERE version_id = 1 matches nothing -> ConflictError. SQLite
    (WAL): the stale read snapshot cannot be upgraded to a write -> "database is busy"; either way
    nothing is overwritten."""
    record = services.records.create(alice.token, DRAFT)
    server = db_url.startswith(("postgresql", "mysql"))
    expected = (ConflictError,) if server else (ConflictError, DatabaseError)
    with pytest.raises(expected), second_desktop.context.unit_of_work() as s:
        row = s.get(MedicalRecord, record.id)
        assert row is not None and row.version_id == 1
        services.records.update(
            alice.token, record.id, RecordDraft(**{**DRAFT.__dict__, "result": "first"}), 1
        )
        row.result = "second"
        s.commit()
    final = services.records.get(alice.token, record.id)
    assert final.result == "first" and final.version == 2


def test_two_desktops_writing_at_once_lose_nothing(services, second_desktop, alice, bob):
    """Four threads on two Database objects add and edit records, sign in and fail sign-ins at the
    same time: every acknowledged write is there exactly once, with one audit row each, and no
    "database is busy" (SQLite write units take the lock up front and queue)."""
    import threading

    per_thread = 8
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    created: dict[str, list[int]] = {alice.token: [], bob.token: []}

    def work(desk, session, tag):
        try:
            barrier.wait(timeout=30)
            for i in range(per_thread):
                record = desk.records.create(
                    session.token, RecordDraft(**{**DRAFT.__dict__, "type": f"{tag} {i}"})
                )
                desk.records.update(
                    session.token,
                    record.id,
                    RecordDraft(**{**DRAFT.__dict__, "type": f"{tag} {i}", "result": "edited"}),
                    record.version,
                )
                created[session.token].append(record.id)
                desk.auth.sign_in(session.user.email, "correct horse battery")
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(services, alice, "a1")),
        threading.Thread(target=work, args=(second_desktop, alice, "a2")),
        threading.Thread(target=work, args=(services, bob, "b1")),
        threading.Thread(target=work, args=(second_desktop, bob, "b2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for session in (alice, bob):
        page = services.records.list(session.token, RecordQuery(limit=1000))
        assert sorted(r.id for r in page.rows) == sorted(created[session.token])
        assert page.total == 2 * per_thread and all(
            r.result == "edited" and r.version == 2 for r in page.rows
        )
    with services.database.unit_of_work() as s:
        audit_counts = dict(
            s.execute(sa.select(AuditLog.action, sa.func.count()).group_by(AuditLog.action)).all()
        )
    assert audit_counts["create"] == 4 * per_thread and audit_counts["update"] == 4 * per_thread
    assert audit_counts["sign_in"] == 4 * per_thread + 3  # + admin, alice, bob from the fixtures


def test_two_desktops_creating_the_first_admin_at_once_make_exactly_one(services, second_desktop):
    import threading

    from desktop.domain.errors import AuthenticationError

    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def first_run(desk, email):
        barrier.wait(timeout=30)
        try:
            outcomes.append(desk.auth.create_first_admin(email, "First", "correct horse battery"))
        except AuthenticationError as error:
            outcomes.append(error)

    threads = [
        threading.Thread(target=first_run, args=(services, "one@clinic.example")),
        threading.Thread(target=first_run, args=(second_desktop, "two@clinic.example")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(o).__name__ for o in outcomes) == ["AuthenticationError", "CurrentUser"]
    with services.database.unit_of_work() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(sa.table("user"))) == 1
