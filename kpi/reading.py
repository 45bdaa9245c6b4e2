"""Bytes of an uploaded export -> rows of text cells, each with its physical line number.

Knows nothing about export kinds. Its job is the container: Excel or text, the encoding
(never guessed into mojibake), the delimiter, quoting with line breaks inside quotes.
Line numbers are those a user sees in Excel or Notepad, so a refused row can be found.
"""

import csv
import datetime as dt
import html
import io
import os
import re
import struct
import tempfile
import time
import weakref
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from operator import itemgetter

import duckdb

from kpi import texts


class FileRefused(Exception):
    """The whole file cannot be taken; the message says why, in Russian, for the user."""


# --- limits against hostile or runaway files ------------------------------------------
MAX_UPLOAD_KEY = "max_upload_mb"  # the setting in the store's meta table
# Reading a file peaks at about 25 times its size (measured: 50 MB of 1C CSV, 700,000 rows,
# 1.23 GB), so 32 MB keeps a process under 1 GiB. A month of a 300-manager distributor's
# sales is some 3 MB; three years at once (70 MB) is a one-off load: `import --max-mb`.
DEFAULT_MAX_UPLOAD_MB = 32
# Declared size of all parts of an .xlsx once inflated. Measured: 100,000 rows of 5 columns
# are 33 MB of sheet XML and read in 2 s; 1 GiB would be some 3 million rows, minutes of
# work and gigabytes of cells, past anything this dashboard reads.
MAX_INFLATED = 1 << 30
# Inflated / compressed. Measured: real books 7-17x (1C, openpyxl, a sheet of styled empty
# cells 11x, a million styled empty rows 18x); deflate's own ceiling is about 1,030x.
MAX_RATIO = 100
RATIO_FLOOR = 10 << 20  # parts under 10 MB inflated cannot hurt, whatever their ratio
# calamine builds a dense grid from the first to the last cell (32 bytes a cell), then Python
# lists of it: 10 million cells are about half a GB. One cell at XFD1048576 asks for 17
# billion and aborts the whole process ("memory allocation of 549755813888 bytes failed").
MAX_CELLS = 10_000_000
MAX_COLUMNS = 16_384  # Excel's own limit; a text line with more cells is not an export


def upload_limit_mb(con) -> int:
    """The largest file accepted, in MB: the store's setting, else 32. A setting, not a
    constant, because an office's largest honest export is theirs to know."""
    from kpi.store import get_meta

    text = get_meta(con, MAX_UPLOAD_KEY)
    return int(text) if text and text.isdigit() and int(text) > 0 else DEFAULT_MAX_UPLOAD_MB


def save_upload_limit(con, limit_mb: int) -> None:
    """Keep the limit in the store, where the app and the CLI both read it."""
    from kpi.store import set_meta

    if int(limit_mb) < 1:
        raise ValueError(limit_mb)
    set_meta(con, MAX_UPLOAD_KEY, str(int(limit_mb)))


def check_size(n_bytes: int, limit_mb: int) -> None:
    """Refuse a file over the limit before anything reads it: a file too large for the
    server's memory must be turned away by its size alone (os.stat for a file on disk)."""
    if n_bytes > limit_mb * 1024 * 1024:
        raise FileRefused(texts.FILE_TOO_BIG.format(size=_megabytes(n_bytes), limit=limit_mb))


def _megabytes(n_bytes: int) -> str:
    return _grouped(round(n_bytes / (1024 * 1024), 1))


def _grouped(number) -> str:
    """1048576 -> "1 048 576", 12.5 -> "12,5": the Russian way, a no-break space."""
    text = f"{number:,}" if isinstance(number, int) else f"{number:,.1f}"
    return text.replace(",", "\u00a0").replace(".", ",")


