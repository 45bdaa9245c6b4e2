"""Storing loses nothing and never doubles figures."""

from decimal import Decimal

import pytest

from kpi import importer, store
from tests.helpers import load, query

SEPT = "Дата;Менеджер;Клиент;Сумма\n01.09.2026;Иванов И.И.;А;100\n02.09.2026;Иванов И.И.;Б;200\n"
SEPT_OCT = ("Дата;Менеджер;Клиент;Сумма\n"
            "05.09.2026;Иванов И.И.;А;1000\n10.10.2026;Иванов И.И.;А;50\n")


def total(db):
    return query(db, "SELECT coalesce(sum(amount), 0) FROM sales")[0][0]


def test_the_same_file_twice_is_stored_once(store_file):
    load(SEPT.encode())
    second = load(SEPT.encode())
    assert total(store_file) == Decimal("300.00")  # 100 + 200, not 600
    assert [r.same_file for r in second.replaces] == [True]
    # the first is fully replaced; its log line stays, saying by which import
    assert [(i["id"], i["replaced_by"]) for i in imports()] == [(2, None), (1, 2)]


def test_another_export_of_a_stored_month_replaces_that_month_only(store_file):
    load("Дата;Менеджер;Клиент;Сумма\n10.08.2026;Иванов И.И.;А;7\n".encode())
    load(SEPT.encode())
    result = load(SEPT_OCT.encode())
    assert [r.same_file for r in result.replaces] == [False]
    # August 7 kept; September 100 + 200 replaced by 1000; October 50 added
    assert total(store_file) == Decimal("1057.00")


def test_a_refused_file_leaves_the_store_as_it_was(store_file):
    load(SEPT.encode())
    assert isinstance(load(b"\x89PNG\r\n\x1a\n"), importer.Refusal)
    assert isinstance(load(b""), importer.Refusal)
    assert total(store_file) == Decimal("300.00")


def test_a_crash_in_the_middle_of_an_import_rolls_everything_back(store_file, monkeypatch):
    load(SEPT.encode())
    inspection = importer.inspect(SEPT_OCT.encode(), "x.csv")
    # a column the table lacks: the delete of September has run when the insert fails
    monkeypatch.setattr(inspection.typed, "rows", inspection.typed.rows.rename_columns(
        ["line", "doc_date", "document", "manager", "client", "amount", "is_return", "no_such_column"]))
    with pytest.raises(Exception):
        importer.commit(inspection)
    assert total(store_file) == Decimal("300.00")
    assert len(imports()) == 1


def test_deleting_an_import_removes_its_rows(store_file):
    load(SEPT.encode())
    load("Дата;Менеджер;Клиент;Сумма\n10.10.2026;Иванов И.И.;А;50\n".encode())
    with store.connect() as con:
        store.delete_import(con, 1, "director1")
    assert total(store_file) == Decimal("50.00")
    deleted = next(i for i in imports() if i["id"] == 1)  # the audit trail keeps the line
    assert deleted["deleted_by"] == "director1" and deleted["deleted_at"] is not None
    with store.connect() as con, pytest.raises(store.NoSuchImport, match="Загрузки №1 нет"):
        store.delete_import(con, 1)  # already deleted


def test_reading_a_missing_store_is_empty_and_creates_nothing(tmp_path):
    missing = tmp_path / "none.duckdb"
    with store.reader(missing) as con:
        assert store.list_imports(con) == []
    assert not missing.exists()


def imports():
    with store.reader() as con:
        return store.list_imports(con)


def test_several_sessions_importing_at_once_lose_nothing_and_double_nothing(store_file):
    """Streamlit serves each browser session on its own thread; eight people upload at once:
    four the same March export, four one month each (April to July)."""
    import threading

    def export(month: int) -> bytes:
        rows = "".join(f"{d:02d}.{month:02d}.2026;М{i} И.И.;К{i};1\n" for d in range(1, 21) for i in range(30))
        return ("Дата;Менеджер;Клиент;Сумма\n" + rows).encode()

    errors = []

    def upload(month: int) -> None:
        try:
            importer.commit(importer.inspect(export(month), f"{month}.csv"))
        except Exception as e:  # noqa: BLE001 - any failure is the test's finding
            errors.append(e)

    threads = [threading.Thread(target=upload, args=(m,)) for m in (3, 3, 3, 3, 4, 5, 6, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # 5 months x 20 days x 30 managers x 1 = 3000: March once, not four times
    assert total(store_file) == Decimal("3000.00")
    assert len([i for i in imports() if i["replaced_by"] is None]) == 5
