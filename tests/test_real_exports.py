"""Exports as users really have them: 1C reports in Excel, Bitrix24 and amoCRM deals."""

import datetime as dt
from decimal import Decimal

import pytest

from kpi import importer
from tests.conftest import ROOT
from tests.helpers import load, query, xlsx_1c

D = Decimal
REAL = ROOT.parent / "shared" / "real-exports"


def test_1c_sales_report_in_excel_with_groups_merged_headers_and_a_cover_sheet(store_file):
    rows = [
        [None, "Продажи по менеджерам"],
        [None, "Период: 01.10.2026 - 31.10.2026"],
        [None, "Показатели: Сумма"],
        [None, "Группировки строк: Менеджер (Иерархия); Документ"],
        [None, "Отборы:\nОрганизация Равно \"Северный ветер\""],  # a multi-line cell
        [],
        [None, "Документ", None, None, "Сумма", None],  # merged B7:D7 and E7:F7
        [None, "Дата", "Менеджер", "Контрагент", "с НДС", "НДС"],  # row 8
        [None, "Иванов И.И.", None, None, 1500.5, 250],  # a group row with its subtotal
        [None, "01.10.2026 0:00:00", "Иванов  И. И.", "ООО Ромашка", 1000, 166.67],
        [None, "02.10.2026 12:30:00", "Иванов И.И.", "АО Вектор", "500,50", 83.42],
        [None, "Петров П.П.", None, None, "1\u202f000,00", 166.67],  # group row
        [None, "03.10.2026 0:00:00", "Петров П.П.", "ИП Кедр", "1\u202f000,00", 166.67],
        [None, "Итого", None, None, 2500.5, 416.76],
    ]
    data = xlsx_1c(rows, outline={9: 1, 10: 2, 11: 2, 12: 1, 13: 2},
                   merged=("B7:D7", "E7:F7"), sheets=("Параметры", "TDSheet"), data_sheet=1)
    result = load(data, "Продажи.xlsx")
    assert isinstance(result, importer.Inspection), result
    # the header is the pair of rows 7-8; "Сумма" over "с НДС" is the amount, not "НДС"
    assert result.header_line == 8 and result.columns["amount"] == "Сумма с НДС"
    assert result.totals_skipped == 3  # two group rows and the Итого row
    assert query(store_file, "SELECT line, doc_date, manager, client, amount FROM sales ORDER BY line") == [
        (10, dt.datetime(2026, 10, 1), "Иванов И.И.", "ООО Ромашка", D("1000.00")),
        (11, dt.datetime(2026, 10, 2, 12, 30), "Иванов И.И.", "АО Вектор", D("500.50")),
        (13, dt.datetime(2026, 10, 3), "Петров П.П.", "ИП Кедр", D("1000.00")),
    ]  # 1000 + 500.50 + 1000 = 2500.50, the report's own total: nothing counted twice


def test_the_shared_strings_part_spelled_with_a_capital_s(store_file):
    data = xlsx_1c([["Дата", "Менеджер", "Клиент", "Сумма"], ["01.10.2026", "И", "К", 5]])
    assert b"xl/SharedStrings.xml" in data
    load(data, "s.xlsx")
    assert query(store_file, "SELECT client, amount FROM sales") == [("К", D("5.00"))]


def test_an_old_xls_book(store_file):
    import io

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("TDSheet")
    rows = [["Продажи по менеджерам"], [], ["Дата", "Менеджер", "Контрагент", "Сумма"],
            ["01.10.2026", "Иванов И.И.", "ООО Ромашка", 1234.5], ["Итого", "", "", 1234.5]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    result = load(buffer.getvalue(), "Продажи.xls")
    assert result.header_line == 3 and result.totals_skipped == 1
    assert query(store_file, "SELECT line, amount FROM sales") == [(4, D("1234.50"))]


BITRIX_DEALS = [
    ["ID", "Название сделки", "Стадия сделки", "Ответственный", "Сумма", "Дата закрытия",
     "Компания: Название компании"],
    ["11", 'Поставка "ворот"', "Сделка успешна", "Иванов И.И.", "100000.00", "15.10.2026 12:00:00", "ООО Ромашка"],
    ["12", "Монтаж", "Сделка провалена", "Иванов И.И.", "50000.00", "16.10.2026 12:00:00", "АО Вектор"],
    ["13", "Сервис", "В работе", "Петров П.П.", "7000.00", "", ""],
    ["14", "Шлагбаум", "Сделка успешна", "Петров П.П.", "25000.50", "20.10.2026", ""],
]


def bitrix_csv(encoding: str) -> bytes:
    """Bitrix24 "Export to CSV": every field quoted, each followed by ';' (the last too)."""
    lines = ["".join('"' + c.replace('"', '""') + '";' for c in row) for row in BITRIX_DEALS]
    text = "\n".join(lines) + "\n"
    return (b"\xef\xbb\xbf" if encoding == "utf-8" else b"") + text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])  # cloud portal / boxed install