@dataclass
class Records:
    # (physical line or Excel row, cells as text): every row, or only the first HEAD_LINES
    # when `body` holds the whole text for DuckDB's reader
    rows: list[tuple[int, list[str]]]
    encoding: str  # "xlsx" for Excel books
    delimiter: str = ""
    # Excel row -> outline level, where the sheet groups rows (1C group rows and details)
    outline: dict[int, int] = field(default_factory=dict)
    quotes: list["QuoteIssue"] = field(default_factory=list)  # quoted cells over many lines
    body: "TextBody | None" = None

    def all_rows(self) -> list[tuple[int, list[str]]]:
        """Every row in Python lists: for the few readers that walk them all (1C grouped
        reports, the mapping form's values). Typing a flat file reads `body` in DuckDB."""
        if self.body is None:
            return self.rows
        return _split(self.body.text(), self.delimiter)


HEAD_LINES = 200  # rows parsed in Python for recognition when DuckDB reads the rest
DUCKDB_READS_TEXT = True  # False sends every text file the Python way (tests compare both)
_DUCKDB_MAX_COLUMNS = 512  # real exports have tens; thousands take DuckDB's reader gigabytes


class TextBody:
    """A text export whose every record is one physical line, kept as a UTF-8 file for
    DuckDB's CSV reader: a million rows split and typed in SQL in about a second, where
    Python's csv module and lists take several. Physical line numbers survive: blank lines
    (which DuckDB skips) are marked first, so row N of the table is line N of the file."""

    def __init__(self, utf8: bytes, delimiter: str):
        marked = _mark_blank_lines(utf8)
        if marked is None:
            raise TextNotForDuckDB("blank lines")
        self.delimiter = delimiter
        self.lines = marked.count(b"\n") + (0 if marked.endswith(b"\n") else 1)
        folder = _scratch_dir(len(marked))
        _remove_stale(folder)
        handle, self.path = tempfile.mkstemp(prefix=_SCRATCH_PREFIX, suffix=".csv", dir=folder)
        with os.fdopen(handle, "wb") as f:
            f.write(marked)
        weakref.finalize(self, _remove, self.path)

    def text(self) -> str:
        with open(self.path, encoding="utf-8", newline="") as f:
            return f.read().replace(BLANK_MARK.decode(), "")

    def read_sql(self, width: int) -> str:
        """A read_csv of the file into `width` text columns c0, c1, ...; quoted cells as
        Python's csv module reads them (`_line_per_record` checks that the file has no case
        where they differ). A line longer than csv's field limit is an error here, and the
        file goes the Python way, which names it."""
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        quote = "'\"'"
        return (f"read_csv({_sql_text(self.path)}, header=false, delim={_sql_text(self.delimiter)}, "
                f"quote={quote}, escape={quote}, columns={{{columns}}}, auto_detect=false, "
                f"null_padding=true, strict_mode=false, max_line_size={csv.field_size_limit()})")

    def load(self, con, width: int) -> None:
        """Table `cells` (c0, c1, ...): its rowid + 1 is the physical line. One column more
        than the head's widest row is read: a row wider than that (shifted right, say) would
        lose cells, so such a file goes the Python way instead."""
        try:
            con.execute("CREATE TEMP TABLE cells AS SELECT * FROM " + self.read_sql(width + 1))
            count, wider = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE blank_null(c{width}) IS NOT NULL) "
                "FROM cells").fetchone()
        except duckdb.Error as e:
            raise TextNotForDuckDB(str(e)) from None
        if count != self.lines or wider:
            raise TextNotForDuckDB(f"{count} rows of {self.lines} lines, {wider} wider than the head")


BLANK_MARK = b"\x01"  # on a blank line, for DuckDB; never in an export (refused, or the Python way)
_MAX_BLANK_MARKS = 100_000  # a real export has a handful; millions are not an export


def _mark_blank_lines(utf8: bytes) -> bytes | None:
    """Put the BLANK mark on every empty line (found by bytes.find, a C loop: a real export
    has a handful, above its header). None for a file of countless blank lines."""
    marks = [0] if utf8.startswith((b"\n", b"\r\n")) else []
    for empty in (b"\n\n", b"\n\r\n"):
        at = utf8.find(empty)
        while at != -1:
            marks.append(at + 1)
            if len(marks) > _MAX_BLANK_MARKS:
                return None
            at = utf8.find(empty, at + 1)
    if not marks:
        return utf8
    pieces, last = [], 0
    for mark in sorted(marks):
        pieces += [utf8[last:mark], BLANK_MARK]
        last = mark
    return b"".join(pieces + [utf8[last:]])


