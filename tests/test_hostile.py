"""Hostile and runaway input: each is refused with its own message and the store is left as
it was. Every fixture is built here; no binary file is committed."""

import io
import os
import resource
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from fractions import Fraction

import duckdb
import pytest

from kpi import funnel, importer, reading, store, texts
from tests.conftest import ROOT
from tests.helpers import load, query

SEPT = "Дата;Менеджер;Клиент;Сумма\n01.09.2026;Иванов И.И.;А;100\n02.09.2026;Иванов И.И.;Б;200\n"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEAD = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Дата</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Менеджер</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>Клиент</t></is></c>'
        '<c r="D1" t="inlineStr"><is><t>Сумма</t></is></c></row>')


def state(db) -> tuple:
    """What the store holds: the import log, the rows, the settings."""
    if not os.path.exists(db):
        return ()
    return (query(db, "SELECT id, file_name, rows_stored FROM imports ORDER BY id"),
            query(db, "SELECT count(*), sum(amount) FROM sales"),
            query(db, "SELECT key, value FROM meta ORDER BY key"))


@pytest.fixture
def stored(store_file):
    """A store with one import in it, and its state to compare with afterwards."""
    load(SEPT.encode())
    return state(store_file)


def refused(data: bytes, name: str) -> str:
    result = importer.inspect(data, name)
    assert isinstance(result, importer.Refusal), result
    return result.reason


# --- 1. the upload size limit -------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_before_it_is_read(stored, store_file, monkeypatch):
    with store.connect() as con:
        assert reading.upload_limit_mb(con) == 32  # the default: about 800 MB of memory at most
        reading.save_upload_limit(con, 1)
    before = state(store_file)
    monkeypatch.setattr(importer, "read_records", lambda data: pytest.fail("read"))
    data = SEPT.encode() + b"01.09.2026;\xd0\x98;\xd0\x90;1\n" * 80_000  # 1.45 MB
    reason = refused(data, "big.csv")
    size = reading._megabytes(len(data))
    assert reason == texts.FILE_TOO_BIG.format(size=size, limit=1)
    assert "1,4 МБ" in reason and "не больше 1 МБ" in reason
    assert state(store_file) == before


def test_check_size_for_the_cli():
    reading.check_size(100 * 1024 * 1024, 100)  # exactly the limit passes
    with pytest.raises(reading.FileRefused, match="100,0 МБ.*не больше 99 МБ"):
        reading.check_size(100 * 1024 * 1024, 99)


# --- 2. a zip bomb ----------------------------------------------------------------------------------

def _deflate_alone(data: bytes, final: bool = False) -> bytes:
    """Raw deflate of `data` that refers to nothing before it, so copies can be chained."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _zip(parts: dict[str, tuple[bytes, int, int, int | None]]) -> bytes:
    """A zip written by hand: name -> (deflated bytes, inflated size, crc32, declared size
    or None for the true one), so a part can be a chain of copies or lie about its size."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, (packed, size, crc, declared) in parts.items():
        size = size if declared is None else declared
        offset, encoded = out.tell(), name.encode()
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0)
        out.write(b"PK\x03\x04" + fields + encoded + packed)
        directory.write(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                        + struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded)
    start, entries = out.tell(), directory.getvalue()
    out.write(entries + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts),
                                                     len(entries), start, 0))
    return out.getvalue()


def _part(text: str, declared: int | None = None):
    data = text.encode()
    return _deflate_alone(data, final=True), len(data), zlib.crc32(data), declared


