"""Medical records page: model contract, rows on demand, add / edit / delete, conflict, filter, export,
history, rows changed or deleted elsewhere."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.db.models import FamilyHistory
from desktop.db.types import utcnow
from desktop.domain.dto import RecordDraft
from desktop.ui.pages.records import RecordsPage
from desktop.ui.tablemodels.family_model import FamilyModel
from desktop.ui.tablemodels.id_list_model import REMOVED_TEXT
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


def test_model_contract_over_many_rows(qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any) -> None:
    _add_many(signed_in_ctx, 447)  # 450 with the fixture's three
    model = RecordsModel(signed_in_ctx)
    model.reload()
    assert model.rowCount() == model.total == 450  # every row counted at once: the scroll bar is right
    qtmodeltester.check(model)
    ids = [model.dto(r).id for r in range(450)]
    assert ids == list(signed_in_ctx.services.records.ids(signed_in_ctx.token))
    assert model.index(0, 4).data(StatusColourRole) is not None


def test_view_shows_the_last_row_when_scrolled_to_the_end(qtbot: Any, signed_in_ctx: Any) -> None:
    _add_many(signed_in_ctx, 297)
    page = _page(qtbot, signed_in_ctx)
    assert page.model.rowCount() == 300
    assert "300 records" in page.count_label.text()
    page.view.scrollToBottom()
    last = page.model.index(299, 0)
    qtbot.waitUntil(
        lambda: (
            page.view.visualRect(last).isValid()
            and page.view.viewport().rect().contains(page.view.visualRect(last).center())
        )
    )
    oldest = signed_in_ctx.services.records.ids(signed_in_ctx.token)[-1]
    assert page.model.dto(299).id == oldest
    assert last.data() == signed_in_ctx.services.records.get(signed_in_ctx.token, oldest).date


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
    assert values["Result"] == ("see notes", "BI-RADS 2")
    # Row 1 is the fixture's mammogram, stored "abnormal"; the edit changed only its result.
    assert before.type == "Mammogram"
    assert values["Status"] == ("Abnormal", "Abnormal")  # the status code shown as its word


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
    assert len(rows) == 301  # all rows, not just those shown
    assert "Exported 300 records" in no_dialogs.messages("info")[0]


def test_a_row_deleted_before_it_is_fetched_shows_as_removed(
    qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any
) -> None:
    """The ids were read; another desktop deletes a row the table has not fetched yet: that row says
    "(deleted)", and its neighbours still show their own values (never shifted by one)."""
    _add_many(signed_in_ctx, 297)
    services, token = signed_in_ctx.services, signed_in_ctx.token
    page = _page(qtbot, signed_in_ctx)
    ids = services.records.ids(token)
    doomed = services.records.get(token, ids[250])
    services.records.delete(token, doomed.id, doomed.version)  # another desktop, same account
    page.view.scrollTo(page.model.index(250, 0))
    page.view.viewport().repaint()  # the view asks for the rows it now shows
    assert page.model.index(250, 0).data() == REMOVED_TEXT
    assert page.model.dto(250) is None and page.model.index(250, 1).data() is None
    assert page.model.dto(249).id == ids[249] and page.model.dto(251).id == ids[251]
    assert not page.model.flags(page.model.index(250, 0)) & Qt.ItemFlag.ItemIsEnabled
    qtmodeltester.check(page.model)
    page.refresh()  # re-reads the ids: the removed row is gone
    assert page.model.total == 299 and page.model.row_of(doomed.id) == -1


def test_refresh_shows_changes_from_elsewhere_and_keeps_the_place(qtbot: Any, signed_in_ctx: Any) -> None:
    _add_many(signed_in_ctx, 297)
    services, token = signed_in_ctx.services, signed_in_ctx.token
    page = _page(qtbot, signed_in_ctx)
    page.select_id(page.model.id_at(150))
    chosen = page.selected()
    top = page.model.id_at(page.view.rowAt(0))
    assert top is not None and top != page.model.id_at(0)
    # Another desktop adds a newer record (above the selection) and changes the selected one.
    services.records.create(token, RecordDraft(date="2030-01-01", type="Newest"))
    services.records.update(
        token,
        chosen.id,
        RecordDraft(date=chosen.date, type=chosen.type, result="seen elsewhere"),
        chosen.version,
    )
    assert page.selected().result != "seen elsewhere"  # shown as read until a refresh
    page.refresh()
    assert page.model.total == 301
    assert page.selected().id == chosen.id and page.selected().result == "seen elsewhere"
    assert page.model.id_at(page.view.rowAt(0)) == top  # the same rows in view, one row further down


def test_an_edit_repaints_the_row_in_place(qtbot: Any, signed_in_ctx: Any) -> None:
    _add_many(signed_in_ctx, 297)
    page = _page(qtbot, signed_in_ctx)
    page.select_id(page.model.id_at(200))
    top = page.view.rowAt(0)
    page.edit_selected()
    dialog = page._dialog
    dialog.result_edit.setText("edited here")
    with qtbot.waitSignal(page.model.dataChanged, timeout=10_000):
        dialog.save_button.click()
    assert page.model.dto(200).result == "edited here"
    assert page.model.index(200, 2).data() == "edited here"
    assert page.view.rowAt(0) == top and page.selected().result == "edited here"


def test_family_model_sorts_in_sql(qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any) -> None:

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
    assert model.rowCount() == model.total == 1250
    qtmodeltester.check(model)
    ages = [model.dto(r).age for r in range(model.rowCount())]
    assert len({model.dto(r).id for r in range(1250)}) == 1250
    assert ages == sorted(ages)


def test_a_failed_fetch_while_scrolling_says_why_and_stops(qtbot: Any, signed_in_ctx: Any) -> None:
    _add_many(signed_in_ctx, 297)
    page = _page(qtbot, signed_in_ctx)
    signed_in_ctx.services.auth.sign_out(signed_in_ctx.token)  # e.g. ended from another desktop
    errors: list[BaseException] = []
    page.model.fetch_failed.connect(errors.append)
    with qtbot.waitSignal(signed_in_ctx.runner.session_expired, timeout=5_000):
        page.view.scrollToBottom()
        page.view.viewport().repaint()  # the rows now in view are fetched, and refused
    assert "sign in" in page.count_label.text().lower()
    assert page.model.dto(299) is None and page.model.index(299, 0).data() is None  # blank
    assert len(errors) == 1  # one refusal, not one per painted cell
