"""Tables as CSV that the reader's Excel opens correctly: UTF-8 with BOM; in Russian and
Kazakh `;`, decimal comma and `31.10.2026`, in English `,`, decimal point and `10/31/2026`
(what Excel expects under each regional setting). Headers, yes/no and the engine's row codes
(the department, no team) are in the reader's language; names from the data stay as written.

Text from the data is never a formula: a cell that begins with `=`, `+`, `-`, `@`, a tab
or a carriage return gets a leading apostrophe (OWASP's rule for CSV injection). Numbers
are written by us, not taken from text, so a negative amount stays a number."""

import csv
import datetime as dt
import io
from decimal import Decimal

from kpi import i18n, texts


def excel_csv(rows: list[dict], columns: dict[str, str]) -> bytes:
    """`columns` maps a row key to the header shown; values keep full precision."""
    english = i18n.language() == "en"
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if english else ";", lineterminator="\r\n")
    writer.writerow(columns.values())
    for row in rows:
        writer.writerow(_cell(row.get(key), english) for key in columns)
    return out.getvalue().encode("utf-8-sig")


def _cell(value, english: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return texts.YES if value else texts.NO
    if isinstance(value, (float, Decimal)):
        text = f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return text if english else text.replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S" if english else "%d.%m.%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y" if english else "%d.%m.%Y")
    text = str(texts.group_name(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
