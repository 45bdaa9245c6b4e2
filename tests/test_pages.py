"""The upload and history pages, driven by Streamlit's AppTest (no browser)."""

import datetime as dt
from decimal import Decimal

from streamlit.testing.v1 import AppTest

from kpi import store
from tests.conftest import ROOT
from tests.helpers import query

SALES = "Дата;Менеджер;Клиент;Сумма\n01.12.2026;Иванов И.И.;А;100\n02.12.2026;Иванов И.И.;Б;oops\n"


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    return at


def page_on(page: str, *files: tuple[str, str]) -> AppTest:
    """The page on a store holding only these (text, file name) exports, no sample."""
    from tests.helpers import load

    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    for text, name in files:
        load(text.encode(), name)
    at = app()
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_first_launch_loads_the_sample_company(store_file):
    at = app()
    assert not at.exception
    with store.reader() as con:
        kinds = {i["kind"] for i in store.list_imports(con)}
    assert kinds == {"sales", "plan", "receivables", "activities", "candidates"}


def test_upload_preview_confirm_and_history(store_file):
    at = app()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="uploader_0").upload("продажи_декабрь.csv", SALES.encode("cp1251"), "text/csv")
    at.run()
    text = " ".join(m.value for m in at.markdown).replace("\\", "")  # data is escaped for Markdown
    assert "продажи_декабрь.csv" in text and "Продажи (документы реализации), декабрь 2026" in text
    assert [m.value for m in at.metric] == ["1", "1", "0"]  # to store, refused, totals skipped
    problems = at.dataframe[0].value
    assert list(problems.iloc[0]) == ["3", 1, "Сумма", "oops", "ожидалась сумма, например 1 234 567,89"]
    assert query(store_file, "SELECT count(*) FROM sales WHERE doc_date >= '2026-12-01'") == [(0,)]

    at.button(key="save").click().run()
    saved = at.warning[0].value.replace("\\", "")  # a row was refused: a warning, not a success
    assert "Сохранено: продажи_декабрь.csv" in saved and "не сохранено строк с ошибками: 1" in saved
    assert query(store_file, "SELECT sum(amount) FROM sales WHERE doc_date >= '2026-12-01'") == [
        (Decimal("100.00"),)]
    at.run()  # a rerun of the page must not store the file again
    assert query(store_file, "SELECT count(*) FROM sales WHERE doc_date >= '2026-12-01'") == [(1,)]

    at.switch_page("pages/history.py").run()
    history = at.dataframe[0].value
    assert history.iloc[0]["Файл"] == "продажи_декабрь.csv"
    assert history.iloc[0]["Строк"] == 1 and history.iloc[0]["Отклонено"] == 1


def test_a_refused_file_shows_why_and_offers_nothing_to_save(store_file):
    at = app()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="uploader_0").upload("photo.csv", b"\x89PNG\r\n\x1a\n", "text/csv")
    at.run()
    assert "Это не таблица, а изображение PNG" in at.error[0].value.replace("\\", "")
    assert not [b for b in at.button if b.key == "save"]


def test_receivables_without_a_date_can_be_given_one_on_the_page(store_file):
    at = app()
    at.switch_page("pages/upload.py").run()
    data = "Контрагент;Менеджер;Дата документа;Сумма долга\nА;И;01.12.2026;100\n".encode()
    at.file_uploader(key="uploader_0").upload("debt.csv", data, "text/csv")
    at.run()
    assert "--as-of" in at.error[0].value.replace("\\", "")
    at.date_input[0].set_value(dt.date(2026, 12, 15)).run()
    assert "на 15.12.2026" in " ".join(m.value for m in at.markdown)
    at.button(key="save").click().run()
    assert query(store_file, "SELECT as_of FROM receivables WHERE as_of = '2026-12-15'") == [
        (dt.date(2026, 12, 15),)]


