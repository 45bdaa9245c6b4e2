"""Text cells of a recognised export -> typed rows for the store, plus every refused row.

Typing runs as SQL in an in-memory DuckDB (about a second for a million rows, where a
per-row Python validator takes several), and each check is a SELECT that returns the
failing rows with their line, column and value, as a dbt data test does.
"""

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from kpi import kinds as K
from kpi import texts
from kpi.formatting import fmt_date
from kpi.reading import BLANK_MARK, FileRefused
from kpi.recognise import TOTAL_WORDS, Layout, is_total

_SPACES = r"[\s\x{00a0}\x{202f}]+"
# What str.isspace() calls space, and the TextBody's blank-line mark: a cell of only these
# is empty, in SQL as in Python.
_BLANK = BLANK_MARK.decode() + "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(
    chr(c) for c in range(0x2000, 0x200b)) + "\u2028\u2029\u202f\u205f\u3000"
_TS_FORMATS = ("['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y', '%Y-%m-%d %H:%M:%S', "
               "'%Y-%m-%d %H:%M', '%Y-%m-%d', '%d.%m.%y', '%d/%m/%Y']")
MACROS = [
    # a regular expression: trim(x, characters) with this many characters is 30 times slower
    # (and first the common case by plain string tests: empty, or not starting with a space)
    f"""CREATE TEMP MACRO blank_null(x) AS CASE WHEN x = '' THEN NULL
        WHEN NOT contains('{_BLANK}', left(x, 1)) THEN x
        WHEN regexp_full_match(x, '[""" + "".join(f"\\x{{{ord(c):x}}}" for c in _BLANK)
    + "]*') THEN NULL ELSE x END",
    # most cells are already tidy: plain string tests (fast) pass them through untouched
    rf"""CREATE TEMP MACRO norm_text(x) AS CASE
        WHEN NOT (starts_with(x, ' ') OR ends_with(x, ' ') OR contains(x, '  ')
                  OR contains(x, chr(9)) OR contains(x, chr(10)) OR contains(x, chr(12))
                  OR contains(x, chr(13)) OR contains(x, chr(160)) OR contains(x, chr(8239)))
        THEN nullif(x, '')
        ELSE nullif(trim(regexp_replace(x, '{_SPACES}', ' ', 'g')), '') END""",
    "CREATE TEMP MACRO vkey(x) AS replace(lower(norm_text(x)), 'ё', 'е')",
    # 'Иванов  И. И. ' -> 'Иванов И.И.'; 'Иванов И.И' -> 'Иванов И.И.'; ё and Kazakh letters kept
    r"""CREATE TEMP MACRO norm_person(x) AS regexp_replace(regexp_replace(norm_text(x),
        '(\p{Lu})\.\s*(\p{Lu})\.?$', '\1.\2.'), ' (\p{Lu})$', ' \1.')""",
    rf"""CREATE TEMP MACRO money_text(x) AS regexp_replace(replace(lower(trim(x)), '−', '-'),
        '{_SPACES[:-1]}|''|руб\.?|р\.|₽|₸|тг\.?|тенге|kzt|rub|rur', '', 'g')""",
    # one decimal mark: '1,234.56' (English) or '1 234,56' / '1234.56'
    r"""CREATE TEMP MACRO money_dot(s) AS CASE
        WHEN NOT regexp_full_match(s, '-?\(?[0-9]+([.,][0-9]+)*\)?') THEN NULL
        WHEN s LIKE '%,%,%' AND s NOT LIKE '%.%' THEN replace(s, ',', '')  -- 1,250,000
        WHEN s LIKE '%.%.%' AND s NOT LIKE '%,%' THEN replace(s, '.', '')  -- 1.250.000
        WHEN s LIKE '%,%' AND s LIKE '%.%' AND strpos(s, ',') < strpos(s, '.') THEN replace(s, ',', '')
        WHEN s LIKE '%,%' AND s LIKE '%.%' THEN replace(replace(s, '.', ''), ',', '.')
        ELSE replace(s, ',', '.') END""",
    # kopecks have two digits: '1,234' or '12.500' is a thousands separator or a typo, never
    # 1.23 silently rounded; such a cell is refused and shown
    r"""CREATE TEMP MACRO money_cents(s) AS CASE WHEN regexp_matches(s, '\.[0-9]{3,}\)?$') THEN NULL ELSE s END""",
    # '12 345,67' and '12345.67': spaces dropped, comma as dot, at most two decimals after
    # the only mark; cast at once (string functions, fast). Anything else takes the full way.
    r"""CREATE TEMP MACRO money_plain(s) AS CASE WHEN regexp_full_match(s, '-?[0-9]+(\.[0-9]{1,2})?')
        THEN TRY_CAST(s AS DECIMAL(18, 2)) END""",
    r"""CREATE TEMP MACRO parse_money_text(x) AS CASE
        WHEN regexp_full_match(money_text(x), '\(.*\)')
        THEN -TRY_CAST(trim(money_cents(money_dot(money_text(x))), '()') AS DECIMAL(18, 2))
        ELSE TRY_CAST(money_cents(money_dot(money_text(x))) AS DECIMAL(18, 2)) END""",
    r"""CREATE TEMP MACRO parse_money(x) AS coalesce(
        money_plain(replace(replace(replace(replace(x, ' ', ''), chr(160), ''), chr(8239), ''), ',', '.')),
        parse_money_text(x))""",
    # 1C writes an empty date as 01.01.0001: no date, never a sale in year 1.
    r"""CREATE TEMP MACRO empty_date(x) AS contains(x, '0001')
        AND regexp_matches(trim(x), '^(0?1\.0?1\.0001|0001-01-01)')""",
    # Bitrix REST gives '2021-02-03T15:58:12+03:00': the local time is what the user meant.
    # A date as written is tried first, by the formats its shape allows (a failed
    # try_strptime costs DuckDB a microsecond: ISO dates tried as 'dd.mm.yyyy' first made a
    # million rows 3 s slower). Formats of one shape cannot both read a value, so the result
    # is the full list's; only what fails is normalised (regular expressions, slower).
    r"""CREATE TEMP MACRO parse_ts_shape(x) AS CASE
        WHEN contains(x, '-') THEN CASE WHEN contains(x, ':')
            THEN try_strptime(x, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M'])
            ELSE try_strptime(x, '%Y-%m-%d') END
        WHEN contains(x, '/') THEN try_strptime(x, '%d/%m/%Y')
        WHEN contains(x, ':') THEN try_strptime(x, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M'])
        WHEN length(split_part(x, '.', 3)) = 2 THEN try_strptime(x, '%d.%m.%y')  -- 01.02.26
        ELSE try_strptime(x, '%d.%m.%Y') END""",
    f"""CREATE TEMP MACRO parse_ts(x) AS CASE WHEN empty_date(x) THEN NULL ELSE coalesce(
        parse_ts_shape(x),
        try_strptime(regexp_replace(regexp_replace(trim(x), '^(\\d{{4}}-\\d\\d-\\d\\d)T', '\\1 '),
                     '(\\d\\d:\\d\\d(:\\d\\d)?)(\\.\\d+)?([+-]\\d\\d:?\\d\\d|Z)?$', '\\1'),
                     {_TS_FORMATS})) END""",
    r"""CREATE TEMP MACRO parse_month(x, names) AS coalesce(
        CAST(try_strptime(trim(x), ['%Y-%m', '%m.%Y', '%m/%Y']) AS DATE),
        CAST(date_trunc('month', parse_ts(x)) AS DATE),
        try(make_date(TRY_CAST(regexp_extract(vkey(x), '(\d{4})', 1) AS INTEGER),
             list_position(list_transform(names, lambda p: regexp_matches(vkey(x), p)), true),
             1)))""",
    r"""CREATE TEMP MACRO parse_count(x) AS
        TRY_CAST(regexp_extract(vkey(x), '^(\d+)(?:[.,]0+)?$', 1) AS INTEGER)""",
    r"""CREATE TEMP MACRO parse_days(x) AS TRY_CAST(regexp_extract(vkey(x),
        '^(-?\d+)(?:[.,]0+)?\s*(?:дн\.?|дней|день|дня|д\.|days?)?$', 1) AS INTEGER)""",
    """CREATE TEMP MACRO parse_mark(x, yes, no) AS CASE
        WHEN parse_ts(x) IS NOT NULL OR list_contains(yes, vkey(x)) THEN true
        WHEN list_contains(no, vkey(x)) THEN false END""",
    # the class of a value, from the table of the file's distinct values (see _classes)
    "CREATE TEMP MACRO classed(x, keys, classes) AS classes[list_position(keys, vkey(x))]",
]

