"""Numbers and dates the Russian way: `1 234 567,89 ₽`, `103,5 %`, `31.10.2026`."""

import datetime as dt

from kpi import texts

NBSP = "\u00a0"


def fmt_money(value, digits: int = 0, currency: str = "") -> str:
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}".replace(",", NBSP).replace(".", ",")
    return f"{text}{NBSP}{currency}" if currency else text


def fmt_ratio(value, digits: int = 1, none: str = texts.NO_PLAN) -> str:
    if value is None:
        return none
    return f"{value * 100:.{digits}f}".replace(".", ",") + f"{NBSP}%"


def fmt_date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"
