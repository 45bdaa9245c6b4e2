"""Each format trap of real exports, as literal bytes, with the rows it must store."""

import datetime as dt
from decimal import Decimal

import pytest

from kpi import importer
from tests.helpers import load, query, xlsx

D = Decimal
SALES_ROWS = "SELECT line, doc_date, manager, client, amount FROM sales ORDER BY line"


def sales_of(db):
    return query(db, SALES_ROWS)


def test_1c_csv_in_windows_1251_with_title_lines_nbsp_and_totals(store_file):
    text = (
        "Продажи по менеджерам;;;;\r\n"
        "Период: 01.09.2026 - 30.09.2026;;;;\r\n"
        ";;;;\r\n"
        "Дата;Документ;Менеджер;Контрагент;Сумма;Сумма НДС\r\n"  # line 4
        "01.09.2026 9:05:00;Реализация 0001;Иванов  И. И. ;ООО Ромашка;1\u00a0234\u00a0567,89 руб.;0\r\n"
        "30.09.2026;Реализация 0002;Ёлкина М.П.;АО Вектор;12 000,00;2 000,00\r\n"
        "Итого;;;;1 246 567,89;2 000,00\r\n"
    )
    result = load(text.encode("cp1251"))
    assert result.encoding == "cp1251" and result.delimiter == ";"
    assert result.header_line == 4 and result.totals_skipped == 1
    # 'Сумма', never 'Сумма НДС'; spaces in the name collapsed; ё kept
    assert sales_of(store_file) == [
        (5, dt.datetime(2026, 9, 1, 9, 5), "Иванов И.И.", "ООО Ромашка", D("1234567.89")),
        (6, dt.datetime(2026, 9, 30), "Ёлкина М.П.", "АО Вектор", D("12000.00")),
    ]


def test_utf8_bom_comma_and_quoted_names_with_quotes_commas_semicolons_and_line_breaks(store_file):
    text = (
        "\ufeffДата,Менеджер,Клиент,Сумма\n"
        '2026-09-02,Петров П.П.,"ООО ""Альфа, Бета""; филиал",100.50\n'  # line 2
        '2026-09-03,Петров П.П.,"ТОО ""Алма""\nвторой адрес",200\n'  # lines 3-4
        "2026-09-04,Петров П.П.,ИП Кедр,300\n"  # line 5
    )
    result = load(text.encode("utf-8"))
    assert result.encoding == "utf-8-sig" and result.delimiter == ","
    assert sales_of(store_file) == [
        (2, dt.datetime(2026, 9, 2), "Петров П.П.", 'ООО "Альфа, Бета"; филиал', D("100.50")),
        (3, dt.datetime(2026, 9, 3), "Петров П.П.", 'ТОО "Алма" второй адрес', D("200.00")),
        (5, dt.datetime(2026, 9, 4), "Петров П.П.", "ИП Кедр", D("300.00")),
    ]


def test_excel_unicode_text_utf16_tab_with_english_headers(store_file):
    text = "Date\tManager\tCustomer\tAmount\r\n2026-10-01 12:00:00\tСәрсенова  Ә. Б.\tТОО Береке\t5 000 ₸\r\n"
    result = load(text.encode("utf-16"), "sales.txt")
    assert result.encoding == "utf-16" and result.delimiter == "\t"
    assert sales_of(store_file) == [
        (2, dt.datetime(2026, 10, 1, 12), "Сәрсенова Ә.Б.", "ТОО Береке", D("5000.00"))]


def test_returns_by_document_type_or_negative_amount_reduce_the_fact(store_file):
    text = (
        "Дата;Документ;Вид документа;Менеджер;Клиент;Сумма\n"
        "01.09.2026;0001;Реализация товаров и услуг;Иванов И.И.;А;1 000,00\n"
        "02.09.2026;0002;Возврат товаров от покупателя;Иванов И.И.;А;300,00\n"
        "03.09.2026;0003;;Иванов И.И.;А;-200,00\n"
    )
    load(text.encode("utf-8"))
    # 1000 - 300 (a return typed as such, amount given positive) - 200 (a negative amount) = 500
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(D("500.00"),)]


