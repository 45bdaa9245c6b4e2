"""Find the header row and the export kind from the headers a file carries.

1C reports put title lines above the header and a totals row below the data; CRMs add
dozens of columns we do not need. The header is the row (among the first 40) whose cells
name the most columns of a kind that has all its required columns.
"""

import re
from dataclasses import dataclass, field

from kpi import grouped, texts
from kpi.grouped import Group
from kpi.kinds import DATE_WORDS, KINDS, Kind, family, header_key, header_tokens
from kpi.mapping import header_row
from kpi.reading import FileRefused, Records, TextBody

_HEADER_SCAN_ROWS = 40
# A totals row says only that: «Итого», «Итог:», «Всего», «Итого по менеджеру …», «Total».
# A client named «Total E&P Kazakhstan» or «Всего понемногу ТОО» is data.
TOTAL_WORDS = ("итого", "итог", "всего", "total", "grand total")
_TOTALS = re.compile(rf"^({'|'.join(TOTAL_WORDS)})(\s*:|\s+по\b|\s*$)", re.IGNORECASE)
# the letters a totals row can start with (or a space): most rows need no regex
_TOTAL_INITIALS = {c for w in TOTAL_WORDS for c in (w[0], w[0].upper())}
_EXACT = {
    kind.name: {col.name: {header_key(s) for s in col.synonyms} for col in kind.columns}
    for kind in KINDS.values()
}
_DATED_TYPES = ("date", "timestamp", "mark", "close_date")
# A header of a report of totals rather than documents: turnover statements and debt by
# ageing bucket (1C's «Оборотно-сальдовая ведомость», «Задолженность по срокам долга»).
_AGGREGATE_WORDS = re.compile(r"^(сальдо|оборот|обороты|дебет|просрочен|просроченная|свыше)$")


class AggregatedReport(FileRefused):
    """A report of totals, not documents: no mapping can make its rows documents."""


@dataclass
class Tree:
    """The first column of a 1C grouped report: which column each grouping level names."""

    index: int  # the cell index of that column
    dims: list[str | None]  # outermost first; None for a grouping no kind column means
    names: list[str]  # the groupings as the report names them
    is_hierarchy: bool  # on detail rows too the column holds the deepest level's value
    header_rows: int  # header rows below the header row that only name groupings
    folders: str | None = None  # the level «(Иерархия)» may nest in folders of itself


@dataclass
class Layout:
    kind: Kind
    header_line: int
    columns: dict[str, int]  # canonical column -> cell index
    headers: dict[str, str]  # canonical column -> header as written in the file
    title_lines: list[str]  # text above the header (period, "На дату: ...")
    data: list[tuple[int, list[str]]]  # detail rows: (line, cells); totals, groups, blanks removed
    totals_skipped: int  # totals rows and 1C group rows (subtotals), never counted
    header_cells: list[str]  # the header row as written: what a saved mapping is keyed by
    unused: list[str] = field(default_factory=list)  # headers no column took
    lookalikes: list[tuple[str, str]] = field(default_factory=list)  # (header, column it resembles)
    groups: list[Group] = field(default_factory=list)  # 1C group rows, for the subtotal check
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # rows of no known level
    grouping: list[str] = field(default_factory=list)  # the report's grouping levels
    tree_header: str = ""  # the grouped report's first column as its header names it
    levels_guessed: bool = False  # group levels told from the values' shape, not an outline
    # A flat text file's rows stay in `body` for DuckDB (`data` is then empty): from
    # `first_line` on, `width` cells a line at most in the head
    body: TextBody | None = None
    first_line: int = 0
    width: int = 0


def column_of(kind: Kind, text: str, taken=()) -> str | None:
    """The column a header names by one of its synonyms, word for word."""
    key = header_key(text)
    if not key:
        return None
    return next((c for c, keys in _EXACT[kind.name].items() if c not in taken and key in keys), None)


def _column_by_meaning(kind: Kind, text: str, taken, types=_DATED_TYPES, date_word=True) -> str | None:
    """`Дата подтверждения`, `Явка (дата)`, `responded_date`: a date word and a word of
    exactly one dated column's meaning. Without `date_word`, any one word of the meaning
    (for grouping names such as `Документ отгрузки`)."""
    tokens = header_tokens(text)
    rest = [t for t in tokens if t not in DATE_WORDS]
    if not rest or (date_word and len(rest) == len(tokens)):
        return None
    hits = {c.name for c in kind.columns if c.meaning and c.type in types and c.name not in taken
            and any(re.match(c.meaning, t) for t in rest)}
    return hits.pop() if len(hits) == 1 else None


