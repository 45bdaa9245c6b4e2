"""Russian, Kazakh and English: one catalog per language, key for key; numbers by Babel; the
same page in each language shows the same figures under different words."""

import re
import string
import subprocess
import sys
import datetime as dt
from decimal import Decimal

import pytest

from kpi import i18n, texts
from kpi.formatting import fmt_date, fmt_money, fmt_money_short, fmt_ratio

RU = texts.CATALOGS["ru"]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _strings(catalog: dict):
    for key, value in catalog.items():
        if isinstance(value, dict):
            for inner, text in value.items():
                yield f"{key}.{inner}", text
        elif isinstance(value, list):
            for i, text in enumerate(value):
                yield f"{key}[{i}]", text
        else:
            yield key, value


@pytest.mark.parametrize("code", ["kk", "en"])
def test_every_key_in_every_catalog_with_the_same_placeholders(code):
    catalog = texts.CATALOGS[code]
    assert list(catalog) == list(RU)
    for key, value in RU.items():
        if isinstance(value, dict):
            assert list(catalog[key]) == list(value), key
        if isinstance(value, list):
            assert len(catalog[key]) == len(value), key
    theirs = dict(_strings(catalog))
    for key, text in _strings(RU):
        assert _placeholders(theirs[key]) == _placeholders(text), key
        theirs[key].format(**{p: "x" for p in _placeholders(text)})  # formats at all


def test_kazakh_reads_as_kazakh():
    """No Latin letter inside a Cyrillic word (a look-alike `а`/`a`), and the letters only
    Kazakh has are there: the catalog is Kazakh, not Russian left as it was."""
    mixed = re.compile(r"[а-яёәғқңөұүһі][a-z]|[a-z][а-яёәғқңөұүһі]", re.IGNORECASE)
    kazakh_letters = 0
    for key, text in _strings(texts.CATALOGS["kk"]):
        assert not mixed.search(text), (key, text)
        kazakh_letters += len(re.findall(r"[әғқңөұүһі]", text, re.IGNORECASE))
    assert kazakh_letters > 1000
    assert texts.CATALOGS["kk"]["MONTHS_NOMINATIVE"][9] == "қазан"


@pytest.fixture
def language():
    yield i18n.set_language
    i18n.set_language("ru")


def test_numbers_money_and_dates_by_language(language):
    # 1234567.891 rounds half up to kopecks: 1 234 567,89
    language("ru")
    assert fmt_money(Decimal("1234567.891"), 2, "₽") == "1\u00a0234\u00a0567,89\u00a0₽"
    assert fmt_money(Decimal("1234567.891"), 2, "₸") == "1\u00a0234\u00a0567,89\u00a0₸"
    assert fmt_ratio(1.035) == "103,5\u00a0%"
    assert fmt_date(dt.date(2026, 10, 31)) == "31.10.2026"
    assert i18n.month(dt.date(2026, 10, 1)) == "октябрь 2026"
    language("kk")
    assert fmt_money(Decimal("1234567.891"), 2, "₸") == "1\u00a0234\u00a0567,89\u00a0₸"
    assert i18n.month(dt.date(2026, 10, 1)) == "қазан 2026"
    assert texts.NO_PLAN != RU["NO_PLAN"]
    language("en")
    assert fmt_money(Decimal("1234567.891"), 2, "₽") == "1,234,567.89\u00a0RUB"
    assert fmt_money_short(1_280_000, "₸") == "1.28M\u00a0KZT"  # 1 280 000: three digits
    assert fmt_date(dt.date(2026, 10, 31)) == "10/31/2026"
    assert i18n.month(dt.date(2026, 10, 1)) == "October 2026"


def test_the_browser_language_picks_the_default():
    assert [i18n.from_browser(t) for t in ("kk-KZ", "en-GB", "ru", "de-DE", None)] == \
        ["kk", "en", "ru", "ru", "ru"]


def test_the_same_page_in_three_languages(store_file):
    """The sales page of the sample company: the figures are the same in each language, the
    words are not (the numbers are written each language's way)."""

    from tests.test_pages import app

    figures, titles = {}, {}
    for code in ("ru", "kk", "en"):
        at = app()
        at.session_state["language"] = code
        at.switch_page("pages/sales.py").run()
        assert not at.exception
        titles[code] = at.title[0].value
        digits = [re.sub(r"\D", "", m.value) for m in at.metric]
        figures[code] = digits
    assert figures["ru"] == figures["kk"] == figures["en"]
    assert len(set(titles.values())) == 3
    assert titles["kk"] == texts.CATALOGS["kk"]["PAGE_TITLES"]["sales"]


