"""1C reports as accountants save them (grouped rows with subtotals, in .xlsx, .xls and CSV),
headers by meaning, stray quotes, 1C's empty dates, and nothing lost in silence.
Every figure is worked out by hand in a comment."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from kpi import funnel, importer, meetings, receivables, sales, store
from kpi.reading import FileRefused
from tests.helpers import load, query, xlsx_1c

D = Decimal
AFTER = dt.date(2026, 12, 15)  # "today" for the sales report: October is closed

# A 1C "Продажи" report, groupings Менеджер, Контрагент, Регистратор; data from column B,
# three stacked header rows, subtotals on every group row. Excel rows in the comments.
TITLE = [
    [None, "Продажи"],
    [None, "Период: 01.10.2026 - 31.10.2026"],
    [None, "Показатели: Количество, Сумма"],
    [None, "Группировки строк: Менеджер, Контрагент, Регистратор"],
    [None, 'Отбор: Организация Равно "Северный ветер"'],
    [],
    [None, "Менеджер", "Количество", "Сумма"],  # 7
    [None, "Контрагент"],  # 8
    [None, "Регистратор"],  # 9
]
BODY = [  # (level, row)
    (1, [None, "Иванов И.И.", 25, 1700]),  # 10: 1500 + 200
    (2, [None, "ООО Ромашка", 15, 1500]),  # 11: 1000 + 700 - 200
    (3, [None, "Реализация товаров и услуг 00000123 от 03.10.2026 12:00:00", 10, 1000]),  # 12
    (3, [None, "Реализация товаров и услуг 00000130 от 10.10.2026 0:00:00", 8, 700]),  # 13
    (3, [None, "Возврат товаров от клиента 00000007 от 12.10.2026 9:14:55", -3, -200]),  # 14
    (2, [None, "АО Вектор", 10, 200]),  # 15
    (3, [None, "Реализация товаров и услуг 00000131 от 15.10.2026 10:00:00", 10, 200]),  # 16
    (1, [None, "Петров П.П.", 5, 900]),  # 17: a manager with one client
    (2, [None, "ИП Кедр", 5, 900]),  # 18
    (3, [None, "Реализация товаров и услуг 00000140 от 20.10.2026 11:30:00", 5, 900]),  # 19
]
TOTAL = [None, "Итого", 30, 2600]  # 20
STORED = [
    (12, dt.datetime(2026, 10, 3, 12), "Реализация товаров и услуг 00000123 от 03.10.2026 12:00:00",
     "Иванов И.И.", "ООО Ромашка", D("1000.00"), False),
    (13, dt.datetime(2026, 10, 10), "Реализация товаров и услуг 00000130 от 10.10.2026 0:00:00",
     "Иванов И.И.", "ООО Ромашка", D("700.00"), False),
    (14, dt.datetime(2026, 10, 12, 9, 14, 55), "Возврат товаров от клиента 00000007 от 12.10.2026 9:14:55",
     "Иванов И.И.", "ООО Ромашка", D("-200.00"), True),
    (16, dt.datetime(2026, 10, 15, 10), "Реализация товаров и услуг 00000131 от 15.10.2026 10:00:00",
     "Иванов И.И.", "АО Вектор", D("200.00"), False),
    (19, dt.datetime(2026, 10, 20, 11, 30), "Реализация товаров и услуг 00000140 от 20.10.2026 11:30:00",
     "Петров П.П.", "ИП Кедр", D("900.00"), False),
]
PLAN = "Месяц;Менеджер;План\n2026-10;Иванов И.И.;2000\n2026-10;Петров П.П.;1000\n"
FLAT = """Дата;Документ;Менеджер;Контрагент;Сумма
03.10.2026 12:00:00;Реализация товаров и услуг 00000123;Иванов И.И.;ООО Ромашка;1000
10.10.2026;Реализация товаров и услуг 00000130;Иванов И.И.;ООО Ромашка;700
12.10.2026 9:14:55;Возврат товаров от клиента 00000007;Иванов И.И.;ООО Ромашка;-200
15.10.2026 10:00;Реализация товаров и услуг 00000131;Иванов И.И.;АО Вектор;200
20.10.2026 11:30;Реализация товаров и услуг 00000140;Петров П.П.;ИП Кедр;900
"""


def report_rows(body=BODY, title=TITLE):
    return [*title, *[row for _, row in body], TOTAL]


def as_xlsx(body=BODY, title=TITLE) -> bytes:
    # 1C marks the outer group rows with no outline level and each nested level one deeper
    first = len(title) + 1
    outline = {first + i: level - 1 for i, (level, _) in enumerate(body) if level > 1}
    return xlsx_1c(report_rows(body, title), outline=outline)


def as_xls(body=BODY, title=TITLE) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("TDSheet")
    for r, row in enumerate(report_rows(body, title)):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_csv(body=BODY, title=TITLE) -> bytes:
    """The report saved as CSV from 1C: Windows-1251, ';', '1 700,00' numbers, no outline."""
    def cell(v):
        if isinstance(v, (int, float)):
            return f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",")
        return "" if v is None else str(v)
    text = "\r\n".join(";".join(cell(v) for v in row) for row in report_rows(body, title)) + "\r\n"
    return text.encode("cp1251")


def sales_json(db, month=dt.date(2026, 10, 1)):
    with store.reader(db) as con:
        return sales.to_json(sales.month_report(con, month, today=AFTER))


@pytest.mark.parametrize("make, name", [(as_xlsx, "Продажи.xlsx"), (as_xls, "Продажи.xls"),
                                        (as_csv, "Продажи.csv")])
def test_a_three_level_sales_report_stores_its_documents_with_their_groups(store_file, make, name):
    result = load(make(), name)
    assert isinstance(result, importer.Inspection), result
    assert result.kind == "sales" and result.grouping == ["Менеджер", "Контрагент", "Регистратор"]
    assert result.header_line == 7 and result.problems == [] and result.warnings == []
    assert result.totals_skipped == 6  # five group rows and the Итого row
    assert query(store_file, "SELECT line, doc_date, document, manager, client, amount, is_return "
                             "FROM sales ORDER BY line") == STORED
    load(PLAN.encode(), "plan.csv")
    report = sales_json(store_file)
    # Иванов: 1000 + 700 - 200 + 200 = 1700 of 2000 = 0.85; Петров 900 of 1000 = 0.9;
    # department 2600 of 3000; Иванов's active clients: Ромашка (net 1500) and Вектор (200)
    assert report["managers"]["Иванов И.И."]["fact"] == 1700.0
    assert report["managers"]["Иванов И.И."]["fulfilment"] == pytest.approx(0.85)
    assert report["managers"]["Иванов И.И."]["active_clients"] == 2
    assert report["managers"]["Петров П.П."]["fulfilment"] == pytest.approx(0.9)
    assert report["department"]["fact"] == 2600.0
    assert report["department"]["fulfilment"] == pytest.approx(2600 / 3000)


def test_the_grouped_report_and_a_flat_file_of_the_same_documents_give_the_same_kpis(tmp_path):
    grouped_db, flat_db = tmp_path / "g.duckdb", tmp_path / "f.duckdb"
    for db, data, name in ((grouped_db, as_csv(), "Продажи.csv"), (flat_db, FLAT.encode(), "flat.csv")):
        load(data, name, db=db)
        load(PLAN.encode(), "plan.csv", db=db)
    assert sales_json(grouped_db) == sales_json(flat_db)


def test_groupings_in_another_order_and_without_a_settings_line(store_file):
    title = [row for row in TITLE if not (row and "Группировки" in str(row[-1]))]
    title[-3:] = [[None, "Контрагент", "Количество", "Сумма"], [None, "Менеджер"], [None, "Регистратор"]]
    body = [  # client outermost, then manager: the same documents
        (1, [None, "ООО Ромашка", 15, 1500]), (2, [None, "Иванов И.И.", 15, 1500]),
        *[b for b in BODY[2:5]],
        (1, [None, "АО Вектор", 10, 200]), (2, [None, "Иванов И.И.", 10, 200]), BODY[6],
        (1, [None, "ИП Кедр", 5, 900]), (2, [None, "Петров П.П.", 5, 900]), BODY[9],
    ]
    result = load(as_csv(body, title), "Продажи по клиентам.csv")
    assert result.grouping == ["Контрагент", "Менеджер", "Регистратор"] and result.warnings == []
    assert query(store_file, "SELECT manager, client, sum(amount) FROM sales GROUP BY ALL ORDER BY 1, 2") == [
        ("Иванов И.И.", "АО Вектор", D("200.00")), ("Иванов И.И.", "ООО Ромашка", D("1500.00")),
        ("Петров П.П.", "ИП Кедр", D("900.00"))]


@pytest.mark.parametrize("make", [as_xlsx, as_csv])
def test_a_subtotal_that_disagrees_with_its_rows_is_a_warning_naming_the_line(store_file, make):
    body = list(BODY)
    body[1] = (2, [None, "ООО Ромашка", 15, 1600])  # the rows under it give 1500
    result = importer.inspect(make(body), "Продажи.xlsx")
    assert result.warnings == ["строка 11, группа «ООО Ромашка»: итог в отчёте 1\u00a0600,00, "
                               "а строки группы дают 1\u00a0500,00 (разница 100,00)"]
    # without an outline the levels were guessed from the values: the user must look first
    assert bool(result.confirm) == (make is as_csv)
    importer.commit(result, confirmed=True)
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(D("2600.00"),)]  # as the rows say


def test_a_document_text_without_a_date_is_refused_with_its_line(store_file):
    body = list(BODY)
    body[9] = (3, [None, "Реализация товаров и услуг 00000140 от 20.10.2026 11:30:00", 5, 900])
    body[6] = (3, [None, "Корректировка реализации 00000131 от 15.10.2026", 10, 200])  # still a document
    result = load(as_xlsx(body), "Продажи.xlsx")
    assert result.rows_ok == 5  # the date comes from the text however the type is worded


# --- receivables grouped by client ---------------------------------------------------

RECEIVABLES_REPORT = [
    [None, "Задолженность покупателей"],
    [None, "На дату: 31.10.2026"],
    [None, "Группировки строк: Контрагент, Документ расчетов"],
    [],
    [None, "Контрагент", "Менеджер", "Кредитный лимит", "Срок оплаты", "Сумма долга"],  # 5
    [None, "Документ расчетов"],  # 6
    [None, "ООО Ромашка", "Иванов И.И.", 1000, None, 1500],  # 7: the limit is the client's
    [None, "Реализация товаров и услуг 00000123 от 03.10.2026 12:00:00", None, None, "02.11.2026", 1000],
    [None, "Реализация товаров и услуг 00000090 от 10.09.2026 0:00:00", None, None, "10.10.2026", 500],
    [None, "АО Вектор", "Петров П.П.", None, None, 300],  # 10: no limit
    [None, "Реализация товаров и услуг 00000131 от 15.08.2026 0:00:00", None, None, "14.09.2026", 300],
    [None, "Итого", None, None, None, 1800],
]


@pytest.mark.parametrize("outline", [{8: 1, 9: 1, 11: 1}, {}])  # .xlsx with and without levels
def test_a_receivables_report_grouped_by_client(store_file, outline):
    result = load(xlsx_1c(RECEIVABLES_REPORT, outline=outline), "Дебиторка.xlsx")
    assert isinstance(result, importer.Inspection), result
    assert result.kind == "receivables" and result.as_of == dt.date(2026, 10, 31)
    assert query(store_file, "SELECT line, client, manager, doc_date, due_date, outstanding, credit_limit "
                             "FROM receivables ORDER BY line") == [
        (8, "ООО Ромашка", "Иванов И.И.", dt.date(2026, 10, 3), dt.date(2026, 11, 2), D("1000.00"), D("1000.00")),
        (9, "ООО Ромашка", "Иванов И.И.", dt.date(2026, 9, 10), dt.date(2026, 10, 10), D("500.00"), D("1000.00")),
        (11, "АО Вектор", "Петров П.П.", dt.date(2026, 8, 15), dt.date(2026, 9, 14), D("300.00"), None),
    ]
    with store.reader(store_file) as con:
        totals = receivables.to_json(receivables.report(con))
    # as of 31.10: doc 123 is not due (1000); doc 90 is 21 days late (1-30: 500);
    # doc 131 is 47 days late (31-60: 300); overdue 800 of 1800; Ромашка 1500 over its 1000
    assert totals["totals"]["not_due"] == 1000.0 and totals["totals"]["1-30"] == 500.0
    assert totals["totals"]["31-60"] == 300.0 and totals["totals"]["total"] == 1800.0
    assert totals["totals"]["overdue_share"] == pytest.approx(800 / 1800)
    assert totals["over_limit"] == {"ООО Ромашка": 500.0}


# --- reports of totals are refused with what to export instead --------------------------

def test_debt_by_ageing_bucket_per_client_is_refused_naming_the_document_report():
    data = xlsx_1c([
        [None, "Задолженность покупателей по срокам долга"], [None, "На дату: 31.10.2026"], [],
        [None, "Контрагент", "Менеджер", "Сумма долга", "Не просрочено", "Просрочено 1-30 дней",
         "31-60 дней", "Свыше 90 дней"],
        [None, "ООО Ромашка", "Иванов И.И.", 1500, 1000, 500, 0, 0],
    ])
    refusal = importer.inspect(data, "Задолженность по срокам.xlsx")
    assert isinstance(refusal, importer.Refusal) and refusal.head == []  # no mapping offered
    assert refusal.reason.startswith("Это сводный отчёт")
    assert "«Ведомость расчётов с клиентами»" in refusal.reason


def test_a_sales_report_without_documents_is_refused_not_stored_as_sales():
    rows = [[None, "Продажи"], [None, "Группировки строк: Менеджер, Контрагент"], [],
            [None, "Менеджер", "Сумма"], [None, "Контрагент"],
            [None, "Иванов И.И.", 1700], [None, "ООО Ромашка", 1500], [None, "АО Вектор", 200]]
    refusal = importer.inspect(xlsx_1c(rows, outline={7: 1, 8: 1}), "Продажи.xlsx")
    assert isinstance(refusal, importer.Refusal)
    assert refusal.reason.startswith("Это сводный отчёт") and "Регистратор" in refusal.reason


def test_a_turnover_statement_is_refused():
    text = ("Оборотно-сальдовая ведомость по счету 62\nСчет;Сальдо на начало периода;"
            "Обороты за период;Сальдо на конец периода\n62.01;1000;500;1500\n")
    refusal = importer.inspect(text.encode("cp1251"), "ОСВ 62.csv")
    assert refusal.reason.startswith("Это сводный отчёт")


# --- headers by meaning ------------------------------------------------------------------

def test_snake_case_and_camel_case_english_headers(store_file):
    text = "document_date,Manager,client,amount,DocType\n2026-10-03,Ivanov I.,Romashka,100.50,sale\n"
    result = load(text.encode(), "sales.csv")
    assert result.columns["doc_date"] == "document_date" and result.columns["doc_type"] == "DocType"
    assert query(store_file, "SELECT doc_date, amount FROM sales") == [(dt.datetime(2026, 10, 3), D("100.50"))]


def test_units_in_headers_and_the_exact_rule_for_amounts(store_file):
    text = ("Контрагент;Менеджер;Дата документа;Отсрочка (дней);Сумма НДС;Сумма долга, руб.;"
            "Кредитный лимит (₸)\n"
            "ООО Ромашка;Иванов И.И.;01.10.2026;30;50;300;1 000\n")
    result = load(text.encode(), "Дебиторка на 31.10.2026.csv")
    assert result.columns["outstanding"] == "Сумма долга, руб." and "Сумма НДС" in result.unused
    assert query(store_file, "SELECT deferral_days, outstanding, credit_limit FROM receivables") == [
        (30, D("300.00"), D("1000.00"))]  # 300, not the VAT 50


def test_candidates_stage_dates_named_by_stage_count_in_the_funnel(store_file):
    # the shape that was stored with attendance ignored: «Дата подтверждения», «Дата явки»
    text = ("ФИО;Источник;Дата отклика;Дата приглашения;Дата подтверждения;Дата явки;"
            "Оффер (дата);Дата выхода\n"
            "А;hh.ru;01.10.2026;02.10.2026;03.10.2026;05.10.2026;07.10.2026;20.10.2026\n"
            "Б;hh.ru;01.10.2026;02.10.2026;03.10.2026;05.10.2026;;\n"
            "В;hh.ru;01.10.2026;02.10.2026;03.10.2026;05.10.2026;;\n"
            "Г;hh.ru;01.10.2026;02.10.2026;;;;\n"
            "Д;hh.ru;01.10.2026;02.10.2026;;;;\n"
            "Е;SuperJob;01.10.2026;02.10.2026;;;;\n"
            "Ж;SuperJob;01.10.2026;02.10.2026;;;;\n"
            "З;SuperJob;01.10.2026;;;;;\n")
    result = load(text.encode(), "Кандидаты на 2026-10-31.csv")
    assert result.columns == {"candidate": "ФИО", "source": "Источник", "responded_on": "Дата отклика",
                              "invited": "Дата приглашения", "confirmed": "Дата подтверждения",
                              "attended": "Дата явки", "offer": "Оффер (дата)", "hired": "Дата выхода"}
    assert result.unused == []
    with store.reader(store_file) as con:
        overall = funnel.to_json(*funnel.funnel(con))["overall"]
    # 8 responded, 7 invited, 3 confirmed, 3 attended, 1 offer, 1 hired: attendance 3/7
    assert overall["counts"] == {"responded": 8, "screened": 7, "invited": 7, "confirmed": 3,
                                 "attended": 3, "offer": 1, "hired": 1}
    assert overall["attendance_rate"] == pytest.approx(3 / 7)


# --- nothing lost in silence ----------------------------------------------------------

def test_unused_columns_are_listed_and_lookalikes_warned(store_file):
    text = "Дата;Менеджер;Клиент;Сумма;Сумма НДС;Склад\n01.10.2026;Иванов И.И.;А;120;20;Основной\n"
    result = load(text.encode(), "sales.csv")
    assert result.unused == ["Сумма НДС", "Склад"]
    assert result.warnings == ["столбец «Сумма НДС» похож на «Сумма», но не использован"]


def test_bitrix_statuses_by_meaning_and_an_unknown_status_reported_once(store_file):
    rows = [("01.10.2026", "Встреча", "Выполнено"), ("02.10.2026", "Встреча", "Завершено"),
            ("05.10.2026", "Встреча", "Ожидает выполнения"), ("06.10.2026", "Звонок", "Не состоялся"),
            ("07.10.2026", "Встреча", "Уточняется"), ("08.10.2026", "Встреча", "Уточняется"),
            ("09.10.2026", "Встреча", "Уточняется")]
    text = "Дата;Ответственный;Тип;Статус\n" + "".join(f"{d};Иванов И.И.;{t};{s}\n" for d, t, s in rows)
    result = load(text.encode(), "activities.csv")
    assert query(store_file, "SELECT line, activity, state FROM activities ORDER BY line") == [
        (2, "meeting", "held"), (3, "meeting", "held"), (4, "meeting", "planned"), (5, "call", "cancelled")]
    assert result.problem_lines == [
        "строки 6–8 (3), столбец «Статус»: значение «Уточняется»: неизвестный статус; "
        "ожидалось: проведена/состоялась, отменена, запланирована"]
    with store.reader(store_file) as con:
        report = meetings.to_json(meetings.report(con, meetings.month_weeks(dt.date(2026, 10, 1))),
                                  dt.date(2026, 10, 1))
    assert report["by_manager"]["Иванов И.И."]["held"] == 2  # Выполнено and Завершено


def test_a_stray_quote_is_held_for_confirmation_not_stored_as_one_cell(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.connect(db):
        pass  # an empty store
    lines = ["Дата;Менеджер;Клиент;Сумма"]
    for i in range(1000):
        client = '"Ромашка' if i == 49 else "ООО Вектор"
        lines.append(f"{1 + i % 28:02d}.10.2026;Иванов И.И.;{client};100")
    data = ("\n".join(lines) + "\n").encode()
    result = importer.inspect(data, "sales.csv", db=db)
    assert result.rows_ok == 1000  # the swallowed lines were read again as rows
    assert result.confirm[0].startswith("Строка 51: кавычка в начале значения «\"Ромашка» не закрыта, "
                                        "и она поглотила бы строки 51–1001 (их 951)")
    with pytest.raises(FileRefused):
        importer.commit(result, db=db)
    assert query(db, "SELECT count(*) FROM sales") == [(0,)]
    importer.commit(result, db=db, confirmed=True)
    assert query(db, "SELECT count(*), sum(amount) FROM sales") == [(1000, D("100000.00"))]  # 1000 x 100


def test_1c_empty_dates_and_far_off_dates_are_refused_per_row(store_file):
    text = ("Дата;Менеджер;Клиент;Сумма\n01.10.2026;Иванов И.И.;А;100\n01.01.0001 0:00:00;Иванов И.И.;Б;200\n"
            "15.10.2062;Иванов И.И.;В;300\n20.10.2026;Иванов И.И.;Г;400\n")
    result = load(text.encode(), "sales.csv")
    assert [(p.line, p.expected.split(" (")[0].split(";")[0]) for p in result.problems] == [
        (3, "пустая дата 1С"), (4, "дата вне правдоподобного периода")]
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(D("500.00"),)]  # 100 + 400
    debt = ("Контрагент;Менеджер;Дата документа;Срок оплаты;Сумма долга\n"
            "ООО Ромашка;Иванов И.И.;01.10.2026;01.01.0001;300\n")
    load(debt.encode(), "Дебиторка на 31.10.2026.csv")
    assert query(store_file, "SELECT due_date FROM receivables") == [(None,)]  # no term, not year 1


# --- traits a hostile read of the first version found -----------------------------------

FOLDERED = [  # clients in folders: «Контрагент (Иерархия)»
    [None, "Продажи"], [None, "Группировки строк: Менеджер, Контрагент (Иерархия), Регистратор"], [],
    [None, "Менеджер", "Сумма"], [None, "Контрагент"], [None, "Регистратор"],  # 4-6
    [None, "Иванов И.И.", 1500],  # 7, level 1
    [None, "Покупатели Алматы", 1000],  # 8, a folder of clients
    [None, "ТОО Алма", 1000],  # 9
    [None, "Реализация товаров и услуг 00000001 от 01.10.2026 0:00:00", 1000],  # 10
    [None, "ООО Без папки", 500],  # 11: a client outside any folder
    [None, "Реализация товаров и услуг 00000002 от 02.10.2026 0:00:00", 500],  # 12
]


def test_clients_in_folders_keep_their_manager_and_client(store_file):
    data = xlsx_1c(FOLDERED, outline={8: 1, 9: 2, 10: 3, 11: 1, 12: 2})
    result = load(data, "Продажи.xlsx")
    assert result.problems == [] and result.warnings == []
    assert query(store_file, "SELECT line, manager, client, amount FROM sales ORDER BY line") == [
        (10, "Иванов И.И.", "ТОО Алма", D("1000.00")), (12, "Иванов И.И.", "ООО Без папки", D("500.00"))]


def test_clients_in_folders_without_an_outline_are_refused_with_what_to_do():
    text = "\n".join(";".join("" if c is None else str(c) for c in row) for row in FOLDERED) + "\n"
    refusal = importer.inspect(text.encode(), "Продажи.csv")
    assert "с иерархией (папками)" in refusal.reason and ".xlsx" in refusal.reason


def test_an_amount_merged_over_without_and_with_vat_takes_with_vat(store_file):
    title = TITLE[:-3] + [[None, "Менеджер", "Сумма", None], [None, "Контрагент", "без НДС", "с НДС"],
                          [None, "Регистратор"]]
    body = [(lv, [None, row[1], round(row[3] / 1.2, 2), row[3]]) for lv, row in BODY]
    result = load(as_xlsx(body, title), "Продажи.xlsx")
    assert result.columns["amount"] == "Сумма с НДС" and "Сумма без НДС" in result.unused
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(D("2600.00"),)]


def test_negated_stages_are_refusals_after_the_stage_before(store_file):
    text = ("ФИО;Этап\nА;Неявка\nБ;Не пришёл на собеседование\nВ;Не вышел на работу\n"
            "Г;Собеседование назначено\nД;Дата отказа\n")
    load(text.encode(), "Кандидаты на 2026-10-31.csv")
    assert query(store_file, "SELECT candidate, reached, refused FROM candidates ORDER BY line")[:4] == [
        ("А", 2, True), ("Б", 2, True), ("В", 5, True), ("Г", 2, False)]


def test_a_refusal_date_column_marks_the_refusal(store_file):
    text = "ФИО;Дата приглашения;Дата отказа\nА;02.10.2026;05.10.2026\nБ;02.10.2026;\n"
    load(text.encode(), "Кандидаты на 2026-10-31.csv")
    assert query(store_file, "SELECT candidate, reached, refused FROM candidates ORDER BY line") == [
        ("А", 2, True), ("Б", 2, False)]


def test_more_activity_values_by_meaning(store_file):
    rows = [("Деловая встреча", "Проведена"), ("Встреча", "Not completed"), ("Встреча", "Невыполнена"),
            ("Встреча", "Incomplete"), ("Встреча", "Completed")]
    text = "Дата;Ответственный;Тип;Статус\n" + "".join(f"0{i + 1}.10.2026;Иванов И.И.;{t};{s}\n"
                                                       for i, (t, s) in enumerate(rows))
    load(text.encode(), "activities.csv")
    assert query(store_file, "SELECT activity, state FROM activities ORDER BY line") == [
        ("meeting", "held"), ("meeting", "cancelled"), ("meeting", "cancelled"),
        ("meeting", "cancelled"), ("meeting", "held")]


def test_clients_named_like_a_totals_row_are_data(store_file):
    text = ("Контрагент;Менеджер;Дата документа;Сумма долга\nTotal E&P Kazakhstan;Иванов И.И.;02.10.2026;5000000\n"
            "Всего понемногу ТОО;Петров П.П.;03.10.2026;700\nИтого;;;5000700\n")
    result = load(text.encode(), "Дебиторка на 31.10.2026.csv")
    assert result.totals_skipped == 1  # only «Итого»
    assert query(store_file, "SELECT sum(outstanding) FROM receivables") == [(D("5000700.00"),)]


def test_three_decimals_are_refused_not_rounded_and_english_thousands_read(store_file):
    text = 'Date,Manager,Client,Amount\n2026-10-01,A,X,"1,234"\n2026-10-02,A,Y,"1,250,000"\n'
    result = load(text.encode(), "sales.csv")
    assert [(p.line, p.value) for p in result.problems] == [(2, "1,234")]  # 1 234 or 1,234?
    assert query(store_file, "SELECT amount FROM sales") == [(D("1250000.00"),)]


def test_a_last_payment_date_is_not_the_due_date(store_file):
    text = ("Контрагент;Менеджер;Дата документа;Отсрочка (дней);Дата последней оплаты;Сумма долга\n"
            "А;Иванов И.И.;01.10.2026;30;25.10.2026;300\n")
    result = load(text.encode(), "Дебиторка на 31.10.2026.csv")
    assert "due_date" not in result.columns and "Дата последней оплаты" in result.unused
    assert query(store_file, "SELECT due_date, deferral_days FROM receivables") == [(None, 30)]


def test_a_group_without_documents_in_csv_waits_for_confirmation():
    body = list(BODY)
    body.insert(5, (2, [None, "ТОО Пустой", 0, 50]))  # no document under it
    result = importer.inspect(as_csv(body), "Продажи.csv")
    assert result.confirm and "не сходятся" in result.confirm[-1]


def test_rows_a_user_grouped_by_hand_in_excel_are_all_data(store_file):
    rows = [["Дата", "Менеджер", "Клиент", "Сумма"], ["01.10.2026", "И", "А", 100],
            ["02.10.2026", "И", "Б", 200], ["03.10.2026", "И", "В", 700]]
    load(xlsx_1c(rows, outline={2: 1, 3: 1}), "sales.xlsx")
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(D("1000.00"),)]  # 100 + 200 + 700


def test_a_single_far_off_date_and_year_9999_are_refused_not_a_crash(store_file):
    for text in ("Дата;Менеджер;Клиент;Сумма\n15.10.2062;И;А;100\n",
                 "Дата;Менеджер;Клиент;Сумма\n31.12.9999;И;А;100\n01.10.2026;И;Б;5\n"):
        result = importer.inspect(text.encode(), "sales.csv")
        lines = result.reason if isinstance(result, importer.Refusal) else " ".join(result.problem_lines)
        assert "вне правдоподобного периода" in lines


def test_a_flat_file_without_a_sale_date_is_not_called_a_report_of_totals():
    text = "Дата оплаты;Менеджер;Клиент;Сумма\n01.10.2026;И;А;100\n"
    refusal = importer.inspect(text.encode(), "sales.csv")
    assert "нет обязательных столбцов: «Дата»" in refusal.reason and refusal.head  # mapping offered
