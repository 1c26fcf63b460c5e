"""The id lists the tables hold: ``ids`` gives every matching row's id in the query's order (the
order the paged ``list`` gives, for every sort column and direction, with filters and ties), and
``rows`` the rows for some of those ids in the order asked, leaving out rows deleted meanwhile and
rows of other patients' charts. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest

from desktop.domain.dto import (
    FAMILY_SORT_COLUMNS,
    MAX_PAGE_SIZE,
    RECORD_SORT_COLUMNS,
    AuditQuery,
    FamilyQuery,
    PredictionQuery,
    RecordQuery,
)
from desktop.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from desktop.ui.sample_cases import BENIGN_EXAMPLE
from tests.services.test_keyset_paging import add_family, add_records, walk_offset
from tests.services.test_predictions import FEATURES


def test_record_ids_follow_every_order_and_filter(services: Any, alice: Any, bob: Any) -> None:
    add_records(services, alice.user.id, 60)
    add_records(services, bob.user.id, 10, salt=1)  # someone else's: never listed
    list_call = lambda q: services.records.list(alice.token, q)  # noqa: E731
    filters = (RecordQuery(), RecordQuery(text="grey"), RecordQuery(status="critical"))
    for sort, descending, base in itertools.product(RECORD_SORT_COLUMNS, (False, True), filters):
        query = replace(base, sort=sort, descending=descending)
        assert list(services.records.ids(alice.token, query)) == walk_offset(list_call, query), query


def test_family_ids_follow_every_order(services: Any, alice: Any) -> None:
    add_family(services, alice.user.id, 40)
    list_call = lambda q: services.family.list(alice.token, q)  # noqa: E731
    for sort, descending in itertools.product(FAMILY_SORT_COLUMNS, (False, True)):
        query = FamilyQuery(sort=sort, descending=descending, text="a")
        assert list(services.family.ids(alice.token, query)) == walk_offset(list_call, query)


def test_rows_come_in_the_order_asked_without_deleted_or_foreign_rows(
    services: Any, alice: Any, bob: Any
) -> None:
    add_records(services, alice.user.id, 30)
    add_records(services, bob.user.id, 5)
    ids = services.records.ids(alice.token)
    wanted = [ids[20], ids[3], ids[11], ids[0]]
    assert [r.id for r in services.records.rows(alice.token, wanted)] == wanted
    assert services.records.rows(alice.token, wanted) == tuple(
        services.records.get(alice.token, i) for i in wanted
    )
    gone = services.records.get(alice.token, ids[3])
    services.records.delete(alice.token, gone.id, gone.version)
    assert [r.id for r in services.records.rows(alice.token, wanted)] == [ids[20], ids[11], ids[0]]
    assert services.records.rows(bob.token, wanted) == ()  # another account's ids read as missing
    assert services.records.rows(alice.token, []) == ()


@pytest.mark.parametrize(
    "ids",
    [
        "1,2,3",
        [1, "2"],
        [0],
        [-5],
        [True],
        [1.0],
        list(range(1, MAX_PAGE_SIZE + 2)),
    ],
)
def test_rows_refuse_what_is_not_a_short_list_of_ids(services: Any, alice: Any, ids: Any) -> None:
    with pytest.raises(ValidationError):
        services.records.rows(alice.token, ids)


def test_a_patient_naming_another_patients_chart_finds_nothing(services: Any, alice: Any, bob: Any) -> None:
    for call in (
        lambda: services.records.ids(bob.token, patient_id=alice.user.id),
        lambda: services.records.rows(bob.token, [1], patient_id=alice.user.id),
        lambda: services.family.ids(bob.token, patient_id=alice.user.id),
        lambda: services.family.rows(bob.token, [1], patient_id=alice.user.id),
        lambda: services.predictions.ids(bob.token, patient_id=alice.user.id),
        lambda: services.predictions.rows(bob.token, [1], patient_id=alice.user.id),
    ):
        with pytest.raises(NotFoundError):  # ids reveal nothing, as for a missing patient
            call()


def test_prediction_ids_newest_first_and_by_risk(services: Any, alice: Any, clock: Any) -> None:
    high = services.predictions.save(alice.token, FEATURES)
    clock.advance(minutes=1)
    low = services.predictions.save(alice.token, BENIGN_EXAMPLE)
    assert services.predictions.ids(alice.token) == (low.id, high.id)
    assert services.predictions.ids(alice.token, PredictionQuery(descending=False)) == (high.id, low.id)
    assert services.predictions.ids(alice.token, PredictionQuery(risk_level="High")) == (high.id,)
    assert services.predictions.rows(alice.token, [high.id]) == (
        services.predictions.get(alice.token, high.id),
    )
    with pytest.raises(ValidationError):
        services.predictions.ids(alice.token, PredictionQuery(risk_level="Extreme"))


def test_audit_ids_and_rows_match_the_paged_list(services: Any, admin: Any, alice: Any) -> None:
    add_records(services, alice.user.id, 3)
    for record_id in services.records.ids(alice.token):
        dto = services.records.get(alice.token, record_id)
        services.records.delete(alice.token, dto.id, dto.version)
    for query in (
        AuditQuery(),
        AuditQuery(descending=False),
        AuditQuery(action="delete"),
        AuditQuery(text="ALICE@"),
    ):
        listed = [e.id for e in services.audit.list(admin.token, replace(query, limit=MAX_PAGE_SIZE)).rows]
        ids = services.audit.ids(admin.token, query)
        assert list(ids) == listed and ids
        assert [e.id for e in services.audit.rows(admin.token, ids)] == listed
    with pytest.raises(PermissionDeniedError):
        services.audit.ids(alice.token)


def test_account_ids_by_email(services: Any, admin: Any, alice: Any, bob: Any) -> None:
    ids = services.users.account_ids(admin.token)
    accounts = services.users.accounts(admin.token, ids)
    assert [a.email for a in accounts] == sorted(a.email for a in services.users.list_accounts(admin.token))
    assert services.users.accounts(admin.token, [bob.user.id, "no-such-id", alice.user.id]) == (
        *services.users.accounts(admin.token, [bob.user.id]),
        *services.users.accounts(admin.token, [alice.user.id]),
    )
    services.users.deactivate(admin.token, bob.user.id)
    assert bob.user.id not in services.users.account_ids(admin.token, include_inactive=False)
    with pytest.raises(PermissionDeniedError):
        services.users.account_ids(alice.token)
    with pytest.raises(ValidationError):
        services.users.accounts(admin.token, "not a list")
