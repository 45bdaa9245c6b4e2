"""The DuckDB store: schema, connections, imports as single transactions, the import log.

A DuckDB file can be held read-write by one process at a time, and the app and a cron
`python -m kpi import` must share it. So nothing holds the file between calls: every
operation opens a connection, does its work and closes it, retrying while another
process has the lock. Inside one process DuckDB shares one database instance between
connections, so concurrent Streamlit sessions each get their own connection safely.
"""

import datetime as dt
import os
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from kpi import texts
from kpi.kinds import KINDS

DEFAULT_DB = Path(__file__).resolve().parent.parent / "var" / "kpi.duckdb"
SCHEMA_VERSION = 1

SCHEMA = [
    "CREATE SEQUENCE IF NOT EXISTS import_ids START 1",
    """CREATE TABLE IF NOT EXISTS imports (
        id INTEGER PRIMARY KEY DEFAULT nextval('import_ids'),
        file_name TEXT NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL,
        period_from DATE, period_to DATE, as_of DATE,
        rows_stored INTEGER NOT NULL, rows_refused INTEGER NOT NULL,
        imported_at TIMESTAMP NOT NULL, note TEXT)""",
    """CREATE TABLE IF NOT EXISTS sales (
        import_id INTEGER NOT NULL, line INTEGER NOT NULL, doc_date TIMESTAMP NOT NULL,
        document TEXT, manager TEXT NOT NULL, client TEXT NOT NULL,
        amount DECIMAL(18, 2) NOT NULL, is_return BOOLEAN NOT NULL, team TEXT)""",
    """CREATE TABLE IF NOT EXISTS plans (
        import_id INTEGER NOT NULL, line INTEGER NOT NULL, month DATE NOT NULL,
        manager TEXT NOT NULL, plan_amount DECIMAL(18, 2) NOT NULL,
        plan_active INTEGER, plan_new INTEGER, team TEXT)""",
    """CREATE TABLE IF NOT EXISTS receivables (
        import_id INTEGER NOT NULL, line INTEGER NOT NULL, as_of DATE NOT NULL,
        client TEXT NOT NULL, manager TEXT NOT NULL, document TEXT, doc_date DATE NOT NULL,
        due_date DATE, deferral_days INTEGER, outstanding DECIMAL(18, 2) NOT NULL,
        credit_limit DECIMAL(18, 2))""",
    """CREATE TABLE IF NOT EXISTS activities (
        import_id INTEGER NOT NULL, line INTEGER NOT NULL, happened_at TIMESTAMP NOT NULL,
        manager TEXT NOT NULL, client TEXT, activity TEXT NOT NULL, type_text TEXT,
        state TEXT NOT NULL, status_text TEXT, subject TEXT)""",
    """CREATE TABLE IF NOT EXISTS candidates (
        import_id INTEGER NOT NULL, line INTEGER NOT NULL, as_of DATE NOT NULL,
        candidate TEXT NOT NULL, vacancy TEXT, source TEXT, recruiter TEXT,
        responded_on DATE, reached SMALLINT NOT NULL, refused BOOLEAN NOT NULL,
        invited_on DATE, interview_on DATE, hired_on DATE)""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    # the audit trail: who imported; a replaced or deleted import keeps its line
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS imported_by TEXT",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS replaced_by INTEGER",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMP",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS deleted_by TEXT",
    """CREATE TABLE IF NOT EXISTS users (
        login TEXT PRIMARY KEY, role TEXT NOT NULL, manager TEXT, team TEXT,
        password_hash TEXT NOT NULL, active BOOLEAN NOT NULL, failed INTEGER NOT NULL,
        locked_until TIMESTAMP, created_at TIMESTAMP)""",
    # a manager's team set by hand (a settings page), over the Отдел of the plan export
    "CREATE TABLE IF NOT EXISTS teams (manager TEXT PRIMARY KEY, team TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY, login TEXT NOT NULL, created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)""",
]

_schema_ready: set[str] = set()
_schema_lock = threading.Lock()
# One writer at a time in this process. Two sessions replacing the same month at once would
# each delete only the rows their snapshot can see and both insert: the month doubled.
# (Another process cannot hold the file read-write meanwhile: DuckDB's file lock.)
_write_lock = threading.Lock()


def _ensure_schema(con, key: str) -> None:
    """Create missing tables once per process and file, not on every connection."""
    with _schema_lock:
        if key not in _schema_ready:
            for statement in SCHEMA:
                con.execute(statement)
            _schema_ready.add(key)