def looks_like(kind: Kind, text: str) -> str | None:
    """The column an unused header resembles (`Сумма НДС` an amount, `Дата отказа` a date)."""
    tokens = header_tokens(text)
    for col in kind.columns:
        if col.meaning and any(re.match(col.meaning, t) for t in tokens):
            return col.name
    if any(t in ("дата", "date") for t in tokens):
        return next((c.name for c in kind.columns if c.type in ("date", "timestamp")), None)
    return None


def _header_candidates(rows, index):
    """Header texts per column: row `index` alone, and with the row below it when 1C
    writes two header rows (a merged upper cell over several lower ones)."""
    line, cells = rows[index]
    yield line, index, [[c] for c in cells], False
    # a title line («Продажи за период») is one cell; an upper header row names several
    if index + 1 < len(rows) and sum(1 for c in cells if c.strip()) >= 2:
        below_line, below = rows[index + 1]
        upper, carried = [], ""
        for c in cells + [""] * (len(below) - len(cells)):
            carried = c.strip() or carried  # a merged cell's text sits in its first column
            upper.append(carried)
        alternatives = []
        for j, low in enumerate(below + [""] * (len(upper) - len(below))):
            # «Сумма» over «без НДС | с НДС» are two headers: «Сумма без НДС», «Сумма с НДС»;
            # the upper text alone names a column only where nothing is written below it
            low = low.strip()
            alternatives.append([t for t in (low, f"{upper[j]} {low}".strip()) if t] if low
                                else [upper[j]] if upper[j] else [])
        yield below_line, index + 1, alternatives, True


def _match(kind: Kind, alternatives: list[list[str]]) -> dict[str, tuple[int, str]]:
    """Column -> (cell index, header text as written): synonyms first, then meanings."""
    found: dict[str, tuple[int, str]] = {}
    for index, texts_ in enumerate(alternatives):
        for text in texts_:
            column = column_of(kind, text, found)
            if column:
                found[column] = (index, text.strip())
                break
    taken_cells = {i for i, _ in found.values()}
    for index, texts_ in enumerate(alternatives):
        if index in taken_cells:
            continue
        for text in texts_:
            column = _column_by_meaning(kind, text, found)
            if column:
                found[column] = (index, text.strip())
                break
    return found


def guess_columns(kind_name: str, cells: list[str]) -> dict[str, str]:
    """Headers of a row that already name a column of the kind: the mapping form's start."""
    return {c: text for c, (_, text) in _match(KINDS[kind_name], [[c] for c in cells]).items()}


def _grouping_column(kind: Kind, name: str) -> str | None:
    return column_of(kind, name) or _column_by_meaning(kind, name, (), ("text", "person"), False)


def _tree(rows, index: int, kind: Kind, found, settings, top: int | None = None) -> Tree | None:
    """The grouping levels of a 1C report: from its `Группировки строк:` line, else from its
    first header cell (several lines, or the two header rows from `top` to `index`) and the
    header rows under it that name only that column (`Менеджер` / `Контрагент` /
    `Регистратор` stacked)."""
    top = index if top is None else top
    cells = rows[top][1]
    tree = next((j for j, c in enumerate(cells) if c.strip()), None)
    if tree is None:
        return None
    names_in_settings = {header_key(n) for n, _ in settings}
    stacked = []
    for _, below in rows[index + 1:index + 8]:
        filled = [j for j, c in enumerate(below) if c.strip()]
        text = below[tree].strip() if filled == [tree] else ""
        if not text or not (header_key(text) in names_in_settings or _grouping_column(kind, text)):
            break
        stacked.append(text)
    own = [t.strip() for r in range(top, index + 1) if tree < len(rows[r][1])
           for t in rows[r][1][tree].split("\n") if t.strip()]
    names = [n for n, _ in settings] or (own + stacked if len(own) + len(stacked) >= 2 else [])
    dims = [_grouping_column(kind, n) for n in names]
    at_tree = next((c for c, (i, _) in found.items() if i == tree), None)
    is_hierarchy = len(names) >= 2 and (at_tree is None or at_tree in dims)
    folders = [d for d, (_, folded) in zip(dims, settings) if folded]
    return Tree(tree, dims, names, is_hierarchy, len(stacked), folders[0] if folders else None)


def _continues(rows, index: int, kind: Kind, settings) -> bool:
    """The row under `index` is more header, not data: its first cell names a grouping level
    and its other cells are text (`Контрагент | без НДС | с НДС` under `Менеджер | Сумма`)."""
    if index + 1 >= len(rows):
        return False
    cells = [c.strip() for c in rows[index + 1][1]]
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    first = filled[0]
    named = header_key(first) in {header_key(n) for n, _ in settings} or _grouping_column(kind, first)
    return bool(named) and not any(re.fullmatch(r"[-\d\s.,\u00a0\u202f()]+", c) for c in filled[1:])


