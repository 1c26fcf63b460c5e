"""Medical records page: model contract, paging, add / edit / delete, conflict, filter, export, history."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.db.models import FamilyHistory
from desktop.db.types import utcnow
from desktop.domain.dto import RecordDraft, RecordQuery
from desktop.ui.pages.records import RecordsPage
from desktop.ui.tablemodels.family_model import FamilyModel
from desktop.ui.tablemodels.records_model import RecordsModel, StatusColourRole
from tests.ui.conftest import bulk_add_records


def _page(qtbot: Any, ctx: Any) -> RecordsPage:
    page = RecordsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def _idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=10_000)


def _add_many(ctx: Any, n: int) -> None:
    bulk_add_records(ctx.services, ctx.user.id, n)


def test_model_contract_and_fetch_more_over_many_rows(
    qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any
) -> None:
    _add_many(signed_in_ctx, 447)  # 450 with the fixture's three
    model = RecordsModel(signed_in_ctx)
    model.reload()
    assert model.rowCount() == RecordsModel.PAGE_SIZE
    assert model.total == 450
    qtmodeltester.check(model)  # also drives fetchMore from inside the insert notification
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 450
    ids = [model.dto(r).id for r in range(450)]
    assert len(set(ids)) == 450  # pages neither overlap nor skip rows
    assert model.index(0, 4).data(StatusColourRole) is not None


def test_view_fetches_more_when_scrolled_to_the_end(qtbot: Any, signed_in_ctx: Any) -> None:
    _add_many(signed_in_ctx, 297)
    page = _page(qtbot, signed_in_ctx)
    assert page.model.rowCount() == 200
    page.view.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == 300)
    assert "300 records" in page.count_label.text()


def test_sorting_and_filtering_are_done_by_the_service(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    assert [page.model.dto(r).type for r in range(3)] == ["Biopsy", "Mammogram", "Blood test"]  # date desc
    page.view.sortByColumn(1, page.view.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    assert [page.model.dto(r).type for r in range(3)] == ["Biopsy", "Blood test", "Mammogram"]
    assert page.model.query.sort == "type" and not page.model.query.descending
    page.search.setText("mammo")
    page.apply_filter()
    assert page.model.rowCount() == 1 and page.model.total == 1
    page.search.clear()
    page.status_filter.setCurrentIndex(page.status_filter.findData("pending"))
    assert [page.model.dto(r).type for r in range(page.model.rowCount())] == ["Biopsy"]


def test_add_a_record(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.new_item()
    dialog = page._dialog
    dialog.type_edit.setText("")
    dialog.save_button.click()
    _idle(qtbot, signed_in_ctx)
    assert dialog.errors["type"].has_error()  # validation shown next to the field
    dialog.type_edit.setText("Ultrasound")
    dialog.doctor.setText("Dr. Who")
    dialog.status.setCurrentIndex(dialog.status.findData("critical"))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert page.model.total == 4
    assert page.selected().type == "Ultrasound"
    assert page.selected().status_color == "#ef4444"


def test_edit_a_record_and_see_its_history(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.view.selectRow(1)
    before = page.selected()
    page.edit_selected()
    dialog = page._dialog
    assert dialog.type_edit.text() == before.type
    dialog.result_edit.setText("BI-RADS 2")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert page.model.dto(1).result == "BI-RADS 2"
    assert page.model.dto(1).version == before.version + 1
    page.view.selectRow(1)
    page.show_history()
    _idle(qtbot, signed_in_ctx)
    history = page._dialog
    qtbot.addWidget(history)
    assert history.table.rowCount() == 2  # created, changed
    history.table.selectRow(1)
    values = {
        history.details.item(r, 0).text(): (
            history.details.item(r, 1).text(),
            history.details.item(r, 2).text(),
        )
        for r in range(history.details.rowCount())
    }
    assert values["result"] == ("see notes", "BI-RADS 2")


def test_conflict_offers_to_reload(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.view.selectRow(0)
    dto = page.selected()
    page.edit_selected()
    dialog = page._dialog
    # someone else (another desktop, same account) saves first
    signed_in_ctx.services.records.update(
        signed_in_ctx.token,
        dto.id,
        RecordDraft(
            date=dto.date, type=dto.type, result="changed elsewhere", doctor=dto.doctor, status=dto.status
        ),
        dto.version,
    )
    dialog.result_edit.setText("my change")
    no_dialogs.answer = True
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_edit.text() == "changed elsewhere", timeout=10_000)
    assert [c[0] for c in no_dialogs.calls] == ["confirm"]
    assert "someone else" in no_dialogs.calls[0][1][1]
    assert signed_in_ctx.services.records.get(signed_in_ctx.token, dto.id).result == "changed elsewhere"
    dialog.result_edit.setText("my change again")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert signed_in_ctx.services.records.get(signed_in_ctx.token, dto.id).result == "my change again"


def test_delete_asks_first(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.view.selectRow(0)
    doomed = page.selected()
    no_dialogs.answer = False
    page.delete_selected()
    assert not signed_in_ctx.runner.is_running()
    assert page.model.total == 3
    no_dialogs.answer = True
    page.delete_selected()
    qtbot.waitUntil(lambda: page.model.total == 2, timeout=10_000)
    assert page.model.row_of(doomed.id) == -1
    assert no_dialogs.messages("error") == []


def test_export_writes_every_matching_row(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any, tmp_path: Path
) -> None:
    _add_many(signed_in_ctx, 297)
    page = _page(qtbot, signed_in_ctx)
    no_dialogs.file = str(tmp_path / "out.csv")
    page.export_csv()
    _idle(qtbot, signed_in_ctx)
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["Date", "Type"]
    assert len(rows) == 301  # all rows, not just the 200 fetched
    assert "Exported 300 records" in no_dialogs.messages("info")[0]


def test_rows_added_changed_and_deleted_between_fetches_do_not_repeat_or_vanish(
    qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any
) -> None:
    """fetchMore continues after the last row shown (the service's cursor), not at an offset that rows
    added or deleted meanwhile have shifted: with OFFSET, deleting a shown row would skip one below."""
    _add_many(signed_in_ctx, 447)
    services, token = signed_in_ctx.services, signed_in_ctx.token
    model = RecordsModel(signed_in_ctx)
    model.reload()
    everything = {r.id for r in services.records.list(token, RecordQuery(limit=1000)).rows}
    shown = [model.dto(r) for r in range(model.rowCount())]
    services.records.create(token, RecordDraft(date="2030-01-01", type="Newest"))  # above the cursor
    services.records.delete(token, shown[5].id, shown[5].version)  # shifts every offset below by one
    moved = services.records.update(  # a shown row moves below the cursor: it is not shown twice
        token, shown[7].id, RecordDraft(date="2000-01-01", type=shown[7].type), shown[7].version
    )
    unfetched = services.records.list(token, RecordQuery(offset=300, limit=1)).rows[0]
    services.records.delete(token, unfetched.id, unfetched.version)
    while model.canFetchMore():
        model.fetchMore()
    ids = [model.dto(r).id for r in range(model.rowCount())]
    assert len(ids) == len(set(ids))
    assert set(ids) == everything - {unfetched.id}  # the deleted shown row stays until a reload
    assert model.row_of(moved.id) == 7
    assert model.total == 450 + 1 - 2
    qtmodeltester.check(model)


def test_family_model_fetches_by_cursor(qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any) -> None:

    now = utcnow()
    rows = [
        {
            "user_id": signed_in_ctx.user.id,
            "relation": f"Cousin {i % 4}",
            "age": 30 + i % 7,
            "condition": "Asthma",
            "created_at": now,
            "version_id": 1,
        }
        for i in range(1248)
    ]
    with signed_in_ctx.services.database.engine.begin() as conn:
        conn.execute(FamilyHistory.__table__.insert(), rows)
    model = FamilyModel(signed_in_ctx)
    model.sort(1, Qt.SortOrder.AscendingOrder)  # by age: many ties across page edges
    assert model.rowCount() == FamilyModel.PAGE_SIZE and model.total == 1250
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    ages = [model.dto(r).age for r in range(model.rowCount())]
    assert model.rowCount() == 1250 == len({model.dto(r).id for r in range(1250)})
    assert ages == sorted(ages)
    assert not model.canFetchMore()
