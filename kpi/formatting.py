"""Numbers, money and dates as the reader writes them, by Babel (kpi.i18n): `1 234 567,89 ₽`,
`1 234 567,89 ₸`, `1,234,567.89 RUB`; `103,5 %`; `31.10.2026`. The signatures stay those
the pages and the CLI have always called: a currency is passed as its symbol (₽, ₸) or not
at all."""

import datetime as dt
from decimal import Decimal

from babel.numbers import format_compact_decimal

from kpi import i18n, texts

NBSP = "\u00a0"
_CODES = {"₽": "RUB", "₸": "KZT", "RUB": "RUB", "KZT": "KZT"}


def fmt_money(value, digits: int = 0, currency: str = "") -> str:
    return i18n.money(value, _CODES.get(currency), digits) if currency else i18n.number(value, digits)


def fmt_currency(symbol: str) -> str:
    """The currency alone, as an axis title: `₽`, `₸`; `RUB`, `KZT` in English, as English
    money is written (`1,234 RUB`)."""
    code = _CODES.get(symbol)
    return code if code and i18n.language() == "en" else symbol


def fmt_number(value, digits: int = 1, signed: bool = False) -> str:
    """`3,9` / `3.9`; `signed`: `+11,6` for a change (a plain hyphen-minus: Streamlit's delta
    arrow reads the sign)."""
    if value is None:
        return "—"
    text = i18n.number(value, digits)
    return f"+{text}" if signed and i18n.half_up(value, digits) > 0 else text


def fmt_ratio(value, digits: int = 1, none: str | None = None) -> str:
    """`none`: what a missing ratio reads as (by default the text for "no plan")."""
    if value is None:
        return texts.NO_PLAN if none is None else none
    return i18n.percent(value, digits)


def fmt_date(value: dt.date | None) -> str:
    return i18n.date(value)


def fmt_money_short(value, currency: str = "₽") -> str:
    """For headline cards, three significant digits so a card never cuts its figure:
    `1,28 млн ₽`, `14,6 млн ₽`, `132 млн ₽`, `811 тыс. ₽`, `950 ₽` (`1.28M RUB` in English)."""
    if value is None:
        return "—"
    v = Decimal(str(value))
    if abs(v) < 1000:
        return fmt_money(v, currency=currency)
    size = Decimal(1000)
    while abs(v) >= size * 1000 and size < 10**9:
        size *= 1000
    scaled = abs(v) / size
    digits = 0 if scaled >= 100 else 1 if scaled >= 10 or size == 1000 else 2
    # rounded here, half up as accountants do (Babel would round 7,05 тыс. to even: 7 тыс.)
    text = format_compact_decimal(i18n.half_up(v / size, digits) * size, fraction_digits=digits,
                                  locale=i18n.locale())
    code = _CODES.get(currency)
    unit = code if i18n.language() == "en" else currency
    return f"{text}{NBSP}{unit}" if unit else text


def json_money(value) -> float | None:
    """Money for JSON output: a number in the data's currency, rounded to kopecks."""
    return None if value is None else round(float(value), 2)