def xlsx(sheet: tuple[bytes, int, int, int | None]) -> bytes:
    """A valid one-sheet .xlsx around a ready sheet part."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _zip({
        "[Content_Types].xml": _part(
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'worksheet+xml"/></Types>'),
        "_rels/.rels": _part(
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": _part(
            f'<?xml version="1.0"?><workbook {NS} xmlns:r="{rel}"><sheets>'
            '<sheet name="TDSheet" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": _part(
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
    })


def sheet(rows: str, dimension: str = "A1:D2", declared: int | None = None):
    return _part(f'<?xml version="1.0"?><worksheet {NS}><dimension ref="{dimension}"/>'
                 f'<sheetData>{HEAD}{rows}</sheetData></worksheet>', declared)


DATA_ROW = ('<row r="2"><c r="A2" t="inlineStr"><is><t>01.09.2026</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>Иванов И.И.</t></is></c>'
            '<c r="C2" t="inlineStr"><is><t>А</t></is></c><c r="D2"><v>100</v></c></row>')


def bomb_sheet(copies: int):
    """A sheet of 6 MB of empty rows `copies` times over: each copy deflates to 9 KB."""
    head = f'<?xml version="1.0"?><worksheet {NS}><sheetData>{HEAD}{DATA_ROW}'.encode()
    rows, tail = b"<row/>" * (1 << 20), b"</sheetData></worksheet>"
    packed = _deflate_alone(head) + _deflate_alone(rows) * copies + _deflate_alone(tail, True)
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(rows, crc)
    return packed, len(head) + len(rows) * copies + len(tail), zlib.crc32(tail, crc), None


def test_the_test_books_are_valid(stored, store_file):
    """The hand-made container is a real .xlsx: an honest book built with it is stored."""
    assert isinstance(load(xlsx(sheet(DATA_ROW)), "sales.xlsx"), importer.Inspection)
    small_bomb = xlsx(bomb_sheet(1))  # 6 MB of empty rows: read, not refused
    assert zipfile.ZipFile(io.BytesIO(small_bomb)).testzip() is None
    assert isinstance(importer.inspect(small_bomb, "rows.xlsx"), importer.Inspection)


def test_a_zip_bomb_is_refused_before_it_is_inflated(stored, store_file, record_property):
    data = xlsx(bomb_sheet(250))  # 1.5 GiB of sheet XML in a 2.3 MB file
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert len(data) < 3 << 20 and part.file_size > 1 << 30
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    reason = refused(data, "bomb.xlsx")
    seconds = time.perf_counter() - started
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    record_property("peak_rss_mb", (peak_before // 1024, peak_after // 1024))
    print(f"\nzip bomb: {len(data) / 2**20:.1f} MB -> {part.file_size / 2**30:.2f} GiB declared; "
          f"refused in {seconds:.3f} s; peak RSS {peak_before // 1024} -> {peak_after // 1024} MB")
    assert reason == texts.ZIP_BOMB.format(
        part=texts.ZIP_ALL_PARTS, packed=reading._megabytes(len(data)),
        inflated=reading._megabytes(sum(p.file_size for p in zipfile.ZipFile(io.BytesIO(data)).infolist())),
        ratio=sum(p.file_size for p in zipfile.ZipFile(io.BytesIO(data)).infolist()) // len(data))
    assert (peak_after - peak_before) < 300 * 1024
    assert state(store_file) == stored


def test_a_part_that_inflates_past_its_declared_size_is_refused(stored, store_file):
    honest = sheet(DATA_ROW + "<row/>" * 200_000)
    liar = xlsx(honest[:3] + (2_000,))  # says 2 KB, inflates to 1.2 MB
    reason = refused(liar, "liar.xlsx")
    assert reason.startswith("Файл Excel не открыт: xl/worksheets/sheet1.xml в сжатом виде")
    assert state(store_file) == stored


@pytest.mark.parametrize("rows, dimension, extent", [
    # one cell far away: calamine would allocate 17 billion cells and abort the process
    (DATA_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "A1:D2",
     ("1\u00a0048\u00a0576", "16\u00a0384")),
    # a declared dimension of a whole sheet
    (DATA_ROW, "A1:XFD1048576", ("1\u00a0048\u00a0576", "16\u00a0384")),
    # cells without references take the next column: 20,000 of them in a far row
    (DATA_ROW + '<row r="900000">' + "<c><v>1</v></c>" * 20_000 + "</row>", "A1:D2",
     ("900\u00a0000", "20\u00a0000")),
])
def test_a_sheet_spanning_an_absurd_grid_is_refused(stored, store_file, rows, dimension, extent):
    reason = refused(xlsx(sheet(rows, dimension)), "far.xlsx")
    assert reason == texts.EXCEL_GRID_TOO_BIG.format(
        part="xl/worksheets/sheet1.xml", rows=extent[0], columns=extent[1], limit="10\u00a0000\u00a0000")
    assert state(store_file) == stored


# --- 3. a CSV field over csv's limit -------------------------------------------------------------

def test_a_csv_cell_over_the_field_limit_is_not_called_an_encoding_problem(stored, store_file):
    data = (SEPT + '03.09.2026;Иванов И.И.;"' + "Я" * 1_000_000 + '";300\n').encode()
    reason = refused(data, "long.csv")
    assert reason == texts.FIELD_TOO_LONG.format(line=4, limit="131\u00a0072")
    assert "кодировк" not in reason
    assert state(store_file) == stored


def test_a_csv_line_of_a_million_columns_is_refused(stored, store_file):
    data = (SEPT + ";".join(["1"] * 1_000_000) + "\n").encode()
    reason = refused(data, "wide.csv")
    assert reason == texts.TOO_MANY_COLUMNS.format(line=4, columns="1\u00a0000\u00a0000",
                                                   limit="16\u00a0384")
    assert state(store_file) == stored


# --- 4. the slot planner -------------------------------------------------------------------------

def test_the_planner_refuses_a_plan_of_millions_of_bookings_at_once():
    started = time.perf_counter()
    with pytest.raises(ValueError, match="^too_many$"):
        funnel.plan(1, 1e-7, 0.9)  # would be 23 million bookings
    with pytest.raises(ValueError, match="^too_many$"):
        funnel.plan(5, 0.002, 0.5)  # a measured 1 of 500: 2,500 bookings
    assert time.perf_counter() - started < 1


def test_the_planner_does_not_overflow_on_large_plans():
    plan = funnel.plan(50, 0.05, 0.9)  # raised OverflowError: comb(n, i) as a float
    assert plan.bookings == 1180 and plan.probability >= 0.9
    assert abs(sum(plan.distribution) - 1) < 1e-9
    assert len(plan.distribution) == 1181 and min(plan.distribution) >= 0
    # n = 1179 is short of 90 % in exact fractions, n = 1180 is not
    assert funnel._at_least_exact(50, 1179, Fraction("0.05")) < Fraction("0.9")
    assert funnel._at_least_exact(50, 1180, Fraction("0.05")) >= Fraction("0.9")


def test_cli_slots_says_too_many_bookings(stored, store_file):
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(store_file), "slots",
                          "--attendees", "1", "--show-rate", "0.0000001"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip() == texts.SLOTS_BAD_INPUT["too_many"].format(rate=1e-07)
    assert state(store_file) == stored


# --- 5. a store that cannot be used ---------------------------------------------------------------

def unusable(path) -> store.StoreUnusable:
    with pytest.raises(store.StoreUnusable) as caught:
        with store.connect(path):
            pass
    with pytest.raises(store.StoreUnusable):
        with store.reader(path):
            pass
    return caught.value


def test_a_text_file_as_the_store(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("Это не база, а заметки.\n" * 20, encoding="utf-8")
    before = path.read_bytes()
    error = unusable(path)
    assert error.reason == "not_store" and error.path == path
    assert str(error) == texts.STORE_UNUSABLE["not_store"].format(path=path, error="")
    assert path.read_bytes() == before


def test_a_sqlite_file_as_the_store_is_named_without_a_network_call(tmp_path):
    path = tmp_path / "kpi.duckdb"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE sales (amount REAL)")
    con.commit()
    con.close()
    before = path.read_bytes()
    started = time.perf_counter()
    error = unusable(path)
    assert time.perf_counter() - started < 1  # DuckDB itself tries to download an extension
    assert str(error) == texts.STORE_UNUSABLE["sqlite"].format(path=path, error="")
    assert path.read_bytes() == before


def test_a_directory_as_the_store(tmp_path):
    error = unusable(tmp_path)
    assert str(error) == texts.STORE_UNUSABLE["directory"].format(path=tmp_path, error="")


def _set_storage_version(path, version: int) -> None:
    """Rewrite the header's storage version and fix its checksum (DuckDB's checksum XORs
    a hash of each 8-byte word, so two words can be swapped out of it)."""
    data = bytearray(path.read_bytes())
    mix = lambda word: (word * 0xBF58476D1CE4E5B9) & (2**64 - 1)  # noqa: E731
    old = struct.unpack("<QQ", data[8:24])
    data[12:20] = struct.pack("<Q", version)
    new = struct.unpack("<QQ", data[8:24])
    checksum = struct.unpack("<Q", data[0:8])[0]
    for word in (*old, *new):
        checksum ^= mix(word)
    data[0:8] = struct.pack("<Q", checksum)
    path.write_bytes(bytes(data))


def test_a_store_of_another_storage_version(tmp_path):
    path = tmp_path / "future.duckdb"
    duckdb.connect(str(path)).close()
    _set_storage_version(path, 1000)
    before = path.read_bytes()
    error = unusable(path)
    assert error.reason == "version" and "storage version number 1000" in error.error
    assert str(error) == texts.STORE_UNUSABLE["version"].format(path=path, error=error.error)
    assert path.read_bytes() == before


_READ_ONLY_CHECK = """
import sys
from kpi import store
try:
    with store.connect(sys.argv[1]):
        pass
