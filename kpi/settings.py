"""The company's own settings, kept in the store: its currency and production calendar.

The currency is taken from the data when an export writes it (`₸`, `тг`, `тенге`, `KZT` or
`руб.`, `₽`) and can be set; the calendar follows it (tenge: Kazakhstan) unless set too.
"""

from kpi import calendar
from kpi.store import get_meta, set_meta

CURRENCIES = {"RUB": "₽", "KZT": "₸"}
_CURRENCY, _COUNTRY = "currency", "country"


def currency(con) -> str:
    code = get_meta(con, _CURRENCY)
    return code if code in CURRENCIES else "RUB"


def symbol(con) -> str:
    return CURRENCIES[currency(con)]


def country(con) -> str:
    code = get_meta(con, _COUNTRY)
    if code in calendar.COUNTRIES:
        return code
    return "KZ" if currency(con) == "KZT" else calendar.DEFAULT_COUNTRY


def save(con, *, currency_code: str | None = None, country_code: str | None = None) -> None:
    if currency_code in CURRENCIES:
        set_meta(con, _CURRENCY, currency_code)
    if country_code in calendar.COUNTRIES:
        set_meta(con, _COUNTRY, country_code)


def note_currency_seen(con, code: str | None) -> None:
    """An import that wrote its currency sets the company's, unless one is set already."""
    if code in CURRENCIES and get_meta(con, _CURRENCY) is None:
        set_meta(con, _CURRENCY, code)


def team_overrides(con) -> dict[str, str]:
    """Teams set by hand, for managers whose plan export has no Отдел (or a wrong one)."""
    return dict(con.execute("SELECT manager, team FROM teams ORDER BY manager").fetchall())


def save_team_overrides(con, teams: dict[str, str | None]) -> None:
    """Replace the hand-set teams; an empty team removes the manager's line."""
    con.execute("DELETE FROM teams")
    rows = [[m, t.strip()] for m, t in teams.items() if t and t.strip()]
    if rows:
        con.executemany("INSERT INTO teams VALUES (?, ?)", rows)


_LANGUAGE = "language:"  # + login: the interface language each user chose


def user_language(con, login: str | None) -> str | None:
    return get_meta(con, _LANGUAGE + (login or ""))


def save_user_language(con, login: str | None, code: str) -> None:
    set_meta(con, _LANGUAGE + (login or ""), code)
