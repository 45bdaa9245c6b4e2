"""Every string a user reads, from the catalog of the reader's language.

The catalogs are `kpi/locales/ru.toml`, `kk.toml` and `en.toml`, key for key (a test checks
they match, placeholders included). `texts.NAME` is looked up each time it is read, in the
language of the current thread (`kpi.i18n`), so one page's code speaks Russian, Kazakh or
English; a key a catalog lacks falls back to Russian. Nothing may read a text at import time
(a default argument, a module constant): it would freeze one language.
"""

import tomllib
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