except store.StoreUnusable as e:
    print(e.reason)
with store.reader(sys.argv[1]) as con:
    print(con.execute("SELECT count(*), sum(amount) FROM sales").fetchall())
"""


def test_a_read_only_store_can_still_be_viewed(stored, store_file, tmp_path):
    folder = tmp_path / "share"  # a read-only share: neither the file nor the folder writable
    folder.mkdir()
    path = folder / "kpi.duckdb"
    shutil.copy(store_file, path)
    before = path.read_bytes()
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        run = _as_someone_who_cannot_write(path)
    finally:
        folder.chmod(0o755)
    assert run.stdout.split("\n")[:2] == ["read_only", "[(2, Decimal('300.00'))]"], run.stderr
    assert path.read_bytes() == before


def _as_someone_who_cannot_write(path) -> subprocess.CompletedProcess:
    """Run the check in a child; as root, whom chmod does not stop, without the capability
    that overrides file permissions."""
    command = [sys.executable, "-c", _READ_ONLY_CHECK, str(path)]
    if os.access(path, os.W_OK):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            pytest.skip("chmod does not make the file read-only here")
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    if "setpriv" in command and run.returncode and "setpriv:" in run.stderr:
        pytest.skip(f"setpriv cannot drop the capability here: {run.stderr.strip()}")
    return run


_DISK_FULL_IMPORT = """
import resource, sys
from kpi import importer, store
rows = "".join(f"{1 + i % 28:02d}.10.2026;Менеджер {i % 7};Клиент {i};{i},50\\n" for i in range(60000))
inspection = importer.inspect(("Дата;Менеджер;Клиент;Сумма\\n" + rows).encode(), "oct.csv",
                              db=sys.argv[1])
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # writes past it fail: EFBIG
try:
    importer.commit(inspection, db=sys.argv[1])
except store.StoreUnusable as e:
    print(e.reason)
    print(e)
"""


def test_a_full_disk_on_commit_shows_the_real_error(stored, store_file):
    limit = os.path.getsize(store_file) + (64 << 10)
    run = subprocess.run([sys.executable, "-c", _DISK_FULL_IMPORT, str(store_file), str(limit)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    reason, message = (run.stdout.split("\n", 1) + [""])[:2]
    assert reason == "disk_full", run.stdout + run.stderr
    assert message.startswith(texts.STORE_UNUSABLE["disk_full"].split("{error}")[0].format(
        path=store_file))
    assert "Failed to commit" in message or "Could not write" in message
    assert "no transaction is active" not in message
    assert state(store_file) == stored