class TextNotForDuckDB(Exception):
    """DuckDB's reader cannot take this file as Python's csv would (an error of its own,
    rows it did not give one for one, a row wider than the head): read it the Python way."""


_SCRATCH_PREFIX = "kpi-import-"
_STALE_SECONDS = 3600  # an import takes seconds; older copies were left by a killed process


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _scratch_dir(size: int) -> str | None:
    """Memory-backed /dev/shm when it has room (a container's may be 64 MB), else the
    system's temporary folder."""
    try:
        shm = os.statvfs("/dev/shm")
        if shm.f_bavail * shm.f_frsize > 4 * size:
            return "/dev/shm"
    except OSError:
        pass
    return None


def _remove_stale(folder: str | None) -> None:
    """Delete copies a killed import left behind (kill -9, the out-of-memory killer)."""
    folder = folder or tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(folder) if n.startswith(_SCRATCH_PREFIX)]
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        try:
            if time.time() - os.stat(path).st_mtime > _STALE_SECONDS:
                os.unlink(path)
        except OSError:
            pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


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


_SIGNATURES = (  # the file types a user is told about by name (texts.FILE_TYPES)
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"%PDF", "pdf"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # old .xls (and .doc: the Excel reader tells them apart)


def read_records(data: bytes, duckdb_reads: bool = True) -> Records:
    """`duckdb_reads=False`: never hand the text to DuckDB (after it refused the file)."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRefused(texts.EMPTY_FILE)
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise FileRefused(texts.NOT_A_TABLE.format(what=texts.FILE_TYPES[what]))
    if data.startswith(_ZIP) or data.startswith(_OLE):
        return _read_excel(data)
    if _HTML.match(data[:1024]):  # Bitrix24's "Excel" export: an HTML table named .xls
        return _read_html(data)
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else None
    head = _split(_head(text, HEAD_LINES), delimiter)
    body = _line_per_record(text, delimiter, head, utf8) if duckdb_reads else None
    if body is not None:
        return Records(head, encoding, delimiter, body=body)
    rows, quotes = _repair_quotes(text, _split(text, delimiter), delimiter)
    return Records(rows, encoding, delimiter, quotes=quotes)


def _head(text: str, lines: int) -> str:
    """The first `lines` physical lines, without splitting the whole text."""
    end = -1
    for _ in range(lines):
        end = text.find("\n", end + 1)
        if end == -1:
            return text
    return text[:end + 1]


# A line whose cells Python's csv module and DuckDB's reader split alike, none spanning
# lines: each cell either quoted whole ("a;b", "ООО ""Ромашка""") or not starting with a
# quote, even after spaces (ООО "Ромашка"; DuckDB reads ` "a"` as `a`). Anything else (a
# quote left open, text after a closing quote) goes the Python way, which also repairs
# stray quotes.
_PLAIN_CELL = r'(?:"(?:[^"]|"")*"| *(?:[^" {d}\r\n][^{d}\r\n]*)?)'