class StoreBusy(Exception):
    """Another process holds the DuckDB file for longer than we are willing to wait."""


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The store file: the argument, else $KPI_DB, else var/kpi.duckdb beside the code."""
    return Path(path or os.environ.get("KPI_DB") or DEFAULT_DB)


class StoreUnusable(Exception):
    """The store file cannot be used and waiting will not help, unlike StoreBusy: not a
    DuckDB file, another storage version, a folder, read-only, the disk full. `reason` is
    a key of texts.STORE_UNUSABLE; the message names the file and what to do."""

    def __init__(self, reason: str, path, error: str = ""):
        super().__init__(texts.STORE_UNUSABLE[reason].format(path=path, error=error))
        self.reason, self.path, self.error = reason, Path(path), error


# DuckDB's words (and the OS's) -> our reason. Only "Could not set lock" means busy.
_OPEN_ERRORS = (("not a valid duckdb database", "not_store"), ("storage version", "version"),
                ("is a directory", "directory"), ("permission denied", "read_only"),
                ("read-only file system", "read_only"), ("no space left", "disk_full"),
                ("file too large", "disk_full"), ("corrupt database", "damaged"))


def _unusable(file: Path, error: BaseException) -> StoreUnusable:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    reason = next((r for words, r in _OPEN_ERRORS if words in text.lower()), "other")
    if reason == "read_only" and file.exists() and not os.access(file, os.R_OK):
        reason = "no_access"
    return StoreUnusable(reason, file, text)


def _refuse_foreign(file: Path) -> None:
    """Name a folder or a file that is not DuckDB's before DuckDB opens it: DuckDB takes a
    SQLite file for an attachment and tries to download its SQLite extension."""
    if file.is_dir():
        raise StoreUnusable("directory", file)
    try:
        with open(file, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return
    except OSError as e:
        raise _unusable(file, e) from e
    if head.startswith(b"SQLite format 3\x00"):
        raise StoreUnusable("sqlite", file)
    if len(head) >= 12 and head[8:12] != b"DUCK":  # DuckDB's header: checksum, then DUCK
        raise StoreUnusable("not_store", file)


def _open(file: Path, wait_seconds: float, read_only: bool = False):
    """duckdb.connect, retrying while another process holds the lock; any other failure
    says what is wrong with the file instead of calling it busy."""
    _refuse_foreign(file)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(file), read_only=read_only)
        except duckdb.Error as e:
            if "could not set lock" not in str(e).lower():
                raise _unusable(file, e) from e
            if time.monotonic() > deadline:
                raise StoreBusy(texts.STORE_BUSY) from e
            time.sleep(0.2)


def _disk_full(error: BaseException) -> BaseException | None:
    """The "No space left" error behind `error`, if any: a failed COMMIT's ROLLBACK raises
    "no transaction is active", and the first error is only its __context__."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if any(words in str(error).lower() for words in ("no space left", "file too large")):
            return error
        error = error.__cause__ or error.__context__
    return None


@contextmanager
def connect(path=None, wait_seconds: float = 15.0):
    """A fresh connection to the store (created with its schema when missing). A write that
    fails for want of disk space raises StoreUnusable("disk_full") with DuckDB's words."""
    file = db_path(path)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _unusable(file, e) from e
    con = _open(file, wait_seconds)
    try:
        _ensure_schema(con, f"{file.resolve()}:{file.stat().st_ino}")
        department_views(con)
        yield con
    except duckdb.Error as e:
        full = _disk_full(e)
        if full is None:
            raise
        raise StoreUnusable("disk_full", file, str(full).strip().splitlines()[0]) from full
    finally:
        con.close()


DATA_TABLES = ("sales", "plans", "receivables", "activities", "candidates", "imports")


def department_views(con) -> None:
    """`department_sales` and the like: the whole department's rows, even on a connection
    whose `sales` a user's scope has narrowed (kpi.access). Baselines read these."""
    catalog = con.execute("SELECT current_database()").fetchall()[0][0]
    for table in DATA_TABLES:
        con.execute(f'CREATE OR REPLACE TEMP VIEW department_{table} AS SELECT * FROM "{catalog}".main.{table}')


@contextmanager
def reader(path=None):
    """A connection for read-only queries; a missing store reads as an empty one. A store
    this process may not write (a read-only file or medium) is opened read-only, so its
    data can still be viewed."""
    if not db_path(path).exists():
        con = duckdb.connect()
        try:
            for statement in SCHEMA:
                con.execute(statement)
            department_views(con)
            yield con
        finally:
            con.close()
        return
    with ExitStack() as stack:
        try:
            con = stack.enter_context(connect(path))
        except StoreUnusable as e:
            if e.reason != "read_only":
                raise
            con = stack.enter_context(_read_only(db_path(path)))
        yield con


@contextmanager
def _read_only(file: Path):
    """The store opened read-only: no schema changes (it cannot take them), only views."""
    con = _open(file, 15.0, read_only=True)
    try:
        department_views(con)
        yield con
    finally:
        con.close()


@dataclass
class Replaced:
    import_id: int
    file_name: str
    imported_at: dt.datetime
    same_file: bool


def months_span(months: list[dt.date]) -> tuple[dt.date | None, dt.date | None]:
    if not months:
        return None, None
    last = max(months)
    next_month = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return min(months), next_month - dt.timedelta(days=1)


