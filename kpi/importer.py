"""One uploaded file, from bytes to the store, in two steps: `inspect` then `commit`.

`inspect` reads, recognises and validates without touching the store's data, so the page
can show what a file was recognised as and what it would replace before the user
confirms. `commit` stores exactly what was inspected, in one transaction.
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from kpi import access, settings, store, texts
from kpi.kinds import KINDS, WON_STAGES, family
from kpi.mapping import HEAD_ROWS, Mapping, find_saved, remember
from kpi.reading import FileRefused, TextNotForDuckDB, check_size, read_records, upload_limit_mb
from kpi.recognise import AggregatedReport, from_mapping, recognise
from kpi.validate import Problem, summary, typed_rows

_AS_OF_TITLE = re.compile(
    r"(?:на\s+дату|по\s+состоянию\s+на|дата\s+отч[её]та|на|as\s+of)\s*:?\s*"
    r"(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_AS_OF_NAME = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})")


@dataclass
class Inspection:
    """What a file was recognised as and what storing it would do."""

    file_name: str
    sha256: str
    kind: str
    header_line: int
    columns: dict[str, str]  # canonical column -> header in the file
    months: list[dt.date]
    as_of: dt.date | None
    typed: object  # validate.Typed: the rows ready to store
    problems: list[Problem]
    refused_rows: int
    totals_skipped: int
    not_stored: int  # valid rows that are not facts: open or lost deals
    encoding: str
    delimiter: str
    header_cells: list[str] = field(default_factory=list)
    mapping: Mapping | None = None  # the user's mapping the file was read with, if any
    replaces: list[store.Replaced] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # headers of the file no column took
    warnings: list[str] = field(default_factory=list)  # stored, but worth a look
    # what the user must look at and confirm before the file is stored (a stray quote)
    confirm: list[str] = field(default_factory=list)
    grouping: list[str] = field(default_factory=list)  # a 1C report's grouping levels
    head: list[tuple[int, list[str]]] = field(default_factory=list)  # for a mapping by hand

    @property
    def problem_lines(self) -> list[str]:
        """The refused rows, one line per column, value and reason."""
        return summary(self.problems)

    @property
    def rows_ok(self) -> int:
        return self.typed.rows.num_rows

    @property
    def kind_title(self) -> str:
        return texts.KIND_TITLES[self.kind]

    @property
    def period_text(self) -> str:
        if KINDS[self.kind].snapshot:
            return texts.PERIOD_AS_OF.format(date=self.as_of.strftime("%d.%m.%Y"))
        return ", ".join(month_name(m) for m in self.months)


@dataclass
class Refusal:
    file_name: str
    sha256: str
    reason: str
    needs_as_of: bool = False
    # When the kind or columns were not recognised: the head of the file, for a mapping form.
    head: list[tuple[int, list[str]]] = field(default_factory=list)


class _NeedsAsOf(FileRefused):
    """A snapshot without a date: the user can fix it by giving one, so say so apart."""


class _NotRecognised(FileRefused):
    """Kind or columns unknown: the user can fix it with a column mapping."""

    def __init__(self, reason: str, head):
        super().__init__(reason)
        self.head = head


@dataclass
class Stored:
    file_name: str
    import_id: int
    kind: str
    period_text: str
    rows_stored: int
    rows_refused: int
    notes: list[str]


def month_name(month: dt.date) -> str:
    return f"{texts.MONTHS_NOMINATIVE[month.month - 1]} {month.year}"


def inspect(data: bytes, file_name: str, *, kind: str | None = None,
            as_of: dt.date | None = None, won_stages=None, mapping: Mapping | None = None,
            db=None, limit_mb: int | None = None) -> Inspection | Refusal:
    """Read and validate a file; never changes the store.

    With `mapping`, the file is read as the user mapped it; without, its kind and columns
    are recognised from the headers, and failing that a mapping saved for the same header
    row is used. `limit_mb`: this import's size limit (`import --max-mb`), else the store's."""
    try:  # by its size alone, before anything reads it (not even the hash)
        with store.reader(db) as con:
            check_size(len(data), limit_mb or upload_limit_mb(con))
    except FileRefused as e:
        return Refusal(file_name, "", str(e))
    sha = hashlib.sha256(data).hexdigest()
    try:
        records = read_records(data)
        if mapping is None:
            with store.reader(db) as con:
                saved = find_saved(con, records)
            if saved is not None and (kind is None or saved.kind in family(kind)):
                mapping = saved

        def layout_of(records):
            return from_mapping(records, mapping) if mapping else _recognise(records, kind)

        layout = layout_of(records)
        dated = layout.kind.dated
        if dated and as_of is None:
            as_of = _as_of_from(layout.title_lines, file_name)
            if as_of is None and layout.kind.snapshot:
                raise _NeedsAsOf(texts.NEEDS_AS_OF.format(title=texts.KIND_TITLES[layout.kind.name]))
            as_of = as_of or dt.date.today()
        vocabulary = mapping.vocabulary() if mapping else {"won_stages": won_stages}
        try:
            typed = typed_rows(layout, as_of if dated else None, vocabulary)
        except TextNotForDuckDB:  # DuckDB's reader balked: the Python way reads any text
            records = read_records(data, duckdb_reads=False)
            layout = layout_of(records)
            typed = typed_rows(layout, as_of if dated else None, vocabulary)
        if typed.rows.num_rows == 0 and not typed.problems and typed.not_stored:
            raise FileRefused(texts.NO_WON_DEALS.format(
                n=typed.not_stored,
                stages=", ".join(f"«{s}»" for s in vocabulary.get("won_stages") or WON_STAGES)))
        if typed.rows.num_rows == 0:
            raise FileRefused(texts.ALL_ROWS_BAD.format(refused=typed.refused_lines) + "\n"
                              + "\n".join(summary(typed.problems)[:20]))
    except FileRefused as e:
        return Refusal(file_name, sha, str(e), isinstance(e, _NeedsAsOf),
                       getattr(e, "head", []))
    inspection = Inspection(
        file_name=file_name, sha256=sha, kind=layout.kind.name, header_line=layout.header_line,
        columns=layout.headers, months=typed.months,
        as_of=as_of if dated else None, typed=typed,
        problems=typed.problems, refused_rows=typed.refused_lines,
        totals_skipped=layout.totals_skipped + typed.totals_skipped, not_stored=typed.not_stored,
        encoding=records.encoding,
        delimiter=records.delimiter, header_cells=layout.header_cells, mapping=mapping,
        unused=layout.unused, grouping=layout.grouping,
        warnings=[texts.Message("LOOKALIKE", header=h, column=c) for h, c in layout.lookalikes]
        + typed.warnings,
        confirm=[(texts.STRAY_QUOTE if q.swallowed else texts.LONG_CELL).format(
            line=q.line, end=q.end, lines=q.end - q.line + 1, value=q.value)
            for q in records.quotes]
        # group levels guessed from the values, and a subtotal disagrees: the guess may be wrong
        + ([texts.Message("LEVELS_GUESSED", n=len(typed.warnings))]
           if layout.levels_guessed and typed.warnings else []),
        head=records.rows[:HEAD_ROWS])
    with store.reader(db) as con:
        inspection.replaces = store.overlapping(con, inspection.kind, inspection.months,
                                                inspection.as_of, sha)
    return inspection


def _recognise(records, kind):
    """The layout from the headers; a file they do not describe can still be mapped by
    hand (a report of totals cannot: its rows are not documents)."""
    try:
        return recognise(records, kind)
    except AggregatedReport:
        raise
    except FileRefused as e:
        raise _NotRecognised(str(e), records.rows[:HEAD_ROWS]) from None


def commit(inspection: Inspection, db=None, confirmed: bool = False,
           scope: access.Scope = access.ADMIN) -> Stored:
    """Store what was inspected, as `scope`'s user (the audit trail names them). A file with
    something to confirm (a stray quote) is stored only when the user has looked and said so."""
    if not scope.may_import(inspection.kind):
        raise access.Forbidden(texts.FORBIDDEN.format(login=scope.login, role=texts.ROLE_TITLES[scope.role]))
    if inspection.confirm and not confirmed:
        raise FileRefused(texts.NEEDS_CONFIRMATION.format(reasons=" ".join(inspection.confirm)))
    notes = []
    if inspection.not_stored:
        notes.append(texts.Message("DEALS_SKIPPED", n=inspection.not_stored))
    if inspection.totals_skipped:
        notes.append(texts.Message("TOTALS_SKIPPED", n=inspection.totals_skipped))
    if inspection.refused_rows:
        notes.append(texts.Message("BAD_ROWS_POLICY"))
    notes += inspection.warnings
    with store.connect(db) as con:
        import_id, replaced = store.save_import(
            con, kind=inspection.kind, rows=inspection.typed.rows,
            file_name=inspection.file_name, sha256=inspection.sha256,
            months=inspection.months, as_of=inspection.as_of,
            refused=inspection.refused_rows, note=texts.stored_notes(notes), user=scope.login)
        if inspection.mapping is not None:  # files with the same header row will use it
            remember(con, inspection.header_cells, inspection.mapping)
        settings.note_currency_seen(con, inspection.typed.currency)
    notes += replacement_notes(inspection.kind, replaced, inspection.period_text)
    return Stored(inspection.file_name, import_id, inspection.kind, inspection.period_text,
                  inspection.rows_ok, inspection.refused_rows, notes)


def replacement_notes(kind, replaced: list[store.Replaced], period_text: str) -> list[str]:
    notes = []
    same = [r for r in replaced if r.same_file]
    if same:
        notes.append(texts.SAME_FILE.format(
            id=same[0].import_id, when=same[0].imported_at.strftime("%d.%m.%Y %H:%M")))
    others = [r for r in replaced if not r.same_file]
    if others:
        notes.append(texts.REPLACED.format(
            period=period_text, ids=", ".join(str(r.import_id) for r in others)))
    return notes


def _as_of_from(title_lines: list[str], file_name: str) -> dt.date | None:
    for line in title_lines:
        match = _AS_OF_TITLE.search(line)
        if match:
            return _date(match.group(1))
    match = _AS_OF_NAME.search(file_name)
    return _date(match.group(1)) if match else None


def _date(text: str) -> dt.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None