def _line_per_record(text: str, delimiter: str, head: list, utf8: bytes | None = None) -> TextBody | None:
    """The text as a TextBody when every record is one line and DuckDB would split each
    line as Python's csv does; None sends the file the Python way (always exact). `head`:
    its first rows as csv split them; `utf8`: the file's own bytes when they are UTF-8
    already (no second copy to encode)."""
    if not DUCKDB_READS_TEXT:
        return None
    utf8 = utf8 if utf8 is not None else text.encode("utf-8")
    # the marks TextBody and the check below use; a lone CR ends a line for csv only; a
    # second BOM DuckDB would skip; a head so wide DuckDB's reader runs out of memory
    if (BLANK_MARK in utf8 or b"\x02" in utf8 or utf8.count(b"\r") != utf8.count(b"\r\n")
            or utf8.startswith(b"\xef\xbb\xbf")
            or max((len(c) for _, c in head), default=0) > _DUCKDB_MAX_COLUMNS):
        return None
    try:
        body = TextBody(utf8, delimiter)
    except TextNotForDuckDB:
        return None
    if b'"' not in utf8:
        return body
    d = "\\t" if delimiter == "\t" else re.escape(delimiter)
    cell = _PLAIN_CELL.format(d=d)
    line = f"{cell}(?:{d}{cell})*\\r?"
    with duckdb.connect() as con:
        try:
            odd = con.execute(
                f"SELECT count(*) FROM read_csv({_sql_text(body.path)}, header=false, delim='\x02', "
                "quote='', escape='', columns={'l': 'VARCHAR'}, auto_detect=false, "
                f"strict_mode=false, max_line_size={csv.field_size_limit()}) "
                "WHERE contains(l, '\"') AND NOT regexp_full_match(l, ?)", [line]).fetchone()[0]
        except duckdb.Error:
            return None
    return body if odd == 0 else None


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
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):  # a C loop; the regex only if found
        _refuse_control_bytes(data.decode("cp1251", errors="replace"))
    return _strict(data, "cp1251"), "cp1251"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        bad = data[e.start : e.end + 2].hex(" ")
        raise FileRefused(texts.BAD_BYTES.format(line=line, bytes=bad)) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20)])


def _refuse_control_bytes(text: str) -> None:
    """cp1251 maps almost every byte to a letter, so binary junk decodes 'successfully'.
    Control characters other than tab and line ends never occur in a real export."""
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise FileRefused(texts.BAD_BYTES.format(line=line, bytes=f"{ord(found.group()):02x}"))


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines of the head into the same number (> 1) of cells."""
    head = _head(text, 60)
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
    rows, line, total = [], 1, 0
    try:
        for cells in reader:
            total += len(cells)
            _refuse_width(line, len(cells), total)
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as e:  # a NUL, or a field over csv's size limit: not an encoding matter
        if "field limit" in str(e):
            raise FileRefused(texts.FIELD_TOO_LONG.format(
                line=line, limit=_grouped(csv.field_size_limit()))) from None
        raise FileRefused(texts.BAD_BYTES.format(line=line, bytes=str(e))) from None
    return rows


def _refuse_width(line: int, width: int, total: int) -> None:
    """A line of a million cells, or a file of tens of millions, would take gigabytes as
    Python lists long before a check of its values could refuse it."""
    if width > MAX_COLUMNS:
        raise FileRefused(texts.TOO_MANY_COLUMNS.format(
            line=line, columns=_grouped(width), limit=_grouped(MAX_COLUMNS)))
    if total > MAX_CELLS:
        raise FileRefused(texts.TOO_MANY_CELLS.format(line=line, limit=_grouped(MAX_CELLS)))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LONG_CELL_LINES = 20  # a legitimate note rarely runs longer; a stray quote runs to the end


def _repair_quotes(text: str, rows, delimiter: str):
    """Find quoted cells that run across lines. When the lines inside such a cell split into
    as many cells as the file's usual row, they are rows swallowed by a quote that never
    closed (`"Ромашка`): they are split again, the quote read as a character."""
    starts = [line for line, _ in rows]
    # a row spans lines when the next starts more than one line later; the last row, when a
    # cell holds a line break. Only then are the physical lines needed (not on every import).
    spanning = [i for i in range(len(rows) - 1) if starts[i + 1] - starts[i] > 1
                and any("\n" in c for c in rows[i][1])]
    if rows and any("\n" in c for c in rows[-1][1]):
        spanning.append(len(rows) - 1)
    if not spanning:
        return rows, []
    physical = _LINE_BREAK.split(text)  # as csv counts lines (not U+2028, VT, FF, NEL)
    if physical and physical[-1] == "":
        physical.pop()
    starts.append(len(physical) + 1)
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

    if data.startswith(_ZIP):
        refuse_zip_bomb(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(name, book.get_sheet_by_name(name)) for name in book.sheet_names]
        tables = [(name, sheet.start, sheet.to_python()) for name, sheet in sheets]
    except Exception as e:  # calamine raises its own error types for every broken container
        raise FileRefused(texts.BROKEN_EXCEL.format(error=e)) from None
    # The first sheet with a table on it: 1C sometimes puts a cover sheet first.
    for name, start, table in tables:
        if sum(1 for row in table[:HEAD_LINES] if sum(1 for v in row if v not in ("", None)) > 1) < 2:
            continue
        # calamine trims empty leading rows and columns; keep the row numbers Excel shows
        first_row, first_column = start if start else (0, 0)
        pad = [""] * first_column
        rows = [(first_row + i, pad + [v if type(v) is str else _cell_text(v) for v in row])
                for i, row in enumerate(table, 1)]
        return Records(rows, "xlsx", outline=_outline_levels(data, name))
    raise FileRefused(texts.EXCEL_EMPTY)


def refuse_zip_bomb(data: bytes) -> None:
    """Refuse an .xlsx that would inflate out of all proportion, before calamine inflates
    it: first by the sizes its zip directory declares, then by inflating each XML part
    here in chunks (never whole), which catches a directory that lies about sizes and
    cells placed so far apart that calamine's grid would not fit in memory."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # a broken container: calamine says what is wrong with it
    _refuse_declared(parts, len(data))
    for part in parts:  # every part: calamine follows the workbook to any part name
        _refuse_grid(data, part)


