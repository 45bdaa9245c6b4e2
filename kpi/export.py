"""Tables as CSV that Russian Excel opens correctly: UTF-8 with BOM, `;`, decimal comma."""

import csv
import datetime as dt
import io
from decimal import Decimal


def excel_csv(rows: list[dict], columns: dict[str, str]) -> bytes:
    """`columns` maps a row key to the header shown; values keep full precision."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns.values())
    for row in rows:
        writer.writerow(_cell(row.get(key)) for key in columns)
    return out.getvalue().encode("utf-8-sig")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, (float, Decimal)):
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",") if isinstance(value, float) \
            else str(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)