@pytest.mark.parametrize("cell, expected", [
    ("1 234 567,89", D("1234567.89")),
    ("1\u202f234,5", D("1234.50")),  # narrow no-break space, as 1C writes it
    ("1,234.56", D("1234.56")),  # English thousands
    ("100000.00", D("100000.00")),  # Bitrix24
    ("2 500 ₽", D("2500.00")),
    ("3 000 тг", D("3000.00")),
    ("(1 000,00)", D("-1000.00")),  # accounting negative
])
def test_amount_formats(store_file, cell, expected):
    load(f"Дата;Менеджер;Клиент;Сумма\n01.09.2026;И;К;{cell}\n".encode("utf-8"))
    assert query(store_file, "SELECT amount FROM sales") == [(expected,)]


def test_every_bad_row_is_reported_by_physical_line_column_and_value(store_file):
    text = (
        "Отчёт\n"
        "Дата;Менеджер;Клиент;Сумма\n"  # line 2
        "01.09.2026;Иванов И.И.;А;100\n"
        '31.02.2026;Иванов И.И.;"многострочный\nклиент";100\n'  # line 4, impossible date
        "02.09.2026;Иванов И.И.;А;сто рублей\n"  # line 6
        "03.09.2026;;А;100\n"  # line 7, manager empty
    )
    result = load(text.encode("utf-8"))
    assert [str(p) for p in result.problems] == [
        "строка 4, столбец «Дата»: значение «31.02.2026»: "
        "ожидалась дата ДД.ММ.ГГГГ (можно со временем) или ГГГГ-ММ-ДД",
        "строка 6, столбец «Сумма»: значение «сто рублей»: ожидалась сумма, например 1 234 567,89",
        "строка 7, столбец «Менеджер»: пустое значение в обязательном столбце",
    ]
    assert result.refused_rows == 3
    assert query(store_file, "SELECT line, amount FROM sales") == [(3, D("100.00"))]


def test_xlsx_with_cover_sheet_title_rows_real_dates_and_totals(store_file):
    data = xlsx([
        ["Продажи по менеджерам"],
        ["Период: 01.10.2026 - 31.10.2026"],
        [],
        ["Дата", "Документ", "Ответственный", "Покупатель", "Сумма"],  # row 4
        [dt.datetime(2026, 10, 1, 23, 58), "Р-1", "Иванов И.И.", "А", 1500.5],
        ["01.10.2026 0:03:00", "Р-2", "Иванов И.И.", "Б", "2 000,00"],
        ["Итого", None, None, None, 3500.5],
    ], cover=True)
    result = load(data, "sales.xlsx")
    assert result.encoding == "xlsx" and result.totals_skipped == 1
    assert sales_of(store_file) == [
        (5, dt.datetime(2026, 10, 1, 23, 58), "Иванов И.И.", "А", D("1500.50")),
        (6, dt.datetime(2026, 10, 1, 0, 3), "Иванов И.И.", "Б", D("2000.00")),
    ]


def test_plan_months_in_every_written_form(store_file):
    text = (
        "Месяц;Менеджер;План;План активных клиентов;План новых клиентов\n"
        "2026-09;Иванов И.И.;1 000 000;10;2\n"
        "10.2026;Иванов И.И.;1 100 000;;\n"
        "Ноябрь 2026 г.;Иванов И.И.;0;;\n"
        "01.12.2026;Иванов И.И.;900 000,50;;\n"
    )
    load(text.encode("utf-8"))
    assert query(store_file, "SELECT month, plan_amount, plan_active, plan_new FROM plans ORDER BY 1") == [
        (dt.date(2026, 9, 1), D("1000000.00"), 10, 2),
        (dt.date(2026, 10, 1), D("1100000.00"), None, None),
        (dt.date(2026, 11, 1), D("0.00"), None, None),
        (dt.date(2026, 12, 1), D("900000.50"), None, None),
    ]