def overlapping(con, kind: str, months: list[dt.date], as_of: dt.date | None, sha256: str):
    """Earlier imports whose rows this one would replace (or the same file loaded before)."""
    table, column = KINDS[kind].table, KINDS[kind].period
    if KINDS[kind].snapshot:
        where, params = "as_of = ?", [as_of]
    else:
        where = f"CAST(date_trunc('month', {column}) AS DATE) IN (SELECT unnest(?::DATE[]))"
        params = [months]
    rows = con.execute(
        f"""SELECT id, file_name, imported_at, sha256 = ? FROM imports
            WHERE (kind = ? AND sha256 = ? AND deleted_at IS NULL AND replaced_by IS NULL)
               OR id IN (SELECT import_id FROM {table} WHERE {where})
            ORDER BY id""", [sha256, kind, sha256, *params]).fetchall()
    return [Replaced(*row) for row in rows]


def save_import(con, *, kind: str, rows: pa.Table, file_name: str, sha256: str,
                months: list[dt.date], as_of: dt.date | None, refused: int,
                note: str = "", user: str | None = None) -> tuple[int, list[Replaced]]:
    """Store one file's rows in one transaction, replacing its months (or snapshot date)."""
    table, column = KINDS[kind].table, KINDS[kind].period
    period_from, period_to = (as_of, as_of) if KINDS[kind].snapshot else months_span(months)
    with _write_lock:
        return _save(con, kind, table, column, rows, file_name, sha256, months, as_of,
                     refused, note, period_from, period_to, user)


def _save(con, kind, table, column, rows, file_name, sha256, months, as_of, refused, note,
          period_from, period_to, user):
    con.execute("BEGIN TRANSACTION")
    try:
        replaced = overlapping(con, kind, months, as_of, sha256)
        if KINDS[kind].snapshot:
            con.execute(f"DELETE FROM {table} WHERE as_of = ?", [as_of])
        else:
            con.execute(f"DELETE FROM {table} WHERE CAST(date_trunc('month', {column}) AS DATE) "
                        "IN (SELECT unnest(?::DATE[]))", [months])
        import_id = con.execute(
            """INSERT INTO imports (file_name, sha256, kind, period_from, period_to, as_of,
                   rows_stored, rows_refused, imported_at, note, imported_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?) RETURNING id""",
            [file_name, sha256, kind, period_from, period_to, as_of, rows.num_rows, refused,
             note, user]).fetchall()[0][0]
        con.register("incoming", rows)
        names = ", ".join(rows.column_names)
        con.execute(f"INSERT INTO {table} (import_id, {names}) SELECT ?, {names} FROM incoming",
                    [import_id])
        con.unregister("incoming")
        # An earlier import whose every row was replaced now holds nothing: its log line
        # stays, saying which import replaced it.
        for old in replaced:
            left = con.execute(f"SELECT count(*) FROM {table} WHERE import_id = ?",
                               [old.import_id]).fetchall()[0][0]
            if left == 0:
                con.execute("UPDATE imports SET replaced_by = ? WHERE id = ?", [import_id, old.import_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return import_id, replaced


def dicts(cursor) -> list[dict]:
    """A fully fetched result as dicts keyed by column name."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def list_imports(con) -> list[dict]:
    return dicts(con.execute(
        """SELECT id, file_name, kind, period_from, period_to, as_of, rows_stored,
                  rows_refused, imported_at, note, imported_by, replaced_by, deleted_at,
                  deleted_by FROM imports ORDER BY id DESC"""))


class NoSuchImport(Exception):
    """delete-import of an id the log does not have (or already deleted)."""


def delete_import(con, import_id: int, user: str | None = None) -> None:
    """Delete an import's rows; its log line stays, marked deleted, by whom and when."""
    kind = con.execute("SELECT kind FROM imports WHERE id = ? AND deleted_at IS NULL",
                       [import_id]).fetchall()
    if not kind:
        raise NoSuchImport(texts.NO_SUCH_IMPORT.format(id=import_id))
    table = KINDS[kind[0][0]].table
    with _write_lock:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])
            con.execute("UPDATE imports SET deleted_at = current_localtimestamp(), deleted_by = ? "
                        "WHERE id = ?", [user, import_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def version(con) -> tuple:
    """Changes whenever what a page shows could: an import, a replacement, a deletion, a
    setting. Cached page loaders are keyed by it, so a widget change re-queries nothing."""
    return con.execute(
        """SELECT (SELECT count(*) FROM department_imports), (SELECT max(id) FROM department_imports),
                  (SELECT count(deleted_at) FROM department_imports),
                  (SELECT md5(coalesce(string_agg(key || '=' || value, ';' ORDER BY key), '')) FROM meta)"""
    ).fetchall()[0]


def get_meta(con, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def set_meta(con, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
