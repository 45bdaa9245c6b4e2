"""Numbers and dates the Russian way: `1 234 567,89 ₽`, `103,5 %`, `31.10.2026`."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from kpi import texts

NBSP = "\u00a0"


def _half_up(value, digits: int) -> Decimal:
    """Accountants round 7,05 to 7,1; binary floats would give 7,0."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


MINUS = "\u2212"  # a typographic minus, not a hyphen


def fmt_money(value, digits: int = 0, currency: str = "") -> str:
    if value is None:
        return "—"
    text = f"{_half_up(value, digits):,.{digits}f}".replace(",", NBSP).replace(".", ",").replace("-", MINUS)
    return f"{text}{NBSP}{currency}" if currency else text


def fmt_ratio(value, digits: int = 1, none: str = texts.NO_PLAN) -> str:
    if value is None:
        return none
    return f"{value * 100:.{digits}f}".replace(".", ",") + f"{NBSP}%"


def fmt_date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def fmt_money_short(value, currency: str = "₽") -> str:
    """For headline cards, three significant digits so a card never cuts its figure:
    `1,28 млн ₽`, `14,6 млн ₽`, `132 млн ₽`, `811 тыс. ₽`, `950 ₽`."""
    if value is None:
        return "—"
    v = Decimal(str(value))
    for size, unit in ((10**9, "млрд"), (10**6, "млн"), (10**3, "тыс.")):
        if abs(v) >= size:
            scaled = abs(v) / size
            digits = 0 if scaled >= 100 else 1 if scaled >= 10 or unit == "тыс." else 2
            text = (f"{_half_up(v / size, digits):,.{digits}f}".replace(",", NBSP)
                    .replace(".", ",").replace("-", MINUS))
            return f"{text}{NBSP}{unit}{NBSP}{currency}".rstrip()
    return fmt_money(v, currency=currency)


def json_money(value) -> float | None:
    """Money for JSON output: a number in the data's currency, rounded to kopecks."""
    return None if value is None else round(float(value), 2)
