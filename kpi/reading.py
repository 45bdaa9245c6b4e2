"""Bytes of an uploaded export -> rows of text cells, each with its physical line number.

Knows nothing about export kinds. Its job is the container: Excel or text, the encoding
(never guessed into mojibake), the delimiter, quoting with line breaks inside quotes.
Line numbers are those a user sees in Excel or Notepad, so a refused row can be found.
"""

import csv
import datetime as dt
import html
import io
from collections import Counter
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kpi import texts


class FileRefused(Exception):
    """The whole file cannot be taken; the message says why, in Russian, for the user."""


@dataclass
class Records:
    rows: list[tuple[int, list[str]]]  # (physical line or Excel row, cells as text)
    encoding: str  # "xlsx" for Excel books
    delimiter: str = ""
    # Excel row -> outline level, where the sheet groups rows (1C group rows and details)
    outline: dict[int, int] = field(default_factory=dict)
    quotes: list["QuoteIssue"] = field(default_factory=list)  # quoted cells over many lines


@dataclass
class QuoteIssue:
    """A quoted cell spanning lines `line`..`end`. `swallowed`: its lines are records of
    their own (an opening quote never closed), and they were re-read with the quote as an
    ordinary character; otherwise a long multi-line cell left as it is. Either way the
    user looks before anything is stored."""

    line: int
    end: int
    value: str
    swallowed: bool