def _refuse_declared(parts, file_size: int) -> None:
    """By the sizes the zip directory declares, before a byte is inflated."""
    total = sum(p.file_size for p in parts)
    if total > MAX_INFLATED or (total > RATIO_FLOOR and total > MAX_RATIO * file_size):
        _refuse_bomb(texts.ZIP_ALL_PARTS, file_size, total)
    for p in parts:
        if p.file_size > RATIO_FLOOR and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            _refuse_bomb(p.filename, p.compress_size, p.file_size)


def _refuse_bomb(part: str, packed: int, inflated: int) -> None:
    """Name the part and both sizes: the user can tell a damaged file from a prank."""
    raise FileRefused(texts.ZIP_BOMB.format(part=part, packed=_megabytes(packed),
                                            inflated=_megabytes(inflated),
                                            ratio=inflated // max(packed, 1)))


_CHUNK = 8 << 20
_LONGEST_TAG = 1 << 20


def _inflate(data: bytes, part: zipfile.ZipInfo):
    """A part's bytes in chunks, inflated here rather than by zipfile, which would stop
    at the declared size and so never see that a part inflates past it."""
    offset = part.header_offset
    if data[offset:offset + 4] != _ZIP or part.compress_type not in (zipfile.ZIP_STORED,
                                                                     zipfile.ZIP_DEFLATED):
        return  # calamine refuses what it cannot open
    names = struct.unpack("<HH", data[offset + 26:offset + 30])
    raw = memoryview(data)[offset + 30 + sum(names):][:part.compress_size]
    if part.compress_type == zipfile.ZIP_STORED:
        pieces = (bytes(raw[i:i + _CHUNK]) for i in range(0, len(raw), _CHUNK))
    else:
        pieces = _deflated(raw)
    done = 0
    try:
        for out in pieces:
            done += len(out)
            if done > part.file_size:
                _refuse_bomb(part.filename, part.compress_size, done)
            yield out
    except zlib.error:
        return  # encrypted or damaged: calamine says so


def _deflated(raw: memoryview):
    """Inflate in pieces of at most _CHUNK bytes, however much one input byte expands."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for start in range(0, len(raw), _CHUNK):
        piece = raw[start:start + _CHUNK]
        while piece:
            yield inflater.decompress(piece, _CHUNK)
            piece = inflater.unconsumed_tail
    yield inflater.flush()


# A cell element with a value (not `<c .../>`), and its "A1" reference when it has one.
_CELL_REF = re.compile(rb'<(?:\w+:)?c(?=[\s>/])(?:[^>]*?\sr="([A-Z]+)(\d+)")?[^>]*(?<!/)>')
# Rows and cells in order, for a sheet whose cells have no references (each takes the
# next column, each row without one the next row; that is how calamine places them).
_GRID_TAG = re.compile(rb'<(?:\w+:)?(row|c)(?=[\s>/])(?:[^>]*?\sr="([A-Z]*)(\d+)")?[^>]*?(/?)>')
_XML_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*<")
_GRID_TAG_START = re.compile(rb"<(?:\w+:)?(?:c|row)[\s/>]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\sref="[A-Z]*\d*:?([A-Z]+)(\d+)"')


def _refuse_grid(data: bytes, part: zipfile.ZipInfo) -> None:
    """Refuse a sheet whose declared <dimension>, or whose cells, span more than MAX_CELLS:
    calamine allocates the whole rectangle from A1 to the last cell with a value."""
    if not _grid_by_references(part.filename, _inflate(data, part)):
        _grid_in_order(part.filename, _inflate(data, part))


def _grid_by_references(name: str, chunks) -> bool:
    """The fast way, by each cell's "A1" reference; False when some cell has none."""
    rows = columns = 0
    for i, chunk in enumerate(_tag_aligned(chunks)):
        if i == 0 and not _XML_START.match(chunk):
            return True  # an image or other binary part: no cells in it
        declared = _DIMENSION.search(chunk, 0, 65536) if i == 0 else None
        if declared:
            _refuse_cells(name, int(declared.group(2)), _column(declared.group(1)))
        refs = _CELL_REF.findall(chunk)
        letters = set(map(itemgetter(0), refs))
        if b"" in letters:
            return False
        rows = max(rows, 0, *map(int, set(map(itemgetter(1), refs))))
        columns = max(columns, 0, *map(_column, letters))
        _refuse_cells(name, rows, columns)
    return True


def _grid_in_order(name: str, chunks) -> None:
    """The slow way, tag by tag, as calamine places cells without a reference: each in
    the next column, each row without a number on the next row."""
    top = right = row = column = 0
    for chunk in _tag_aligned(chunks):
        for tag, letters, digits, empty in _GRID_TAG.findall(chunk):
            if tag == b"row":
                row, column = int(digits) if digits else row + 1, 0
                continue
            column = _column(letters) if letters else column + 1
            row = int(digits) if digits else row
            if not empty:
                top, right = max(top, row), max(right, column)
        _refuse_cells(name, top, right)


def _tag_aligned(chunks):
    """Chunks cut after a tag's end, so no tag is split between two."""
    carry = b""
    for chunk in chunks:
        chunk = carry + chunk
        cut = chunk.rfind(b"<")
        if cut == -1 or chunk.find(b">", cut) != -1:
            cut = len(chunk)
        chunk, carry = chunk[:cut], chunk[cut:]
        if len(carry) > _LONGEST_TAG:  # no real tag is this long; a row or cell padded
            if _GRID_TAG_START.match(carry):  # to hide its reference is refused
                raise FileRefused(texts.BROKEN_EXCEL.format(error=texts.EXCEL_TAG_TOO_LONG))
            carry = b""  # any other tag's rest holds no "<" and confuses nothing
        yield chunk
    if carry:
        yield carry


_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    """"A" -> 1, "XFD" -> 16384; cached: a sheet has few distinct columns."""
    if letters not in _COLUMNS:
        number = 0
        for letter in letters:
            number = number * 26 + letter - 64
        if len(_COLUMNS) < 100_000:
            _COLUMNS[letters] = number
        return number
    return _COLUMNS[letters]


def _refuse_cells(name: str, rows: int, columns: int) -> None:
    """Refuse a grid over MAX_CELLS, naming its size, so a real sheet can be trimmed."""
    if rows * columns > MAX_CELLS:
        raise FileRefused(texts.EXCEL_GRID_TOO_BIG.format(
            part=name, rows=_grouped(rows), columns=_grouped(columns), limit=_grouped(MAX_CELLS)))


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
        raise FileRefused(texts.NOT_A_TABLE.format(what=texts.FILE_TYPES["html"]))
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
    if b"outlineLevel" not in xml:
        return {}
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
        return value.isoformat(" ", "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):  # data, not a message: the words the vocabularies read
        return "да" if value else "нет"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)
