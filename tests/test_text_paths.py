"""A flat text export is split and typed by DuckDB's reader (fast); anything it might read
differently goes the Python way (exact). Both ways must give the same rows, the same
refusals with the same lines, and the same totals for every file either can take."""

import datetime as dt
from pathlib import Path

import pytest

from kpi import importer, reading

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "data" / "samples").iterdir() if p.suffix in (".csv", ".txt"))
REAL = sorted((ROOT.parent / "shared" / "real-exports").glob("*/*.csv"))

_ROWS = "".join(f"{i % 28 + 1:02d}.10.2026;Р-{i};Иванов И.И.;Ромашка;{i}\r\n" for i in range(300))
TITLE = "Продажи за период 01.10.2026 - 31.10.2026\r\n\r\n"
HEADER = "Дата;Документ;Менеджер;Контрагент;Сумма\r\n"
TRICKY = {
    # blank lines between title, header and data, and inside the data
    "blank_lines": TITLE + HEADER + "\r\n01.10.2026;Р-1;Иванов И.И.;Ромашка;1 000,00\r\n\r\n\r\n"
    "02.10.2026;Р-2;Петров П.П.;Лютик;2\u00a0500,50\r\nИтого;;;;3 500,50\r\n",
    # totals rows in every spelling, one starting in column B, one a client named Total
    "totals": HEADER + "01.10.2026;Р-1;Иванов И.И.;Total E&P;100\r\n;Итого по менеджеру;;;100\r\n"
    "  Итого:;;;;100\r\nВсего;;;;100\r\nGrand total;;;;100\r\n",
    # quotes DuckDB and csv read alike, and whitespace-only and NBSP cells
    "quotes": HEADER + '01.10.2026;"Р;1";Иванов И.И.;"ООО ""Ромашка""";"1 000,00"\r\n'
    '02.10.2026;Р-2;Петров  П. П.;ООО "Лютик";\u00a0\r\n03.10.2026; ;Иванов И.И.;\t;5\r\n',
    # quotes they read differently: text after a closing quote, a quote after a space
    "odd_quotes": HEADER + '01.10.2026;"Р-1"x;Иванов И.И.;Ромашка;1\r\n'
    '02.10.2026;Р-2;Иванов И.И.; "Лютик";2\r\n',
    # a quoted line break and a quote never closed
    "multiline": HEADER + '01.10.2026;"Р-1\r\nпродолжение";Иванов И.И.;Ромашка;1\r\n'
    '02.10.2026;Р-2;Иванов И.И.;"Лютик;2\r\n03.10.2026;Р-3;Иванов И.И.;Астра;3\r\n',
    # refused cells: 1C's empty date, three decimals, a word for an amount; a wide row
    "refusals": HEADER + "01.01.0001;Р-1;Иванов И.И.;Ромашка;1\r\n01.10.2026;Р-2;Иванов И.И.;Лютик;1,234\r\n"
    "02.10.2026;Р-3;;Астра;много\r\n03.10.2026;Р-4;Иванов И.И.;Астра;4;лишнее;ещё\r\n",
    "tabs_lf": "Дата\tМенеджер\tКлиент\tСумма\n2026-10-01\tИванов И.И.\tРомашка\t1.5\n\n"
               "2026-10-02T10:00:00+03:00\tИванов И.И.\tЛютик\t(2,00)\n",
    "lone_cr": HEADER + "01.10.2026;Р-1;Иванов И.И.;Ромашка;1\r02.10.2026;Р-2;Иванов И.И.;Лютик;2\r\n",
    # found by a hostile pass: a space before an opening quote, which DuckDB reads as quoting
    # (`; "1 000" 500` was stored as 100 050,00), and a quote after a space left open
    "space_quote": HEADER + '01.10.2026;Р-1;Иванов И.И.;Ромашка; "1 000" 500\r\n'
    '02.10.2026; "РН" 12345;Иванов И.И.;Ромашка;100\r\n03.10.2026;Р-3;Иванов И.И.; "Лютик;500";1\r\n',
    "space_quote_open": HEADER + '01.10.2026;Р-1;Иванов И.И.; "Ромашка;100\r\n'
    "02.10.2026;Р-2;Иванов И.И.;Лютик;200\r\n",
    # a row past the head shifted right, and a totals row there: neither lost in silence
    "shifted_late": HEADER + _ROWS + ";;;;;01.10.2026;Р-X;Иванов И.И.;Ромашка;999\r\n;;;;;Итого\r\n",
    # a line longer than csv's field limit, in a file without quotes
    "long_line": HEADER + _ROWS + "02.10.2026;Р-2;Иванов И.И.;Ромашка;5;" + "y" * 140_000 + "\r\n",
    "wide_head": HEADER.rstrip() + ";" * 4000 + "\r\n01.10.2026;Р-1;Иванов И.И.;Ромашка;1\r\n",
    # a letter that folds to «в» is not the start of «Всего»
    "exotic_total": HEADER + "01.10.2026;Р-1;Иванов И.И.;Ромашка;1\r\nᲀсего;;;;1\r\n",
}