_SIGNATURES = (
    (b"\x89PNG", "изображение PNG"),
    (b"\xff\xd8\xff", "изображение JPEG"),
    (b"GIF8", "изображение GIF"),
    (b"%PDF", "документ PDF"),
    (b"Rar!", "архив RAR"),
    (b"7z\xbc\xaf", "архив 7z"),
    (b"\x1f\x8b", "архив gzip"),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # old .xls (and .doc: the Excel reader tells them apart)


def read_records(data: bytes) -> Records:
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRefused(texts.EMPTY_FILE)
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise FileRefused(texts.NOT_A_TABLE.format(what=what))
    if data.startswith(_ZIP) or data.startswith(_OLE):
        return _read_excel(data)
    if _HTML.match(data[:1024]):  # Bitrix24's "Excel" export: an HTML table named .xls
        return _read_html(data)
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    rows, quotes = _repair_quotes(text, _split(text, delimiter), delimiter)
    return Records(rows, encoding, delimiter, quotes=quotes)


def decode(data: bytes) -> tuple[str, str]:
    """Decode by BOM, then strict UTF-8, then Windows-1251 (1C's default)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    sample = data[:4000]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a BOM: every other byte 0
        encoding = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        return _strict(data, encoding), encoding
    if b"\x00" in data:  # never in a text export; a binary file or a broken one
        at = data.index(b"\x00")
        raise FileRefused(texts.BAD_BYTES.format(line=data[:at].count(b"\n") + 1,
                                                 bytes=data[at:at + 4].hex(" ")))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _strict(data, "cp1251")
    _refuse_control_bytes(text)
    return text, "cp1251"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        bad = data[e.start : e.end + 2].hex(" ")
        raise FileRefused(texts.BAD_BYTES.format(line=line, bytes=bad)) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _refuse_control_bytes(text: str) -> None:
    """cp1251 maps almost every byte to a letter, so binary junk decodes 'successfully'.
    Control characters other than tab and line ends never occur in a real export."""
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise FileRefused(texts.BAD_BYTES.format(line=line, bytes=f"{ord(found.group()):02x}"))


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines of the head into the same number (> 1) of cells."""
    head = "\n".join(text.splitlines()[:60])
    best, best_score = ";", 0
    for delimiter in (";", "\t", ","):
        widths = Counter(len(cells) for _, cells in _split(head, delimiter) if len(cells) > 1)
        if widths:
            width, count = max(widths.items(), key=lambda wc: (wc[1], wc[0]))
            score = count * 1000 + width
            if score > best_score:
                best, best_score = delimiter, score
    return best


def _split(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Rows with the physical line each starts on; quoted line breaks stay inside a cell."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                        skipinitialspace=False, strict=False)
    rows, line = [], 1
    try:
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as e:  # a NUL or a field over the size limit
        raise FileRefused(texts.BAD_BYTES.format(line=line, bytes=str(e))) from None
    return rows


_LONG_CELL_LINES = 20  # a legitimate note rarely runs longer; a stray quote runs to the end


def _repair_quotes(text: str, rows, delimiter: str):
    """Find quoted cells that run across lines. When the lines inside such a cell split into
    as many cells as the file's usual row, they are rows swallowed by a quote that never
    closed (`"Ромашка`): they are split again, the quote read as a character."""
    physical = text.splitlines()
    starts = [line for line, _ in rows] + [len(physical) + 1]
    spanning = [i for i in range(len(rows)) if starts[i + 1] - starts[i] > 1
                and any("\n" in c for c in rows[i][1])]
    if not spanning:
        return rows, []
    widths = Counter(len(cells) for _, cells in rows[:2000])
    usual = widths.most_common(1)[0][0]
    issues, out, done = [], [], 0
    for i in spanning:
        line, cells = rows[i]
        end = starts[i + 1] - 1
        inner = physical[line - 1:end]
        literal = [_literal_cells(p, delimiter) for p in inner]
        whole = sum(1 for c in literal if len(c) == usual)
        long_cell = next((c for c in cells if c.count("\n") >= 1), "")
        if usual > 1 and whole >= 2:
            out += rows[done:i] + [(line + k, c) for k, c in enumerate(literal)]
            done = i + 1
            opened = next((c for c in literal[0] if c.startswith('"') and not c.endswith('"')), "")
            issues.append(QuoteIssue(line, end, opened[:60], True))
        elif end - line + 1 > _LONG_CELL_LINES:
            issues.append(QuoteIssue(line, end, long_cell.split("\n")[0][:60], False))
    return out + rows[done:], issues


def _literal_cells(line: str, delimiter: str) -> list[str]:
    """A line split with quotes as characters, then `"…"` cells unquoted as csv would."""
    cells = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
    return [c[1:-1].replace('""', '"') if len(c) >= 2 and c[0] == c[-1] == '"' else c
            for c in cells]


def _read_excel(data: bytes) -> Records:
    """Excel via calamine (Rust): reads .xlsx and old .xls, is fast on large books, and opens
    1C's books whose shared strings part is spelled `SharedStrings.xml`."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(name, book.get_sheet_by_name(name)) for name in book.sheet_names]
        tables = [(name, sheet.start, sheet.to_python()) for name, sheet in sheets]
    except Exception as e:  # calamine raises its own error types for every broken container
        raise FileRefused(texts.BROKEN_EXCEL.format(error=e)) from None
    # The first sheet with a table on it: 1C sometimes puts a cover sheet first.
    for name, start, table in tables:
        # calamine trims empty leading rows and columns; keep the row numbers Excel shows
        first_row, first_column = start if start else (0, 0)
        rows = [(first_row + i + 1, [""] * first_column + [_cell_text(v) for v in row])
                for i, row in enumerate(table)]
        if sum(1 for _, cells in rows if sum(1 for c in cells if c) > 1) >= 2:
            return Records(rows, "xlsx", outline=_outline_levels(data, name))
    raise FileRefused(texts.EXCEL_EMPTY)


_HTML = re.compile(rb"^(\xef\xbb\xbf)?\s*<(!doctype html|html|meta|table|head)", re.IGNORECASE)
_CHARSET = re.compile(rb"charset=[\"']?([\w-]+)", re.IGNORECASE)


class _TableParser(HTMLParser):
    """Rows of the first <table>: the text of each <td>/<th>, line breaks as spaces."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _read_html(data: bytes) -> Records:
    declared = _CHARSET.search(data[:2048])
    encoding = declared.group(1).decode("ascii").lower() if declared else None
    try:
        text = data.decode(encoding) if encoding else decode(data)[0]
    except (LookupError, UnicodeDecodeError):
        text, encoding = decode(data)
    parser = _TableParser()
    parser.feed(text)
    if not parser.rows:
        raise FileRefused(texts.NOT_A_TABLE.format(what="HTML-страница без таблицы"))
    # A user opening this file in Excel sees table row N as row N.
    return Records([(i + 1, row) for i, row in enumerate(parser.rows)], f"html ({encoding or 'utf-8'})")


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ATTR = re.compile(rb'\b(r|outlineLevel)="(\d+)"')


def _outline_levels(data: bytes, sheet_name: str) -> dict[int, int]:
    """Row outline levels of one sheet of an .xlsx (calamine does not expose them).
    1C marks group rows (with subtotals) and detail rows by level; empty for .xls."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        names = {n.lower(): n for n in book.namelist()}
        workbook = book.read(names["xl/workbook.xml"]).decode("utf-8")
        rels = book.read(names["xl/_rels/workbook.xml.rels"]).decode("utf-8")
    except (zipfile.BadZipFile, KeyError):
        return {}
    rel_id = None
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]*)"', tag)
        if name and html.unescape(name.group(1)) == sheet_name:
            rel_id = re.search(r'r:id="([^"]+)"', tag).group(1)
            break
    target = None
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        if rel_id and f'Id="{rel_id}"' in tag:
            target = re.search(r'Target="([^"]+)"', tag).group(1)
    if not target:
        return {}
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    xml = book.read(names[path.lower()]) if path.lower() in names else b""
    levels = {}
    for attrs in _ROW_TAG.findall(xml):
        values = dict(_ATTR.findall(attrs))
        if b"r" in values and values.get(b"outlineLevel", b"0") != b"0":
            levels[int(values[b"r"])] = int(values[b"outlineLevel"])
    return levels



def _cell_text(value) -> str:
    """Excel cells as the text the CSV path would give; numbers keep a dot decimal."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)