def test_deleting_an_import_from_history(store_file):
    at = app()
    at.switch_page("pages/history.py").run()
    before = len(at.dataframe[0].value)
    at.selectbox(key="delete_pick").set_value(1).run()
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete").click().run()
    assert "Загрузка №1 удалена." in at.success[0].value
    log = at.dataframe[0].value  # the audit trail keeps the line, marked deleted
    assert len(log) == before
    assert log.set_index("№").loc[1, "Состояние"].startswith("удалена: администратор, ")
    assert 1 not in at.selectbox(key="delete_pick").options


def test_sales_page_shows_the_department_and_managers_worst_first(store_file):
    from tests.test_sales import PLANS, SALES

    at = page_on("pages/sales.py", (SALES, "sales.csv"), (PLANS, "plans.csv"))
    assert at.selectbox(key="sales_month").value.isoformat() == "2026-11-01"
    cards = {m.label: m.value for m in at.metric}
    assert cards["Факт"] == "2,9\u00a0тыс.\u00a0₽"  # 1700 + 0 + 800 + 400 = 2900
    assert cards["План"] == "2,7\u00a0тыс.\u00a0₽"  # 1700 + 1000 + 0
    assert cards["Выполнение"] == "107,4\u00a0%"  # 2900 / 2700
    managers = at.dataframe[0].value
    # worst first: Петров 0 %, Иванов 100 %, then those without a plan (Козлов zero, Сидоров none)
    assert list(managers["Менеджер"])[:2] == ["Петров П.П.", "Иванов И.И."]
    assert set(managers["Выполнение"].iloc[2:]) == {"нет плана"}
    at.segmented_control(key="sales_measure").set_value("active").run()
    assert {m.label: m.value for m in at.metric}["Факт"] == "4"  # А, В, Г, Д


def test_receivables_page_figures_and_remembered_bucket_edges(store_file):
    from tests.test_receivables import SNAPSHOT

    at = page_on("pages/receivables.py", (SNAPSHOT, "debt.csv"))
    cards = {m.label: m.value for m in at.metric}
    assert cards["Долг всего"] == "7,1\u00a0тыс.\u00a0₽"  # 7050: buckets 7000 + no term 50
    assert cards["Просрочено"] == "4,5\u00a0тыс.\u00a0₽"  # 1500 + 900 + 1300 + 800
    assert cards["Сверх кредитного лимита"] == "300\u00a0₽"  # М: 900 - 600
    assert "= долг всего 7\u00a0050 ✓" in " ".join(c.value for c in at.caption)
    managers = at.dataframe[0].value
    assert list(managers.columns[1:6]) == ["Не просрочено", "1–30 дн.", "31–60 дн.", "61–90 дн.",
                                           "более 90 дн."]
    at.text_input(key="rec_edges").set_value("30,60").run()
    again = app()  # a new session: the edges come back from the store
    again.switch_page("pages/receivables.py").run()
    assert again.text_input(key="rec_edges").value == "30,60"
    assert "более 60 дн." in list(again.dataframe[0].value.columns)


def test_meetings_page_counts_and_remembered_target(store_file):
    from tests.test_meetings import ACTIVITIES

    at = page_on("pages/meetings.py", (ACTIVITIES, "a.csv"))
    at.selectbox(key="meet_month").set_value(dt.date(2026, 10, 1)).run()
    cards = {m.label: m.value for m in at.metric}
    assert cards["Проведено встреч"] == "5"  # Иванов 4 + Петров 1 in October's weeks
    assert cards["Ниже цели"] == "3 из 3"
    assert cards["Отменено встреч"] == "1"
    table = at.dataframe[0].value
    assert list(table["Менеджер"]) == ["Сидоров С.С.", "Петров П.П.", "Иванов И.И."]  # 0, 0.2, 0.8
    assert list(table["В среднем в неделю"]) == ["0,0", "0,2", "0,8"]
    at.number_input(key="meet_target").set_value(1).run()
    again = app()
    again.switch_page("pages/meetings.py").run()
    assert again.number_input(key="meet_target").value == 1