# How each value type is parsed; NULL from a non-empty cell means the cell is refused.
PARSE = {
    "text": "norm_text({c})",
    "person": "norm_person({c})",
    "money": "parse_money({c})",
    "timestamp": "parse_ts({c})",
    "date": "CAST(parse_ts({c}) AS DATE)",
    "month": "parse_month({c}, $month_names)",
    "count": "parse_count({c})",
    "days": "parse_days({c})",
    "mark": "parse_mark({c}, $mark_yes, $mark_no)",
    "stage": "coalesce(TRY_CAST(classed({c}, ${n}_keys, ${n}_classes) AS INTEGER), "
             "CASE WHEN regexp_matches(vkey({c}), $refusal) THEN -1 END)",
    "activity_type": "classed({c}, ${n}_keys, ${n}_classes)",
    "activity_status": "classed({c}, ${n}_keys, ${n}_classes)",
    "doc_type": "norm_text({c})",
    "close_date": "parse_ts({c})",
}
# Value types parsed once per distinct value and joined back: names, types, statuses and
# stages repeat (300 managers in a million rows); dates, amounts and documents do not.
BY_DISTINCT_VALUE = {"person", "activity_type", "activity_status", "stage"}
# An empty parse that is not an error: 1C's empty date; amoCRM's "не закрыта" close date.
NULL_OK = {t: "empty_date({c})" for t in ("timestamp", "date", "mark")} | {
    "close_date": "empty_date({c}) OR vkey({c}) LIKE 'не закрыт%'"}