def _available(kind: Kind, found, tree: Tree | None) -> set[str]:
    """Columns the file provides: its headers, the grouping levels, and what a document
    text gives (its date and type) when the documents are a grouping level."""
    have = set(found)
    if tree and len(tree.names) >= 2:
        have |= {d for d in tree.dims if d}
        if "document" in tree.dims:
            have |= {c.name for c in kind.columns if c.name in ("doc_date", "doc_type")}
    return have


def _missing(kind: Kind, have) -> list[str]:
    return [c.name for c in kind.columns if c.required and c.name not in have]


def _complete(kind: Kind, have) -> bool:
    any_ok = not kind.any_of or any(c in have for c in kind.any_of)
    return not _missing(kind, have) and any_ok


def recognise(records: Records, kind_name: str | None = None) -> Layout:
    if kind_name is not None and kind_name not in KINDS:
        raise FileRefused(texts.UNKNOWN_KIND_OPTION.format(kind=kind_name, kinds=", ".join(KINDS)))
    kinds = [KINDS[k] for k in family(kind_name)] if kind_name else list(KINDS.values())
    head = records.rows[:_HEADER_SCAN_ROWS]
    settings_at, settings = grouped.settings_line(head) or (None, [])
    best = None  # (complete, matched count, single row, -row index) -> the winner
    for first in range(len(head)):
        for line, index, alternatives, two_rows in _header_candidates(records.rows, first):
            for kind in kinds:
                found = _match(kind, alternatives)
                above = settings if settings_at is not None and settings_at < first else []
                tree = _tree(records.rows, index, kind, found, above, first)
                have = _available(kind, found, tree)
                if len(have) < 2:
                    continue
                # two header rows when the second continues the first, one row otherwise
                fits = _continues(records.rows, first, kind, above) == two_rows
                score = (_complete(kind, have), len(have) - 2 * len(_missing(kind, have)),
                         fits, -first)
                if best is None or score > best[0]:
                    best = (score, index, kind, found, tree, alternatives, have)
    if best is None:
        _refuse_aggregated(head)
        raise FileRefused(texts.UNKNOWN_KIND.format(kinds=kinds_help()))
    (complete, *_), index, kind, found, tree, alternatives, have = best
    line, cells = records.rows[index]
    if not complete and not any(c.required and c.name in have for c in kind.columns):
        _refuse_aggregated(head)
        raise FileRefused(texts.UNKNOWN_KIND.format(kinds=kinds_help()))
    if not complete:
        missing = _missing(kind, have)
        # money per client or manager but no date per row: totals, not documents
        grouped_report = tree is not None and len(tree.names) >= 2
        _refuse_aggregated(head, kind if grouped_report and "doc_date" in missing
                           and kind.measure in have else None)
        english = _is_english(cells)
        names = [_column_label(kind, c, english) for c in missing]
        if kind.any_of and not any(c in have for c in kind.any_of):
            names.append(_one_of(kind, lambda c: _column_label(kind, c, english)))
        raise FileRefused(texts.MISSING_COLUMNS.format(
            title=texts.KIND_TITLES[kind.name], line=line, columns=", ".join(names),
            found=", ".join(f"«{c.strip()}»" for c in cells if c.strip())))
    return _layout(records, index, kind, found, tree, alternatives)


def _refuse_aggregated(head, kind: Kind | None = None) -> None:
    """A report of totals (per client, per bucket, a turnover statement) is refused with
    what to export instead: totals stored as documents would be wrong figures."""
    words = {t for _, cells in head for c in cells for t in header_tokens(c)}
    if kind is None and not any(_AGGREGATE_WORDS.match(w) for w in words):
        return
    hints = [kind] if kind is not None else [k for k in KINDS.values() if k.detail_report]
    raise AggregatedReport(texts.AGGREGATED_REPORT.format(instead="\n".join(
        texts.AGGREGATED_INSTEAD.format(title=texts.KIND_TITLES[k.name], report=texts.AGGREGATED_HINTS.get(k.name, ""))
        for k in hints)))


def _note_unused(layout: Layout, kind: Kind, alternatives, found, tree: Tree | None) -> None:
    """Every header no column took is named to the user; one that resembles a known
    column (a second amount, a stage date) is a warning."""
    used = {i for i, _ in found.values()}
    if tree and layout.groups:
        used.add(tree.index)
    for index, texts_ in enumerate(alternatives):
        if index in used or not texts_:
            continue
        text = (texts_[1] if len(texts_) > 1 else texts_[0]).strip()  # "upper lower": two rows
        if not text:
            continue
        layout.unused.append(text)
        similar = looks_like(kind, text)
        if similar:
            layout.lookalikes.append((text, kind.column(similar).synonyms[0]))
    if tree and layout.groups:
        for name, dim in zip(tree.names, tree.dims):
            if dim is None:
                layout.unused.append(texts.GROUPING_UNUSED.format(name=name))