def test_receivables_as_of_from_title_line_and_deferral_or_due_date(store_file):
    text = (
        "Задолженность покупателей\n"
        "На дату: 31.10.2026\n"
        "Контрагент;Менеджер;Документ;Дата документа;Срок оплаты;Отсрочка (дней);Сумма долга;Кредитный лимит\n"
        "ООО А;Иванов И.И.;Р-1;01.10.2026;15.10.2026;;1 000,00;5 000\n"
        "ООО А;Иванов И.И.;Р-2;01.10.2026;;30;-200,00;5 000\n"
        "ООО Б;Иванов И.И.;Р-3;01.10.2026;;;300,00;\n"
    )
    result = load(text.encode("utf-8"))
    assert result.as_of == dt.date(2026, 10, 31)
    assert query(store_file, "SELECT as_of, document, due_date, deferral_days, outstanding, credit_limit "
                             "FROM receivables ORDER BY line") == [
        (dt.date(2026, 10, 31), "Р-1", dt.date(2026, 10, 15), None, D("1000.00"), D("5000.00")),
        (dt.date(2026, 10, 31), "Р-2", None, 30, D("-200.00"), D("5000.00")),  # advance kept
        (dt.date(2026, 10, 31), "Р-3", None, None, D("300.00"), None),
    ]


def test_receivables_without_any_date_ask_for_one_and_take_it(store_file):
    text = "Контрагент;Менеджер;Дата документа;Сумма долга\nА;Иванов И.И.;01.10.2026;100\n"
    refusal = importer.inspect(text.encode("utf-8"), "debt.csv")
    assert isinstance(refusal, importer.Refusal) and refusal.needs_as_of
    assert "--as-of" in refusal.reason
    assert load(text.encode("utf-8"), "debt.csv", as_of=dt.date(2026, 10, 31)).as_of == dt.date(2026, 10, 31)
    assert load(text.encode("utf-8"), "Дебиторка на 20.11.2026.csv").as_of == dt.date(2026, 11, 20)