# Value types read by meaning (kinds.classify) over the distinct values of the file;
# the user's mapping adds words per class (Mapping.vocabulary()).
CLASSES = {"activity_type": ("types", lambda v: K.classify(v, K.ACTIVITY_TYPES)),
           "activity_status": ("statuses", lambda v: K.classify(v, K.ACTIVITY_STATUSES)),
           "stage": (None, K.stage_of)}
# Values a kind derives from several cells, computed once with the typed ones.
DERIVED = {"deals": ["coalesce(list_contains($won_stages, vkey(r_stage)) OR "
                     "regexp_matches(vkey(r_stage), '(^|:)won$'), false) AS is_won"]}
# Checks beyond one cell's type: (condition on `parsed`, the column, the text saying what is
# wrong, by its name in the catalog).
ROW_CHECKS = {"deals": [("is_won AND p_amount IS NULL", "amount", "WON_WITHOUT_AMOUNT"),
                        ("is_won AND r_closed_at IS NULL", "closed_at", "WON_WITHOUT_DATE")]}


MONTH_NAMES = ["^(январ|jan)", "^(феврал|feb)", "^(март|mar)", "^(апрел|apr)", "^(ма[йя]|may)",
               "^(июн|jun)", "^(июл|jul)", "^(август|aug)", "^(сентябр|sep)", "^(октябр|oct)",
               "^(ноябр|nov)", "^(декабр|dec)"]


