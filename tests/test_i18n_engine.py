"""The engine speaks no language: its results, JSON and stored rows hold codes and numbers;
the reader's words are put on at the edge (pages, CLI text, CSV, stored notes read back)."""

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kpi import i18n, importer, sales, store, texts
from kpi.export import excel_csv

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
# words the engine used to write into its results (issue 15)
LEAKS = ("Без отдела", "Итого по отделу", "Сделка ", "нед.", "Россия", "Казахстан")


@pytest.fixture
def language():
    yield i18n.set_language
    i18n.set_language("ru")


def test_json_of_every_read_command_holds_no_words_of_ours(tmp_path):
    db = str(tmp_path / "kpi.duckdb")
    run = [sys.executable, "-m", "kpi", "--db", db]
    subprocess.run(run + ["import", *map(str, sorted(SAMPLES.iterdir()))], check=True,
                   capture_output=True, cwd=ROOT)
    for command in (["sales"], ["receivables"], ["meetings"], ["funnel"], ["overview"], ["imports"]):
        out = subprocess.run(run + command + ["--json"], check=True, capture_output=True,
                             text=True, cwd=ROOT).stdout
        assert not [w for w in LEAKS if w in out], command
        json.loads(out)


def test_codes_become_the_readers_words(language):
    for code, none, total in (("ru", "Без отдела", "Итого по отделу"), ("kk", "Бөлімсіз", "Бөлім бойынша барлығы"),
                              ("en", "No team", "Department total")):
        language(code)
        assert texts.group_name(sales.NO_TEAM) == none and texts.group_name(sales.DEPARTMENT) == total
        assert texts.group_name("Москва") == "Москва"  # a team from the data stays as written
    language("kk")
    assert texts.week_title(dt.date(2026, 11, 2)) == "45-апта, 02.11–08.11"
    assert i18n.country("KZ") == "Қазақстан"
    language("en")
    assert texts.week_title(dt.date(2026, 11, 2)) == "wk 45, 11/02–11/08"
    assert i18n.country("RU") == "Russia"


def test_csv_follows_the_readers_excel(language):
    rows = [{"name": sales.DEPARTMENT, "fact": Decimal("1234.5"), "share": 0.25, "flag": True,
             "day": dt.date(2026, 10, 31)}]
    columns = {"name": "name", "fact": "fact", "share": "share", "flag": "flag", "day": "day"}
    language("ru")
    assert excel_csv(rows, columns).decode("utf-8-sig").splitlines()[1] == \
        "Итого по отделу;1234,5;0,25;да;31.10.2026"
    language("en")
    assert excel_csv(rows, columns).decode("utf-8-sig").splitlines()[1] == \
        "Department total,1234.5,0.25,yes,10/31/2026"


def test_stored_notes_are_read_in_the_readers_language(store_file, language):
    """An import's note is stored as keys and values; the history reads it in each language.
    The 1C sample has a totals row, which the import skips and notes."""
    stored = importer.commit(importer.inspect(SAMPLES.joinpath("Продажи_2026-09_1С.csv").read_bytes(),
                                              "Продажи_2026-09_1С.csv"))
    with store.reader() as con:
        (note,) = con.execute("SELECT note FROM imports WHERE id = ?", [stored.import_id]).fetchone()
    assert not [w for w in ("строк", "итог") if w in note]  # keys, not Russian sentences
    language("ru")
    assert "пропущено" in texts.read_notes(note)
    language("en")
    english = texts.read_notes(note)  # the file's own headers (Сумма НДС) stay as written
    assert "rows skipped: 1" in english and "пропущено" not in english
    assert texts.read_notes("старая заметка") == "старая заметка"  # a store from before keys


def test_money_in_a_stored_note_is_written_in_each_language(language):
    message = texts.Message("SUBTOTAL_MISMATCH", line=7, label="Ромашка", subtotal=Decimal("1500.00"),
                            got=Decimal("1000.00"), diff=Decimal("500.00"))
    note = texts.stored_notes([message])
    language("ru")
    assert "1\u00a0500,00" in texts.read_notes(note)
    language("en")
    assert "1,500.00" in texts.read_notes(note)


def test_a_currency_alone_is_written_as_money_is(language):
    """An axis titled `₽` under figures written `1,234 RUB` reads as two currencies."""
    from kpi.formatting import fmt_currency

    language("ru")
    assert fmt_currency("₸") == "₸"
    language("en")
    assert (fmt_currency("₽"), fmt_currency("₸")) == ("RUB", "KZT")
