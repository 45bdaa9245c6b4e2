"""Small builders for test fixtures: a store query, and xlsx bytes built in the test."""

import io

import duckdb
import openpyxl

from kpi import importer


def load(data: bytes, name: str = "export.csv", db=None, **options):
    """Inspect and store one file; return the Inspection (or the Refusal, unstored)."""
    result = importer.inspect(data, name, db=db, **options)
    if isinstance(result, importer.Inspection):
        importer.commit(result, db=db)
    return result


def query(db, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def xlsx(rows: list[list], title: str = "TDSheet", cover: bool = False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if cover:
        sheet.title = "Обложка"
        sheet.append(["Отчёт сформирован в 1С:Предприятие"])
        sheet = book.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