def _params(vocabulary: dict | None = None) -> dict:
    """Bound parameters of the typing SQL; a user's mapping adds words to the vocabularies."""
    vocabulary = vocabulary or {}
    return {
        "month_names": MONTH_NAMES,
        "mark_yes": K.value_words(K.MARK_YES),
        "mark_no": K.value_words(K.MARK_NO),
        "refusal": K.REFUSAL_PATTERN,
        "return_pattern": K.RETURN_PATTERN,
        "won_stages": K.value_words(vocabulary.get("won_stages") or K.WON_STAGES),
    }


def _classes(con, column: str, meaning, words: dict) -> tuple[list[str], list[str]]:
    """Each distinct value of a column with its class: the user's words first, then the
    meaning (kinds.classify). A handful of values, whatever the number of rows."""
    own = {w: cls for cls, ws in (words or {}).items() for w in K.value_words(ws)}
    keys, classes = [], []
    for (value,) in con.execute(f"SELECT DISTINCT vkey(k) FROM (SELECT DISTINCT r_{column} AS k "
                                f"FROM raw) WHERE vkey(k) IS NOT NULL").fetchall():
        cls = own.get(value, meaning(value))
        if cls is not None:
            keys.append(value)
            classes.append(str(cls))
    return keys, classes


# The typed rows each kind stores, selected from `parsed` (p_<col> typed, r_<col> raw).
_MARK_STAGE = " ".join(
    f"WHEN coalesce(p_{name}, false) THEN {K.STAGES.index(name)}"
    for name in reversed(K.STAGE_MARK_COLUMNS))
OUTPUT = {
    "sales": """
        SELECT _line AS line, p_doc_date AS doc_date, p_document AS document,
               p_manager AS manager, p_client AS client,
               CASE WHEN is_return THEN -abs(p_amount) ELSE p_amount END AS amount,
               is_return, p_team AS team
        FROM (SELECT *, coalesce(regexp_matches(vkey(r_doc_type), $return_pattern), false)
                     OR coalesce(regexp_matches(r_document, '(?i)^[\\s\\x{a0}]*(возврат|return|refund)'),
                                  false) AS is_return FROM parsed)""",
    "plan": """
        SELECT _line AS line, p_month AS month, p_manager AS manager, p_plan_amount AS plan_amount,
               p_plan_active AS plan_active, p_plan_new AS plan_new, p_team AS team
        FROM parsed""",
    "receivables": """
        SELECT _line AS line, CAST($as_of AS DATE) AS as_of, p_client AS client,
               p_manager AS manager, p_document AS document, p_doc_date AS doc_date,
               p_due_date AS due_date, p_deferral_days AS deferral_days,
               p_outstanding AS outstanding, p_credit_limit AS credit_limit
        FROM parsed""",
    "activities": """
        SELECT _line AS line, p_happened_at AS happened_at, p_manager AS manager, p_client AS client,
               p_activity_type AS activity, norm_text(r_activity_type) AS type_text,
               p_status AS state, norm_text(r_status) AS status_text, p_subject AS subject
        FROM parsed""",
    "candidates": f"""
        SELECT _line AS line, CAST($as_of AS DATE) AS as_of, p_candidate AS candidate,
               p_vacancy AS vacancy, p_source AS source, p_recruiter AS recruiter,
               p_responded_on AS responded_on,
               greatest(coalesce(p_stage, 0), coalesce(p_refusal_stage, 0),
                        CASE {_MARK_STAGE} ELSE 0 END) AS reached,
               coalesce(regexp_matches(vkey(r_stage), $refusal), false)
                   OR p_refusal_stage IS NOT NULL OR coalesce(p_refused_mark, false) AS refused,
               CAST(parse_ts(r_invited) AS DATE) AS invited_on, p_interview_on AS interview_on,
               CAST(parse_ts(r_hired) AS DATE) AS hired_on
        FROM parsed""",
    "deals": """
        SELECT _line AS line, p_closed_at AS doc_date, p_document AS document,
               p_manager AS manager,
               coalesce(p_client, p_contact_company, p_contact, p_title, p_document) AS client,
               p_amount AS amount, false AS is_return, NULL::TEXT AS team
        FROM parsed WHERE is_won AND p_closed_at IS NOT NULL""",
}
@dataclass
class Problem:
    line: int
    column: str  # as written in the file's header
    value: str | None
    expected: str

    def __str__(self) -> str:
        if self.value is None:
            return texts.ROW_PROBLEM_NO_VALUE.format(line=self.line, column=self.column,
                                                     expected=self.expected)
        return texts.ROW_PROBLEM.format(line=self.line, column=self.column,
                                        value=self.value, expected=self.expected)