def from_mapping(records: Records, mapping) -> Layout:
    """The layout a user's column mapping describes (kpi.mapping.Mapping)."""
    index = header_row(records, mapping)
    if index is None:
        raise FileRefused(texts.MAPPING_HEADERS_NOT_FOUND.format(
            headers=", ".join(f"«{h}»" for h in mapping.columns.values())))
    cells = records.rows[index][1]
    keys = [header_key(c) for c in cells]
    found = {column: (keys.index(header_key(header)), header.strip())
             for column, header in mapping.columns.items()}
    kind = KINDS[mapping.kind]
    settings_at, settings = grouped.settings_line(records.rows[:index]) or (None, [])
    tree = _tree(records.rows, index, kind, found, settings)
    return _layout(records, index, kind, found, tree, [[c] for c in cells])


def _layout(records: Records, index: int, kind: Kind, found: dict[str, tuple[int, str]],
            tree: Tree | None, alternatives) -> Layout:
    line, header_cells = records.rows[index]
    named = tree is not None and len(tree.names) >= 2
    start = index + 1 + (tree.header_rows if tree else 0)
    layout = Layout(
        kind=kind, header_line=line, columns={c: i for c, (i, _) in found.items()},
        headers={c: text for c, (_, text) in found.items()},
        title_lines=[" ".join(c for c in row if c) for _, row in records.rows[:index]],
        data=[], totals_skipped=0, header_cells=header_cells)
    if records.body is not None and not named:
        # a flat text file: DuckDB reads its rows (validate.typed_rows), by the same rule
        layout.body, layout.first_line = records.body, line + start - index  # a line a row
        layout.width = max(len(cells) for _, cells in records.rows)
        _note_unused(layout, kind, alternatives, found, tree)
        return layout
    for row_line, row in records.all_rows()[start:]:
        first = row[0] if row and row[0] and not row[0].isspace() else \
            next((c for c in row if c and not c.isspace()), None)  # 1C data may start in column B
        if first is None:
            continue
        if is_total(first):
            layout.totals_skipped += 1
            continue
        layout.data.append((row_line, row))
    data = layout.data
    tree_index = tree.index if tree else 0
    outlined = not named and grouped.outline_marks_groups(data, records.outline, kind, tree_index,
                                                          layout.columns)
    if data and (named or outlined):
        result = grouped.ungroup(
            data, kind=kind, tree=tree_index,
            dims=tree.dims if named else [None], dim_names=tree.names if named else [""],
            tree_is_hierarchy=named and tree.is_hierarchy, outline=records.outline,
            columns=layout.columns, headers=layout.headers, folders=tree.folders if named else None)
        layout.data, layout.columns, layout.headers = result.rows, result.columns, result.headers
        layout.groups, layout.unplaced = result.groups, result.unplaced
        layout.levels_guessed = result.guessed
        layout.totals_skipped += len(result.groups)
        layout.grouping = [n for n in (tree.names if named else []) if n]
        layout.tree_header = _cell(header_cells, tree.index if tree else 0)
    if not layout.data and not layout.unplaced:
        raise FileRefused(texts.HEADER_ONLY.format(line=line))
    _note_unused(layout, kind, alternatives, found, tree)
    return layout


def is_total(first_cell: str) -> bool:
    """A row whose first filled cell says «Итого»: a total, never a document. Its first
    letter is looked at first: most rows need no regular expression."""
    head = first_cell[:1]
    return (head in _TOTAL_INITIALS or head.isspace()) and bool(_TOTALS.match(first_cell.lstrip()))


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _is_english(cells: list[str]) -> bool:
    text = "".join(cells)
    latin = sum(1 for ch in text if "a" <= ch.lower() <= "z")
    cyrillic = sum(1 for ch in text if "а" <= ch.lower() <= "я" or ch in "ёЁ")
    return latin > cyrillic


def _column_label(kind: Kind, column: str, english: bool) -> str:
    col = kind.column(column)
    return f"«{col.english if english else col.synonyms[0]}»"


def _one_of(kind: Kind, label) -> str:
    if len(kind.any_of) == 1:
        return label(kind.any_of[0])
    return texts.MISSING_ONE_OF.format(columns=", ".join(label(c) for c in kind.any_of))


def kinds_help() -> str:
    """Each kind with the columns it needs: the answer to 'what files do you take?'."""
    lines = []
    for kind in KINDS.values():
        needed = [f"«{c.synonyms[0]}»" for c in kind.columns if c.required]
        if kind.any_of:
            needed.append(_one_of(kind, lambda c: f"«{kind.column(c).synonyms[0]}»"))
        lines.append(texts.KIND_NEEDS.format(
            title=texts.KIND_TITLES[kind.name], kind=kind.name, columns=", ".join(needed)))
    return "\n".join(lines)
