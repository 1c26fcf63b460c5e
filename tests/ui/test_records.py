"""Medical records page: model contract, paging, add / edit / delete, conflict, filter, export, history."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from desktop.domain.dto import RecordDraft
from desktop.ui.pages.records import RecordsPage
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


def test_model_contract_and_fetch_more_over_many_rows(qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any) -> None:
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
    dialog.type.setText("")
    dialog.save_button.click()
    _idle(qtbot, signed_in_ctx)
    assert dialog.errors["type"].has_error()  # validation shown next to the field
    dialog.type.setText("Ultrasound")
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
    assert dialog.type.text() == before.type
    dialog.result.setText("BI-RADS 2")
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
    values = {history.details.item(r, 0).text(): (history.details.item(r, 1).text(), history.details.item(r, 2).text())
              for r in range(history.details.rowCount())}
    assert values["result"] == ("see notes", "BI-RADS 2")


def test_conflict_offers_to_reload(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.view.selectRow(0)
    dto = page.selected()
    page.edit_selected()
    dialog = page._dialog
    # someone else (another desktop, same account) saves first
    signed_in_ctx.services.records.update(signed_in_ctx.token, dto.id, RecordDraft(
        date=dto.date, type=dto.type, result="changed elsewhere", doctor=dto.doctor, status=dto.status), dto.version)
    dialog.result.setText("my change")
    no_dialogs.answer = True
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result.text() == "changed elsewhere", timeout=10_000)
    assert [c[0] for c in no_dialogs.calls] == ["confirm"]
    assert "someone else" in no_dialogs.calls[0][1][1]
    assert signed_in_ctx.services.records.get(signed_in_ctx.token, dto.id).result == "changed elsewhere"
    dialog.result.setText("my change again")
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


def test_export_writes_every_matching_row(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any, tmp_path: Path) -> None:
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
