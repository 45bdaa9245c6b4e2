"""Every string a user reads, from the catalog of the reader's language.

The catalogs are `kpi/locales/ru.toml`, `kk.toml` and `en.toml`, key for key (a test checks
they match, placeholders included). `texts.NAME` is looked up each time it is read, in the
language of the current thread (`kpi.i18n`), so one page's code speaks Russian, Kazakh or
English; a key a catalog lacks falls back to Russian. Nothing may read a text at import time
(a default argument, a module constant): it would freeze one language.
"""

import json
import tomllib
from decimal import Decimal
from pathlib import Path

from kpi import i18n

_FOLDER = Path(__file__).with_name("locales")
CATALOGS = {code: tomllib.loads((_FOLDER / f"{code}.toml").read_text(encoding="utf-8"))
            for code in i18n.LANGUAGES if (_FOLDER / f"{code}.toml").exists()}


def __getattr__(name: str):
    for code in (i18n.language(), i18n.DEFAULT):
        catalog = CATALOGS.get(code)
        if catalog is not None and name in catalog:
            return catalog[name]
    raise AttributeError(f"no text {name!r} in the catalogs")


def group_name(name: str) -> str:
    """A row name as the reader sees it: the engine's codes for managers without a team and
    for the whole department (`sales.NO_TEAM`, `sales.DEPARTMENT`) in the reader's words;
    a name from the data as it is."""
    from kpi import sales  # the codes live with the engine; texts is imported first

    return {sales.NO_TEAM: __getattr__("NO_TEAM_LABEL"), sales.DEPARTMENT: __getattr__("DEPARTMENT_LABEL")}.get(name, name) \
        if isinstance(name, str) else name


def week_title(monday) -> str:
    """How a user reads a week: `нед. 45, 02.11–08.11`, `W45, 11/02–11/08`."""
    import datetime as dt

    return __getattr__("WEEK_TITLE").format(week=monday.isocalendar()[1], start=i18n.day_month(monday),
                             end=i18n.day_month(monday + dt.timedelta(days=6)))


class Message(str):
    """A text that can be written again in another language: what is stored (an import's
    notes) keeps its key and values, and the history shows it in the reader's language.
    It reads as the text in the language it was made in. Money values (Decimal, float) are
    written with kopecks in the language of each reading."""

    def __new__(cls, key: str, **params):
        self = super().__new__(cls, _render(key, params))
        self.key, self.params = key, params
        return self


def _render(key: str, params: dict) -> str:
    return __getattr__(key).format(**{
        k: i18n.money(v, None, 2) if isinstance(v, (Decimal, float)) else v for k, v in params.items()})


def stored_notes(notes: list[str]) -> str:
    """Notes as the store keeps them: a JSON list, a Message as its key and values."""
    return json.dumps([{"key": n.key, "params": {k: float(v) if isinstance(v, Decimal) else v
                                                 for k, v in n.params.items()}}
                       if isinstance(n, Message) else {"text": str(n)} for n in notes],
                      ensure_ascii=False, default=str)


def note_items(note: str | None) -> list[dict]:
    """A stored note as its items (`{"key", "params"}` or `{"text"}`); a note from before
    notes were stored as keys is one text."""
    try:
        items = json.loads(note or "[]")
    except ValueError:
        items = None
    return items if isinstance(items, list) else [{"text": note}]


def read_notes(note: str | None) -> str:
    """A stored note in the reader's language."""
    return "; ".join(_render(i["key"], i["params"]) if "key" in i else i.get("text", "")
                     for i in note_items(note))