def test_hiring_page_funnel_and_slot_planner(store_file):
    from tests.test_funnel import CANDIDATES

    at = page_on("pages/hiring.py", (CANDIDATES, "c_2026-11-20.csv"))
    cards = {m.label: m.value for m in at.metric}
    assert cards["Откликов"] == "4" and cards["Приглашено"] == "3"
    assert cards["Пришли из приглашённых"] == "66,7\u00a0%"  # 2 of 3
    assert "мало данных" in at.warning[0].value
    # one attendee at the measured 2/3 with 90 %: 1 - (1/3)^2 = 0.889 < 0.9 <= 1 - (1/3)^3
    at.number_input(key="slot_k").set_value(1).run()
    assert {m.label: m.value for m in at.metric}["Пригласить"] == "3"
    # SuperJob alone: 1 of 2 came; with 90 %: 1 - 0.5^3 = 0.875 < 0.9 <= 1 - 0.5^4 = 0.9375
    at.selectbox(key="hire_source").set_value("SuperJob").run()
    assert {m.label: m.value for m in at.metric}["Пригласить"] == "4"


def test_mapping_an_unrecognised_file_on_the_upload_page(store_file):
    from tests.test_mapping import ODD

    at = page_on("pages/upload.py")
    at.file_uploader(key="uploader_0").upload("odd.csv", ODD.encode(), "text/csv")
    at.run()
    assert "файл не принят" in at.error[0].value.replace("\\", "")  # and the mapping form:
    fid = next(s.key for s in at.selectbox if s.key.startswith("map_row_")).removeprefix("map_row_")
    assert at.selectbox(key=f"map_row_{fid}").value == 1  # the second row is the header
    at.selectbox(key=f"map_kind_{fid}").set_value("sales").run()
    for column, header in {"doc_date": "Дата отгрузки", "manager": "Продавец",
                           "client": "Получатель", "amount": "Итог по строке"}.items():
        at.selectbox(key=f"map_{fid}_sales_1_{column}").set_value(header)
    at.run()
    at.button(key=f"map_apply_{fid}").click().run()
    assert "Файл прочитан по сопоставлению" in " ".join(c.value for c in at.caption)
    at.button(key="save").click().run()
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(Decimal("150.00"),)]  # 100 + 50


def test_the_preview_says_what_was_not_understood_and_holds_a_stray_quote(store_file):
    from tests.test_grouped_reports import BODY, as_xlsx

    body = list(BODY)
    body[1] = (2, [None, "ООО Ромашка", 15, 1600])  # its rows give 1500
    stray = '"Кедр'
    lines = ["Дата;Менеджер;Клиент;Сумма;Склад"] + [
        f"{1 + i % 28:02d}.11.2026;Петров П.П.;{stray if i == 3 else 'ИП Кедр'};100;Основной"
        for i in range(30)]
    at = page_on("pages/upload.py")
    uploader = at.file_uploader(key="uploader_0")
    uploader.upload("Продажи.xlsx", as_xlsx(body), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    uploader.upload("quote.csv", ("\n".join(lines) + "\n").encode(), "text/csv")
    at.run()
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Отчёт с группировками строк (Менеджер, Контрагент, Регистратор)" in captions
    assert "Не используются столбцы: «Количество»" in captions
    assert "Не используются столбцы: «Склад»" in captions
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert "Строка 11, группа «ООО Ромашка»: итог в отчёте 1\u00a0600,00, а строки группы дают " \
           "1\u00a0500,00 (разница 100,00)" in warnings
    assert at.error[0].value.replace("\\", "").startswith("Строка 5: кавычка в начале значения «\"Кедр»")
    confirm = next(c for c in at.checkbox if c.key.startswith("confirm_"))
    assert at.button(key="save").label == "Сохранить файлы: 1"  # the quoted file waits
    confirm.check().run()
    at.button(key="save").click().run()
    # the report's five documents (2600) and the thirty rows of 100 in November
    assert query(store_file, "SELECT sum(amount) FROM sales WHERE doc_date < '2026-11-01'") == [(Decimal("2600.00"),)]
    assert query(store_file, "SELECT count(*), sum(amount) FROM sales WHERE doc_date >= '2026-11-01'") == [
        (30, Decimal("3000.00"))]
