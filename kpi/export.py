"""Tables as CSV that Russian Excel opens correctly: UTF-8 with BOM, `;`, decimal comma.

Text from the data is never a formula: a cell that begins with `=`, `+`, `-`, `@`, a tab
or a carriage return gets a leading apostrophe (OWASP's rule for CSV injection). Numbers
are written by us, not taken from text, so a negative amount stays a number."""

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
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
