"""How SQLite answers the records table's id query (EXPLAIN QUERY PLAN of the very statement the
service sends): the default order (date newest first) and a date range come from the index on
(user_id, date, id) without a sort; a filter on what only the row holds (text, status) reads the
patient's rows through the index on user_id in table order and sorts the matches, instead of walking
the date index with one scattered row lookup each. The order itself is checked on every database
in test_id_lists.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from desktop.domain.dto import RecordQuery
from tests.services.test_keyset_paging import add_records

DATE_INDEX = "ix_medicalrecord_user_id_date_id"
OWNER_INDEX = "ix_medicalrecord_user_id"

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def plan_of_ids(services: Any, alice: Any) -> Iterator[Any]:
    """``plan(query)``: the query plan lines of the SELECT that ``records.ids(query)`` sends."""
    add_records(services, alice.user.id, 50)
    engine = services.database.engine
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT MEDICALRECORD.ID"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)

    def plan(query: RecordQuery) -> list[str]:
        sent.clear()
        services.records.ids(alice.token, query)
        ((statement, parameters),) = sent
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return [str(row[-1]) for row in rows]

    yield plan
    event.remove(engine, "before_cursor_execute", keep)


def uses(plan: list[str], index: str) -> bool:
    return any(f"INDEX {index} " in line for line in plan)


def sorts(plan: list[str]) -> bool:
    return any("TEMP B-TREE" in line for line in plan)


@pytest.mark.parametrize(
    "query",
    [
        RecordQuery(),
        RecordQuery(descending=False),
        RecordQuery(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 28)),
    ],
    ids=["newest first", "oldest first", "date range"],
)
def test_the_date_order_is_read_from_the_index_without_a_sort(plan_of_ids: Any, query: RecordQuery) -> None:
    plan = plan_of_ids(query)
    assert uses(plan, DATE_INDEX) and not sorts(plan), plan


@pytest.mark.parametrize(
    "query",
    [
        RecordQuery(status="critical"),
        RecordQuery(text="grey"),
        RecordQuery(text="grey", status="normal"),
        RecordQuery(sort="type", descending=False),
    ],
    ids=["status", "text", "text and status", "another column"],
)
def test_filters_on_the_row_read_the_owners_rows_in_table_order(plan_of_ids: Any, query: RecordQuery) -> None:
    plan = plan_of_ids(query)
    assert uses(plan, OWNER_INDEX) and not uses(plan, DATE_INDEX) and sorts(plan), plan
