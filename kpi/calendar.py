"""Production calendar: which days are working days in Russia or Kazakhstan.

Uses the maintained `holidays` package, which knows public holidays, the days off they are
moved to, and the Saturdays made working days (Russia, 1 November 2025), year by year.
"""

import datetime as dt
from functools import lru_cache

import holidays

COUNTRIES = ("RU", "KZ")  # named in the reader's language by i18n.country
DEFAULT_COUNTRY = "RU"


@lru_cache(maxsize=64)
def _calendar(country: str, year: int):
    return holidays.country_holidays(country, years=year)


def is_working_day(day: dt.date, country: str = DEFAULT_COUNTRY) -> bool:
    return _calendar(country, day.year).is_working_day(day)


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def default_month(months: list[dt.date], today: dt.date | None = None) -> dt.date | None:
    """The latest of `months` (newest first) that has begun: a file dated ahead must not
    become the month every page opens on."""
    this_month = (today or dt.date.today()).replace(day=1)
    return next((m for m in months if m <= this_month), months[0] if months else None)


def working_days(month: dt.date, country: str = DEFAULT_COUNTRY) -> list[dt.date]:
    """The working days of the calendar month that contains `month`."""
    return list(_working_days(month.replace(day=1), country))


@lru_cache(maxsize=1024)
def _working_days(first: dt.date, country: str) -> tuple[dt.date, ...]:
    """Asked for again and again (a forecast's replay asks for each month thousands of
    times); 31 holiday lookups each time cost 0.5 ms."""
    days = (first + dt.timedelta(days=i) for i in range((month_end(first) - first).days + 1))
    return tuple(d for d in days if is_working_day(d, country))