def test_bitrix24_deals_csv_gives_sales_for_won_deals_only(store_file, encoding):
    result = load(bitrix_csv(encoding), "deals.csv")
    assert result.kind == "deals" and result.not_stored == 2  # lost 12, open 13
    assert query(store_file, "SELECT doc_date, document, manager, client, amount FROM sales ORDER BY line") == [
        (dt.datetime(2026, 10, 15, 12), "11", "Иванов И.И.", "ООО Ромашка", D("100000.00")),
        (dt.datetime(2026, 10, 20), "14", "Петров П.П.", "Шлагбаум", D("25000.50")),
    ]


def test_bitrix24_excel_export_is_an_html_table(store_file):
    cells = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in row)}</tr>\n" for row in BITRIX_DEALS)
    html = ('<meta http-equiv="Content-type" content="text/html;charset=windows-1251" />\n'
            f'<table border="1">\n{cells}</table>\n').encode("cp1251")
    result = load(html, "deals.xls")
    assert result.kind == "deals" and result.rows_ok == 2
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(D("125000.50"),)]  # 100000 + 25000.50


def test_won_stages_are_a_setting(store_file):
    result = load(bitrix_csv("utf-8"), "deals.csv", won_stages=["Сделка провалена"])
    assert result.rows_ok == 1  # deal 12 counts now, 11 and 14 do not
    result = load(bitrix_csv("utf-8"), "deals.csv", won_stages=["Оплачено"])
    assert isinstance(result, importer.Refusal)
    assert result.reason.startswith("В выгрузке сделок нет ни одной выигранной закрытой сделки (4 ")
    assert "«Оплачено»" in result.reason


def test_a_deals_export_replaces_the_sales_of_its_months(store_file):
    load("Дата;Менеджер;Клиент;Сумма\n05.10.2026;Иванов И.И.;А;999\n05.09.2026;Иванов И.И.;А;1\n".encode(), "1c.csv")
    load(bitrix_csv("utf-8"), "deals.csv")
    # October now comes from the CRM (100000 + 25000.50); September keeps the 1C row (1)
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(D("125001.50"),)]


@pytest.mark.skipif(not REAL.exists(), reason="shared/real-exports is not beside the repository")
def test_the_published_amocrm_deals_export(store_file):
    data = (REAL / "crm_amocrm" / "hromov_amoimport_leads_test.csv").read_bytes()
    result = load(data, "amocrm_export_leads_2022-04-20.csv")
    # 20 deals: one "Успешно реализовано" (closed 22.03.2022 13:32, budget 0), 18 open or lost,
    # and the last row with an empty ID (the author's deliberate broken row) refused
    assert result.kind == "deals" and result.rows_ok == 1 and result.not_stored == 18
    assert [(p.line, p.column) for p in result.problems] == [(45, "ID")]
    assert query(store_file, "SELECT doc_date, manager, client, amount FROM sales") == [
        (dt.datetime(2022, 3, 22, 13, 32), "Александр", "Fake Name 27680693", D("0.00"))]


@pytest.mark.skipif(not REAL.exists(), reason="shared/real-exports is not beside the repository")
def test_the_published_contacts_and_rest_dump_are_refused_with_reasons():
    contacts = (REAL / "crm_amocrm" / "hromov_amoimport_contacts_test.csv").read_bytes()
    assert "Не удалось понять" in importer.inspect(contacts, "contacts.csv").reason
    rest = (REAL / "crm_bitrix24" / "GluhovDmitry_BitrixDataFetching_deals.csv").read_bytes()
    assert "«Responsible», «Deal stage», «Close date»" in importer.inspect(rest, "deals.csv").reason