def test_activities_types_and_statuses_mapped_and_unknown_ones_refused(store_file):
    text = (
        '"ID";"Тип";"Дата начала";"Ответственный";"Клиент";"Статус";\n'  # Bitrix: trailing ;
        '"1";"Встреча";"07.09.2026 10:00:00";"Иванов И.И.";"А";"Состоялась";\n'
        '"2";"Телефонный звонок";"07.09.2026 11:00:00";"Иванов И.И.";"А";"Выполнено";\n'
        '"3";"Встреча";"08.09.2026 10:00:00";"Иванов И.И.";"Б";"Отменена";\n'
        '"4";"Совещание";"08.09.2026 12:00:00";"Иванов И.И.";"Б";"Проведена";\n'
        '"5";"Meeting";"09.09.2026 12:00:00";"Иванов И.И.";"В";"Planned";\n'
    )
    result = load(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert [(p.line, p.column, p.value) for p in result.problems] == [(5, "Тип", "Совещание")]
    assert query(store_file, "SELECT line, activity, state FROM activities ORDER BY line") == [
        (2, "meeting", "held"), (3, "call", "held"), (4, "meeting", "cancelled"),
        (6, "meeting", "planned")]


def test_candidates_marks_and_dates_give_the_stage_reached(store_file):
    text = (
        "Кандидат,Вакансия,Источник,Рекрутер,Дата отклика,Скрининг,Дата приглашения,Подтвердил,Пришёл,Дата оффера,Дата выхода\n"
        "Соколов А.,Менеджер,hh.ru,Орлова Е.В.,01.09.2026,да,,,,,\n"  # screened: 1
        "Морозова М.,Менеджер,hh.ru,Орлова Е.В.,01.09.2026,,03.09.2026,,да,,\n"  # attended, skipped marks: 4
        "Волков Д.,Менеджер,SuperJob,Орлова Е.В.,02.09.2026,да,03.09.2026,да,нет,,\n"  # confirmed: 3
        "Лебедева А.,Менеджер,SuperJob,Орлова Е.В.,02.09.2026,,,,,,20.09.2026\n"  # hired: 6
    )
    load(text.encode("utf-8"), "Кандидаты на 2026-11-20.csv")
    assert query(store_file, "SELECT candidate, reached, invited_on, hired_on, as_of FROM candidates ORDER BY line") == [
        ("Соколов А.", 1, None, None, dt.date(2026, 11, 20)),
        ("Морозова М.", 4, dt.date(2026, 9, 3), None, dt.date(2026, 11, 20)),
        ("Волков Д.", 3, dt.date(2026, 9, 3), None, dt.date(2026, 11, 20)),
        ("Лебедева А.", 6, None, dt.date(2026, 9, 20), dt.date(2026, 11, 20)),
    ]


def test_candidates_single_stage_column_with_refusals(store_file):
    text = (
        "ФИО;Источник;Дата отклика;Этап\n"
        "А;hh.ru;01.09.2026;Отклик\n"  # 0
        "Б;hh.ru;01.09.2026;Приглашён на собеседование\n"  # 2, not 4
        "В;hh.ru;01.09.2026;Пришёл на собеседование\n"  # 4
        "Г;hh.ru;01.09.2026;Отказ после собеседования\n"  # refused at 4
        "Д;hh.ru;01.09.2026;Вышел на работу\n"  # 6
    )
    load(text.encode("utf-8"), "c_2026-11-20.csv")
    assert query(store_file, "SELECT candidate, reached, refused FROM candidates ORDER BY line") == [
        ("А", 0, False), ("Б", 2, False), ("В", 4, False), ("Г", 4, True), ("Д", 6, False)]


# --- files refused whole, with a message naming what is wrong and where -------------------

def refusal(data: bytes, name: str = "export.csv") -> str:
    result = importer.inspect(data, name)
    assert isinstance(result, importer.Refusal), result
    return result.reason


def test_empty_file():
    assert refusal(b"") == "Файл пустой: в нём нет ни одного байта данных."
    assert "пустой" in refusal(b"\xef\xbb\xbf\r\n")


def test_png_renamed_to_csv():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    assert refusal(png).startswith("Это не таблица, а изображение PNG.")


def test_header_only():
    assert refusal("Дата;Менеджер;Клиент;Сумма\r\n".encode()) == (
        "В файле есть только заголовок (1-я строка), а строк с данными нет.")


def test_missing_required_column_named_in_the_files_language():
    assert "нет обязательных столбцов: «Сумма»" in refusal(
        "Дата;Менеджер;Клиент\n01.09.2026;И;К\n".encode())
    assert "нет обязательных столбцов: «Amount»" in refusal(
        b"Date,Manager,Customer\n2026-09-01,I,K\n")


def test_file_of_no_known_kind_lists_the_kinds_and_their_columns():
    reason = refusal("Фамилия;Телефон\nИванов;+7 900\n".encode())
    assert "Не удалось понять, что это за выгрузка" in reason
    assert "Планы продаж (plan): «Месяц», «Менеджер», «План»" in reason


def test_bytes_that_fit_no_encoding_are_reported_by_line():
    head = "Дата;Менеджер;Клиент;Сумма\n01.09.2026;И;К;1\n".encode("cp1251")
    # 0x98 is the one byte Windows-1251 leaves undefined (and it is not UTF-8 here)
    assert refusal(head + b"\x98junk\n").startswith("Строка 3: байты 98")
    assert refusal(head + b"ok\nok\x00\n").startswith("Строка 4: байты 00")


def test_a_binary_file_that_decodes_as_cp1251_is_still_refused():
    assert "Строка 1" in refusal(bytes(range(0x80, 0xff)) + b"\x01\x02")


def test_a_bitrix_rest_dump_is_refused_naming_what_a_deals_export_needs():
    # stage, close date and manager come as codes (STAGE_ID, CLOSEDATE, ASSIGNED_BY_ID)
    data = ("ID,TITLE,STAGE_ID,OPPORTUNITY,CLOSEDATE,ASSIGNED_BY_ID\n"
            "1,Сделка,NEW,100000.00,2021-02-03T15:58:12+03:00,1\n").encode("cp1251")
    assert "нет обязательных столбцов: «Responsible», «Deal stage», «Close date»" in refusal(data)
