"""The reader's language: which catalog the words come from, and how numbers, money and
dates are written in it. Formats come from Babel (CLDR), never by hand: `1 234 567,89 ₽`,
`1 234 567,89 ₸`, `1,234,567.89 RUB`; `31.10.2026`; `октябрь 2026`, `қазан 2026`.

The language is a context variable: the app sets it at the top of every run of a user's
session (Streamlit runs each session in its own thread), the CLI from `--lang`. The
engine never reads it; only pages, the CLI's readable output and the PDF do.
"""

import contextvars
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import get_currency_symbol, parse_pattern

LANGUAGES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
DEFAULT = "ru"
CURRENCIES = ("RUB", "KZT")

# Streamlit's date columns take a Moment.js pattern, not a CLDR one
MOMENT_DATE_TIME = {"ru": "DD.MM.YYYY HH:mm", "kk": "DD.MM.YYYY HH:mm", "en": "MM/DD/YYYY HH:mm"}

_language = contextvars.ContextVar("language", default=DEFAULT)


def set_language(code: str | None) -> str:
    """Use `code` from here on in this thread (an unknown code falls back to Russian)."""
    code = code if code in LANGUAGES else DEFAULT
    _language.set(code)
    return code


def language() -> str:
    return _language.get()


def from_browser(tag: str | None) -> str:
    """`kk-KZ`, `en-GB`, `ru`, an Accept-Language header (`kk,ru;q=0.8`) -> our language
    (the first one named); anything else Russian."""
    code = (tag or "").split(",")[0].split(";")[0].strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT


def locale(currency: str | None = None) -> str:
    """The CLDR locale to write in: Russian in tenge is `ru_KZ` (`ru_RU` would print
    `KZT` for ₸), Kazakh is `kk_KZ`, English `en_US` (with the currency code)."""
    code = language()
    if code == "kk":
        return "kk_KZ"
    if code == "en":
        return "en_US"
    return "ru_KZ" if currency == "KZT" else "ru_RU"


def half_up(value, digits: int) -> Decimal:
    """Accountants round 7,05 to 7,1; binary floats would give 7,0."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


# Babel's format_decimal and format_currency parse the locale and the pattern on every call:
# 40 µs a number, most of a 300-manager table's rerun. Parsed once here, applied as they do.
_locale_of = lru_cache(maxsize=None)(Locale.parse)
_parsed = lru_cache(maxsize=None)(parse_pattern)


def number(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return _parsed(_pattern(digits)).apply(half_up(value, digits), _locale_of(locale()))


def money(value, currency: str | None = None, digits: int = 0) -> str:
    """`1 234 568 ₽`; with no currency, the number alone. English writes the code after
    the number (`1,234,568 RUB`), as an owner reading a report in English expects."""
    if value is None:
        return "—"
    if not currency:
        return number(value, digits)
    if language() == "en":
        return f"{number(value, digits)}\u00a0{currency}"
    # the pattern `#,##0 ¤` with the locale's symbol (`₽`, `₸`); Babel's own apply looks the
    # symbol up again on every call (40 µs)
    return f"{number(value, digits)}\u00a0{_symbol(currency, locale(currency))}"


@lru_cache(maxsize=None)
def _symbol(currency: str, locale_code: str) -> str:
    return get_currency_symbol(currency, locale_code)


def percent(value, digits: int = 1) -> str:
    """`103,5 %` / `103.5%`: the locale's own percent pattern, `digits` after the mark."""
    if value is None:
        return "—"
    return _percent_pattern(locale(), digits).apply(
        half_up(Decimal(str(value)) * 100, digits) / 100, _locale_of(locale()))


@lru_cache(maxsize=None)
def _percent_pattern(locale_code: str, digits: int):
    """The locale's percent pattern with `digits` after the mark, parsed once."""
    pattern = _locale_of(locale_code).percent_formats[None].pattern
    head, _, tail = pattern.partition("0")
    body = "0" + ("." + "0" * digits if digits else "")
    return parse_pattern(head + body + tail.lstrip("0"))


def date(value: dt.date | None) -> str:
    """`31.10.2026` (ru, kk), `10/31/2026` (en)."""
    if value is None:
        return "—"
    return format_date(value, "dd.MM.y" if language() != "en" else "MM/dd/y", locale=locale())


def month(value: dt.date) -> str:
    """A month standing alone: `октябрь 2026`, `қазан 2026`, `October 2026`."""
    text = format_date(value, "LLLL y", locale=locale())
    return text[:1].upper() + text[1:] if language() == "en" else text.lower()


def chart_separators() -> str:
    """Plotly's `separators` (decimal mark, then thousands): `, ` in Russian and Kazakh,
    `.,` in English, from the locale's own symbols."""
    symbols = _locale_of(locale()).number_symbols["latn"]
    group = symbols["group"].replace("\u00a0", " ").replace("\u202f", " ")
    return symbols["decimal"] + group


def date_time(value: dt.datetime | None) -> str:
    """`31.10.2026 14:05` (ru, kk), `10/31/2026 14:05` (en)."""
    if value is None:
        return "—"
    return f"{date(value)} {value:%H:%M}"


def day_month(value: dt.date) -> str:
    """`02.11` (ru, kk), `11/02` (en): a day in a week's span."""
    return format_date(value, "dd.MM" if language() != "en" else "MM/dd", locale=locale())


def country(code: str) -> str:
    """`KZ` -> `Казахстан`, `Қазақстан`, `Kazakhstan`: CLDR's territory names."""
    return _locale_of(locale()).territories.get(code, code)
