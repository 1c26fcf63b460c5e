"""Property tests: arbitrary text and numbers fed into every service input either succeed or raise the
domain's ValidationError (or the documented error of that call), and the database stays consistent.

Examples are kept few (CI time); each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from desktop.domain.dto import (
    AuditQuery,
    FamilyDraft,
    FamilyQuery,
    PredictionQuery,
    ProfileUpdate,
    RecordDraft,
    RecordQuery,
)
from desktop.domain.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from desktop.domain.features import FEATURE_NAMES
from tests.services.test_predictions import FEATURES

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("CLINICDESK_HYPOTHESIS_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize="CLINICDESK_HYPOTHESIS_EXAMPLES" not in os.environ,
)

anything = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.none(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates().map(str),
    st.sampled_from(["pending", "critical", "O+", "ab-", "2024-02-29", "", " ", "\x00", "\ud800"]),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**70), 2**70), st.text(max_size=5)
)


def assert_consistent(services) -> None:
    """No dangling foreign keys; every per-user row belongs to an existing account."""
    with services.database.unit_of_work() as s:
        if services.database.is_sqlite:
            assert s.execute(text("PRAGMA foreign_key_check")).fetchall() == []
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        user = s.get_bind().dialect.identifier_preparer.quote("user")
        for table in ("medicalrecord", "familyhistory", "breastcancerprediction", "session"):
            orphans = s.execute(
                text(
                    f"SELECT count(*) FROM {table} t LEFT JOIN {user} u ON u.id = t.user_id WHERE u.id IS NULL"
                )
            ).scalar()
            assert orphans == 0, table


@PROPERTY_SETTINGS
@given(date=anything, type_=anything, result=anything, doctor=anything, notes=anything, status=anything)
def test_record_inputs(services, alice, date, type_, result, doctor, notes, status):
    draft = RecordDraft(date=date, type=type_, result=result, doctor=doctor, notes=notes, status=status)
    try:
        created = services.records.create(alice.token, draft)
    except ValidationError as error:
        assert error.message
    else:
        assert services.records.get(alice.token, created.id) == created
        try:
            services.records.update(alice.token, created.id, draft, created.version)
        except ValidationError:  # pragma: no cover - the same draft was valid a moment ago
            pytest.fail("a draft accepted by create was refused by update")
    assert_consistent(services)


@PROPERTY_SETTINGS
@given(
    offset=anything,
    limit=anything,
    sort=anything,
    descending=st.booleans(),
    search=anything,
    status=anything,
    date_from=st.one_of(st.none(), st.dates(), anything),
    date_to=st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 1))),
)
def test_record_queries(services, alice, offset, limit, sort, descending, search, status, date_from, date_to):
    query = RecordQuery(
        offset=offset,
        limit=limit,
        sort=sort,
        descending=descending,
        text=search,
        status=status,
        date_from=date_from,
        date_to=date_to,
    )
    try:
        page = services.records.list(alice.token, query)
        assert page.total >= len(page.rows)
        services.records.count(alice.token, query)
    except ValidationError as error:
        assert error.message


@PROPERTY_SETTINGS
@given(relation=anything, age=anything, condition=anything, search=anything, record_id=anything)
def test_family_inputs(services, alice, relation, age, condition, search, record_id):
    try:
        entry = services.family.create(
            alice.token, FamilyDraft(relation=relation, age=age, condition=condition)
        )
        services.family.update(alice.token, entry.id, FamilyDraft(relation, age, condition), entry.version)
    except ValidationError as error:
        assert error.message
    with contextlib.suppress(ValidationError):
        services.family.list(alice.token, FamilyQuery(text=search))
    for call in (
        services.family.get,
        services.family.history,
        services.records.get,
        services.predictions.get,
    ):
        with pytest.raises(NotFoundError):
            call(alice.token, record_id if not isinstance(record_id, int) else -abs(record_id))
    assert_consistent(services)


@PROPERTY_SETTINGS
@given(
    name=anything,
    age=anything,
    phone=anything,
    contact=anything,
    blood=anything,
    allergies=anything,
    medications=anything,
)
def test_profile_inputs(services, alice, name, age, phone, contact, blood, allergies, medications):
    profile = services.profile.get(alice.token)
    update = ProfileUpdate(
        name=name,
        age=age,
        phone=phone,
        emergency_contact=contact,
        blood_type=blood,
        allergies=allergies,
        medications=medications,
    )
    try:
        saved = services.profile.update(alice.token, update, profile.version)
    except ValidationError as error:
        assert error.fields
    else:
        assert services.profile.get(alice.token) == saved
    assert_consistent(services)


@PROPERTY_SETTINGS
@given(
    changed=st.dictionaries(st.sampled_from(FEATURE_NAMES), numbers, max_size=3),
    dropped=st.lists(st.sampled_from(FEATURE_NAMES), max_size=2),
    extra=st.dictionaries(st.text(max_size=10), numbers, max_size=1),
    risk=st.one_of(st.sampled_from(["Low", "Medium", "High"]), anything),
    notes=anything,
)
def test_prediction_inputs(services, alice, changed, dropped, extra, risk, notes):
    features = {**FEATURES, **changed, **extra}
    for name in dropped:
        features.pop(name, None)
    try:
        saved = services.predictions.save(alice.token, features, notes, confirm_out_of_range=True)
    except ValidationError as error:
        assert error.fields
    else:
        assert services.predictions.get(alice.token, saved.id) == saved
        assert saved.features == {name: float(features[name]) for name in FEATURE_NAMES}
        try:
            services.predictions.annotate(alice.token, saved.id, notes, saved.version)
        except ValidationError:  # pragma: no cover
            pytest.fail("notes accepted by save were refused by annotate")
    with contextlib.suppress(ValidationError):
        services.predictions.list(alice.token, PredictionQuery(offset=0, limit=10, risk_level=risk))
    assert_consistent(services)


@PROPERTY_SETTINGS
@given(email=anything, name=anything, password=anything)
def test_account_inputs(services, admin, email, name, password):
    for call in (
        lambda: services.auth.register(email, name, password),
        lambda: services.users.create_user(admin.token, email, name, password),
    ):
        try:
            call()
        except (ValidationError, ConflictError) as error:
            assert error.message
    try:
        services.auth.sign_in(email, password)
    except AuthenticationError as error:
        assert error.message
    with contextlib.suppress(ValidationError):
        services.audit.list(
            admin.token, AuditQuery(text=email, action=name if isinstance(name, str) else None)
        )
    assert_consistent(services)


@PROPERTY_SETTINGS
@given(ident=anything, version=anything, token=anything)
def test_ids_versions_and_tokens(services, alice, ident, version, token):
    """Arbitrary ids / versions give "not found" / a validation or conflict message; arbitrary tokens
    give "signed out"; nothing else escapes and nothing changes."""
    from desktop.domain.errors import SessionExpiredError

    record = services.records.create(alice.token, RecordDraft(date="2024-01-01", type="Keep me"))
    draft = RecordDraft(date="2024-01-02", type="Changed")
    calls = [
        lambda: services.records.update(alice.token, ident, draft, version),
        lambda: services.records.delete(alice.token, ident, version),
        lambda: services.family.update(alice.token, ident, FamilyDraft("Mother", 50, "x"), version),
        lambda: services.predictions.annotate(alice.token, ident, "x", version),
        lambda: services.records.update(
            alice.token, record.id, RecordDraft(date="2024-01-01", type="Keep me"), version
        ),
    ]
    for call in calls:
        try:
            call()
        except (NotFoundError, ValidationError, ConflictError) as error:
            assert error.message
    if token != alice.token:
        with pytest.raises(SessionExpiredError):
            services.records.list(token)
    assert_consistent(services)