def test_json_does_not_change_with_the_language(tmp_path):
    db = tmp_path / "kpi.duckdb"
    run = [sys.executable, "-m", "kpi", "--db", str(db)]
    subprocess.run(run + ["import", "data/samples/Продажи_2026-09_1С.csv"], check=True,
                   capture_output=True)
    outputs = {code: subprocess.run(run + ["--lang", code, "sales", "--month", "2026-09", "--json"],
                                    check=True, capture_output=True, text=True).stdout
               for code in ("ru", "kk", "en")}
    assert outputs["ru"] == outputs["kk"] == outputs["en"]


def test_no_words_written_into_the_pages():
    """Every word a page or the command line shows comes from the catalogs: no Cyrillic
    string in the pages' code or in the CLI's (docstrings and comments aside)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    cyrillic = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
    found = []
    for path in [*sorted((root / "pages").glob("*.py")), root / "app.py", root / "server.py",
                 root / "kpi" / "cli.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        found += [f"{path.name}:{n.lineno} {n.value!r}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str)
                  and cyrillic.search(n.value) and id(n) not in docstrings]
    assert found == []


def test_the_command_line_speaks_the_readers_language(tmp_path):
    """`--lang en` / `--lang kk`: the readable sales table and the help in that language, no
    Russian word left but the names from the data; the same figures in every language."""
    import json

    cyrillic = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
    db = tmp_path / "kpi.duckdb"
    run = [sys.executable, "-m", "kpi", "--db", str(db)]
    subprocess.run(run + ["import", "data/samples/Продажи_2026-09_1С.csv", "data/samples/Планы_2026_Q4.csv"],
                   check=True, capture_output=True)

    def kpi(*args):
        return subprocess.run(run + list(args), check=True, capture_output=True, text=True).stdout

    data = json.loads(kpi("sales", "--month", "2026-09", "--json"))
    names = sorted([*data["managers"], *data["teams"]], key=len, reverse=True)  # longest first
    tables = {code: kpi("--lang", code, "sales", "--month", "2026-09").splitlines()
              for code in ("ru", "kk", "en")}
    helps = {code: " ".join((kpi("--lang", code, "--help")  # argparse wraps lines: unwrap
                             + kpi(f"--lang={code}", "sales", "--help")).split())
             for code in ("ru", "kk", "en")}

    english = tables["en"]
    assert english[0] == "Sales plan, September 2026"
    assert not cyrillic.search(english[1]), english[1]  # the header
    for line in english:  # the data's names are the data's; every other word is English
        for name in names:
            line = line.replace(name, "")
        assert not cyrillic.search(line), line
    assert english[-1].startswith(texts.CATALOGS["en"]["DEPARTMENT_LABEL"])
    assert not cyrillic.search(helps["en"]), helps["en"]

    kazakh = tables["kk"]
    kk = texts.CATALOGS["kk"]
    assert kazakh[0] == kk["CLI_SALES_TITLE"].format(month="қыркүйек 2026")
    assert kazakh[1].split() == [kk["CLI_FACT"], kk["CLI_PLAN"], kk["CLI_FULFILMENT"]]
    assert kazakh[-1].startswith(kk["DEPARTMENT_LABEL"])
    for russian in ("План продаж", "план", "выполнение", "нет плана", "Итого", "Без отдела"):
        assert not any(russian in line for line in kazakh), russian
    assert kk["CLI_HELP_SALES"] in helps["kk"] and kk["CLI_HELP_MONTH"] in helps["kk"]
    assert RU["CLI_HELP_SALES"] not in helps["kk"] and RU["CLI_HELP_MONTH"] not in helps["kk"]
    assert RU["CLI_HELP_SALES"] in helps["ru"]

    figures = {code: [re.sub(r"\D", "", line) for line in lines] for code, lines in tables.items()}
    assert figures["ru"] == figures["kk"] == figures["en"]
    assert figures["en"][-1] == "20213559195000001037"  # 20 213 559, 19 500 000, 103,7 %


@pytest.mark.parametrize("header,code", [("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"), ("en-US,en;q=0.9", "en"),
                                         ("de-DE", "ru"), (None, "ru")])
def test_the_sign_in_page_speaks_the_browsers_language(store_file, header, code):
    import asyncio

    from starlette.requests import Request

    import server

    headers = [(b"accept-language", header.encode())] if header else []
    request = Request({"type": "http", "method": "GET", "path": "/api/signin", "headers": headers,
                       "query_string": b""})
    page = asyncio.run(server.sign_in(request)).body.decode("utf-8")
    assert texts.CATALOGS[code]["SIGN_IN_TITLE"] in page and f'lang="{code}"' in page
    i18n.set_language("ru")