def _both(data: bytes, name: str, monkeypatch):
    fast = importer.inspect(data, name, as_of=dt.date(2026, 11, 20))
    monkeypatch.setattr(reading, "DUCKDB_READS_TEXT", False)
    slow = importer.inspect(data, name, as_of=dt.date(2026, 11, 20))
    monkeypatch.setattr(reading, "DUCKDB_READS_TEXT", True)
    return fast, slow


def _same(fast, slow) -> None:
    assert type(fast) is type(slow)
    if isinstance(slow, importer.Refusal):
        assert fast.reason == slow.reason
        return
    assert fast.typed.rows.to_pylist() == slow.typed.rows.to_pylist()
    assert fast.problem_lines == slow.problem_lines
    assert (fast.totals_skipped, fast.refused_rows, fast.months, fast.kind, fast.header_line) == \
        (slow.totals_skipped, slow.refused_rows, slow.months, slow.kind, slow.header_line)
    assert (fast.warnings, fast.unused, fast.confirm) == (slow.warnings, slow.unused, slow.confirm)


@pytest.mark.parametrize("path", SAMPLES + REAL, ids=lambda p: p.name)
def test_real_and_sample_files_read_alike(path, monkeypatch):
    _same(*_both(path.read_bytes(), path.name, monkeypatch))


@pytest.mark.parametrize("name", TRICKY)
@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_tricky_text_reads_alike(name, encoding, monkeypatch):
    data = TRICKY[name].encode(encoding, errors="replace")
    _same(*_both(data, f"{name}.csv", monkeypatch))


def test_duckdb_takes_the_flat_files_and_leaves_the_rest():
    """The fast way is taken where it is safe, and only there."""
    def body(name):
        return reading.read_records(TRICKY[name].encode("utf-8")).body is not None
    assert body("blank_lines") and body("totals") and body("quotes") and body("refusals")
    assert not body("odd_quotes") and not body("multiline") and not body("lone_cr")


def test_line_numbers_survive_blank_lines():
    """Line 8 of the file is the refused row, counted as Notepad counts (blank lines too)."""
    text = TITLE + HEADER + "\r\n01.10.2026;Р-1;Иванов И.И.;Ромашка;1\r\n\r\n\r\n" \
        "02.10.2026;Р-2;Иванов И.И.;Лютик;много\r\n"
    # lines: 1 title, 2 blank, 3 header, 4 blank, 5 data, 6-7 blank, 8 the bad row
    result = importer.inspect(text.encode("cp1251"), "x.csv")
    assert [p.line for p in result.problems] == [8]


def test_a_second_bom_and_a_blank_first_line():
    """DuckDB skips a second BOM, then the blank line under it: the lines would shift."""
    data = b"\xef\xbb\xbf\xef\xbb\xbf" + ("\r\n" + HEADER + "01.10.2026;Р-1;Иванов И.И.;Ромашка;много\r\n").encode()
    result = importer.inspect(data, "x.csv")
    assert isinstance(result, importer.Refusal) and "строка 3" in result.reason


def test_stray_quote_line_numbers_count_lines_as_csv_does():
    """A line separator inside a cell (U+2028, form feed) is not a line: the refused row
    after a repaired stray quote keeps its number."""
    text = HEADER + "01.10.2026;Р-1;Иванов И.И.;Ромашка\u2028ООО;1\r\n" \
        '02.10.2026;Р-2;Иванов И.И.;"Лютик;2\r\n03.10.2026;Р-3;Иванов И.И.;Астра;3\r\n' \
        "04.10.2026;Р-4;Иванов И.И.;Астра;много\r\n"
    result = importer.inspect(text.encode("utf-8"), "x.csv")
    assert [p.line for p in result.problems] == [5]


def test_no_copy_of_the_file_is_left_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(reading.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(reading, "_scratch_dir", lambda size: str(tmp_path))
    importer.inspect(TRICKY["blank_lines"].encode("cp1251"), "x.csv")
    importer.inspect(TRICKY["long_line"].encode("cp1251"), "x.csv")  # DuckDB balks here
    import gc
    gc.collect()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("kpi-import-")] == []