@dataclass
class ProblemGroup:
    """Refused cells alike in column, value and reason, with the lines they are on."""

    lines: list[int]
    column: str
    value: str | None
    expected: str

    def __str__(self) -> str:
        if len(self.lines) == 1:
            return str(Problem(self.lines[0], self.column, self.value, self.expected))
        template = texts.ROWS_PROBLEM if self.value is not None else texts.ROWS_PROBLEM_NO_VALUE
        return template.format(lines=line_ranges(self.lines), n=len(self.lines),
                               column=self.column, value=self.value, expected=self.expected)


def grouped_problems(problems: list[Problem]) -> list[ProblemGroup]:
    """An unknown status in 300 rows is one group saying so, not 300 lines."""
    groups: dict[tuple, list[int]] = {}
    for p in problems:
        groups.setdefault((p.column, p.value, p.expected), []).append(p.line)
    return [ProblemGroup(lines, *key) for key, lines in
            sorted(groups.items(), key=lambda kv: kv[1][0])]


def summary(problems: list[Problem]) -> list[str]:
    return [str(g) for g in grouped_problems(problems)]


def line_ranges(lines: list[int]) -> str:
    """[3, 4, 5, 9] -> '3–5, 9'."""
    parts, start = [], None
    for i, n in enumerate(lines):
        if start is None:
            start = n
        if i + 1 == len(lines) or lines[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return ", ".join(parts)


@dataclass
class Typed:
    rows: pa.Table  # typed rows that passed every check, in the store's column order
    problems: list[Problem]  # one per refused cell, sorted by line
    refused_lines: int
    months: list  # first days of the months the rows cover (empty for snapshots)
    not_stored: int = 0  # valid rows that are not facts (open or lost deals)
    warnings: list[str] = field(default_factory=list)  # stored, but worth a look (subtotals)
    currency: str | None = None  # "KZT" or "RUB" when the amounts say so (₸, тг, руб., ₽)
    totals_skipped: int = 0  # totals rows of a file DuckDB read whole (see _load_body)


# DuckDB's memory for typing one file; past it, it spills to the temporary folder rather
# than grow. Measured on a million 1C rows (106 MB): the import peaks at 0.81 GB in all with
# 400 MB (1.05 GB with no limit, 0.64 GB with 250 MB but a third slower).
TYPING_MEMORY = "400MB"


def typed_rows(layout: Layout, as_of=None, vocabulary: dict | None = None) -> Typed:
    kind = layout.kind
    vocabulary = vocabulary or {}
    con = duckdb.connect(config={"memory_limit": TYPING_MEMORY,
                                 "temp_directory": str(Path(tempfile.gettempdir()) / "kpi-typing")})
    try:
        for macro in MACROS:
            con.execute(macro)
        totals = _load_body(con, layout) if layout.body is not None else _load_rows(con, layout)
        params = _params(vocabulary) | {"as_of": as_of}
        for col in kind.columns:
            if col.type in CLASSES:
                words_key, meaning = CLASSES[col.type]
                keys, classes = _classes(con, col.name, meaning, vocabulary.get(words_key))
                params[f"{col.name}_keys"], params[f"{col.name}_classes"] = keys, classes
        parsed, joins = [], []
        for c in kind.columns:
            expression = PARSE[c.type].format(c=f"r_{c.name}", n=c.name).replace(
                "_keys,", "_keys::VARCHAR[],").replace("_classes)", "_classes::VARCHAR[])")
            if c.type in BY_DISTINCT_VALUE:  # a few hundred values in a million rows: each once
                con.execute(f"CREATE TEMP TABLE each_{c.name} AS SELECT r_{c.name}, {expression} AS v "
                            f"FROM (SELECT DISTINCT r_{c.name} FROM raw WHERE r_{c.name} IS NOT NULL)",
                            _used(params, expression))
                joins.append(f"LEFT JOIN each_{c.name} USING (r_{c.name})")
                expression = f"each_{c.name}.v"
            parsed.append(f"{expression} AS p_{c.name}")
        parsed = ", ".join(parsed + DERIVED.get(kind.name, []))
        joins = " ".join(joins)
        con.execute(f"CREATE TEMP TABLE parsed AS SELECT raw.*, {parsed} FROM raw {joins}",
                    _used(params, parsed))
        # `parsed` holds every cell now: free the file's copy before the rows are built
        con.execute("DROP VIEW raw")
        if layout.body is not None:
            con.execute("DROP TABLE cells")
        else:
            con.unregister("raw_cells")
        problems = _problems(con, layout) + [
            Problem(line, layout.tree_header, value, texts.UNPLACED)
            for line, value in layout.unplaced]
        problems.sort(key=lambda p: p.line)
        bad = sorted({p.line for p in problems})
        if bad:
            con.execute("CREATE TEMP TABLE bad AS SELECT unnest(?::BIGINT[]) AS _line", [bad])
            con.execute("DELETE FROM parsed WHERE _line IN (SELECT _line FROM bad)")
        sql = OUTPUT[kind.name]
        rows = con.sql(f"SELECT * FROM ({sql}) ORDER BY line", params=_used(params, sql)).to_arrow_table()
        not_stored = con.execute("SELECT count(*) FROM parsed").fetchall()[0][0] - rows.num_rows
        con.register("typed", rows)
        months = []
        if not kind.snapshot:
            months = [m for (m,) in con.execute(
                f"SELECT DISTINCT CAST(date_trunc('month', {kind.period}) AS DATE) AS m "
                "FROM typed ORDER BY m").fetchall()]
        warnings = _subtotal_warnings(con, layout)
        currency = _currency_written(con, kind)
    finally:
        con.close()
    return Typed(rows, problems, len(bad), months, not_stored, warnings, currency, totals)


def _load_rows(con, layout: Layout) -> int:
    """View `raw` (_line, r_<column> text) over rows read in Python; a blank cell NULL, as
    in _load_body."""
    data = layout.data
    table = {"_line": pa.array([line for line, _ in data], pa.int64())}
    for col in layout.kind.columns:
        i = layout.columns.get(col.name)
        table[f"r_{col.name}"] = pa.array(
            [cells[i] if i < len(cells) else None for _, cells in data] if i is not None
            else [None] * len(data), pa.string())
    con.register("raw_cells", pa.table(table))
    columns = ", ".join(f"blank_null(r_{c.name}) AS r_{c.name}" for c in layout.kind.columns)
    con.execute(f"CREATE TEMP VIEW raw AS SELECT _line, {columns} FROM raw_cells")
    return 0


def _load_body(con, layout: Layout) -> int:
    """View `raw` over a flat text file read whole by DuckDB, by the rules the Python path
    follows (recognise._layout): blank lines skipped, totals rows counted and skipped, a
    blank cell NULL. Returns the number of totals rows."""
    width = max(layout.width, max(layout.columns.values(), default=0) + 1)
    layout.body.load(con, width)
    first = "coalesce(" + ", ".join(f"blank_null(c{i})" for i in range(width)) + ")"
    words = "|".join(TOTAL_WORDS)
    start = int(layout.first_line) - 1  # rowid of the first line under the header
    # Rows to skip (blank lines, totals) start blank or with a totals word: found once here,
    # so the view costs each reader of it nothing but its own columns. Totals are told by
    # recognise.is_total over the few distinct candidates, blank rows in SQL.
    maybe = f"rowid >= {start} AND (blank_null(c0) IS NULL OR regexp_matches(c0, '(?i)({words})'))"
    candidates = [v for (v,) in con.execute(
        f"SELECT DISTINCT {first} FROM cells WHERE {maybe}").fetchall() if v is not None]
    totals = [v for v in candidates if is_total(v)]
    con.execute(f"CREATE TEMP TABLE skipped AS SELECT rowid, {first} IS NOT NULL AS total FROM cells "
                f"WHERE {maybe} AND ({first} IS NULL OR list_contains(?::VARCHAR[], {first}))", [totals])
    skip, n_totals = con.execute("SELECT count(*), count(*) FILTER (WHERE total) FROM skipped").fetchone()
    columns = ", ".join(
        f"blank_null(c{layout.columns[c.name]}) AS r_{c.name}" if c.name in layout.columns
        else f"NULL::VARCHAR AS r_{c.name}" for c in layout.kind.columns)
    con.execute(f"CREATE TEMP VIEW raw AS SELECT rowid + 1 AS _line, {columns} FROM cells "
                f"WHERE rowid >= {start}"
                + (" AND rowid NOT IN (SELECT rowid FROM skipped)" if skip else ""))
    if not con.execute("SELECT EXISTS (SELECT 1 FROM raw)").fetchone()[0]:
        raise FileRefused(texts.HEADER_ONLY.format(line=layout.header_line))
    return n_totals


def _currency_written(con, kind) -> str | None:
    """The currency the money cells name, if they name one (most 1C exports do not)."""
    money = [f"r_{c.name}" for c in kind.columns if c.type == "money"]
    if not money:
        return None
    cells = " || ' ' || ".join(f"coalesce(lower({m}), '')" for m in money)
    # only cells with something besides a number can name a currency (a fast first pass)
    worded = " OR ".join(f"NOT regexp_full_match({m}, '[-0-9 ,.()\\x{{a0}}\\x{{202f}}]*')" for m in money)
    tenge, rouble = con.execute(
        f"SELECT count(*) FILTER (WHERE regexp_matches({cells}, '₸|тг|тенге|kzt')), "
        f"count(*) FILTER (WHERE regexp_matches({cells}, '₽|руб|rub|rur')) FROM parsed "
        f"WHERE {worded}").fetchall()[0]
    return "KZT" if tenge > rouble else "RUB" if rouble else None


def _subtotal_warnings(con, layout: Layout) -> list[str]:
    """Each 1C group row's subtotal against the sum of the stored rows under it."""
    measure = layout.kind.measure
    if not layout.groups or not measure or measure not in layout.columns:
        return []
    con.register("groups", pa.table({
        "g_line": pa.array([g.line for g in layout.groups], pa.int64()),
        "label": pa.array([g.label for g in layout.groups], pa.string()),
        "subtotal": pa.array([g.subtotal or None for g in layout.groups], pa.string())}))
    con.register("members", pa.table({
        "g_line": pa.array([g.line for g in layout.groups for _ in g.leaves], pa.int64()),
        "leaf": pa.array([n for g in layout.groups for n in g.leaves], pa.int64())}))
    rows = con.execute(f"""
        SELECT g_line, label, subtotal, got FROM (
            SELECT g.g_line, any_value(g.label) AS label,
                   any_value(parse_money(g.subtotal)) AS subtotal,
                   coalesce(sum(t.{measure}), 0) AS got
            FROM groups g LEFT JOIN members m USING (g_line) LEFT JOIN typed t ON t.line = m.leaf
            GROUP BY g.g_line)
        WHERE subtotal IS NOT NULL AND subtotal <> got ORDER BY g_line""").fetchall()
    return [texts.Message("SUBTOTAL_MISMATCH", line=line, label=label, subtotal=subtotal, got=got,
                          diff=subtotal - got) for line, label, subtotal, got in rows]
def _used(params: dict, sql: str) -> dict:
    """DuckDB refuses named parameters the statement does not use."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


EARLIEST = dt.date(1990, 1, 1)  # no export this product reads goes back further
HORIZON_YEARS = 5  # planned meetings and deals close in months, not decades


def _plausible_range(con, layout: Layout):
    """(column, first, last) day a row's date may fall on. Always between 1990 and five years
    from today; with three dates or more, also within two years of the file's median date,
    widened by six times the dates' median deviation. A typing error (2062, 1926) falls
    outside; three years of history or next month's planned meetings do not. Median and
    deviation, unlike min and max, are not moved by the error itself."""
    column = layout.kind.plausible_date
    if not column or column not in layout.columns:
        return None
    today = dt.date.today()
    low, high = EARLIEST, today.replace(year=today.year + HORIZON_YEARS)
    n, median, spread = con.execute(f"""
        WITH d AS (SELECT date_diff('day', DATE '1970-01-01', CAST(p_{column} AS DATE)) AS x
                   FROM parsed WHERE p_{column} IS NOT NULL)
        SELECT (SELECT count(*) FROM d), m, (SELECT quantile_cont(abs(x - m), 0.5) FROM d)
        FROM (SELECT quantile_cont(x, 0.5) AS m FROM d)""").fetchall()[0]
    if n >= 3:
        margin = 731 + 6 * spread
        low = max(low, _day(median - margin))
        high = min(high, _day(median + margin + 1))
    return column, low, high


def _day(days_since_1970: float) -> dt.date:
    """A day count as a date, held inside what a date can be (a year-9999 typo must not
    overflow)."""
    days = min(max(int(days_since_1970), (dt.date.min - dt.date(1970, 1, 1)).days),
               (dt.date.max - dt.date(1970, 1, 1)).days)
    return dt.date(1970, 1, 1) + dt.timedelta(days=days)


def _problems(con, layout: Layout) -> list[Problem]:
    checks, params = [], []
    for col in layout.kind.columns:
        if col.name not in layout.columns:
            continue
        header = layout.headers[col.name]
        r, p = f"r_{col.name}", f"p_{col.name}"
        null_ok = NULL_OK.get(col.type, "false").format(c=r)
        checks.append(f"SELECT _line, ? AS col, {r} AS value, ? AS expected FROM parsed "
                      f"WHERE {r} IS NOT NULL AND {p} IS NULL AND NOT ({null_ok})")
        params += [header, texts.EXPECTED[col.type]]
        if col.required:
            checks.append(f"SELECT _line, ? AS col, NULL AS value, ? AS expected FROM parsed "
                          f"WHERE {r} IS NULL")
            params += [header, texts.REQUIRED_EMPTY]
            if col.type in NULL_OK:
                checks.append(f"SELECT _line, ? AS col, {r} AS value, ? AS expected FROM parsed "
                              f"WHERE empty_date({r})")
                params += [header, texts.EMPTY_1C_DATE]
    plausible = _plausible_range(con, layout)
    if plausible:
        column, low, high = plausible
        checks.append(f"SELECT _line, ? AS col, r_{column} AS value, ? AS expected FROM parsed "
                      f"WHERE CAST(p_{column} AS DATE) NOT BETWEEN ? AND ?")
        params += [layout.headers[column], texts.DATE_OUT_OF_RANGE.format(
            low=fmt_date(low), high=fmt_date(high)), low, high]
    for condition, column, expected in ROW_CHECKS.get(layout.kind.name, []):
        if column in layout.columns:
            checks.append(f"SELECT _line, ? AS col, r_{column} AS value, ? AS expected "
                          f"FROM parsed WHERE {condition}")
            params += [layout.headers[column], getattr(texts, expected)]
    if not checks:
        return []
    # by line, then in the order of the checks (the file's columns): the same report each time
    union = " UNION ALL ".join(f"SELECT {k} AS check_no, * FROM ({c})" for k, c in enumerate(checks))
    rows = con.execute(f"SELECT * EXCLUDE (check_no) FROM ({union}) ORDER BY _line, check_no",
                       params).fetchall()
    return [Problem(line, column, value, expected) for line, column, value, expected in rows]
