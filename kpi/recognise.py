"""Find the header row and the export kind from the headers a file carries.

1C reports put title lines above the header and a totals row below the data; CRMs add
dozens of columns we do not need. The header is the row (among the first 40) whose cells
name the most columns of a kind that has all its required columns.
"""

import re
from dataclasses import dataclass

from kpi import texts
from kpi.kinds import KINDS, Kind, family, header_key
from kpi.mapping import header_row
from kpi.reading import FileRefused, Records

_HEADER_SCAN_ROWS = 40
_TOTALS = re.compile(r"^(итог|всего|total)", re.IGNORECASE)
_SYNONYMS = {
    kind.name: {col.name: {header_key(s) for s in col.synonyms} for col in kind.columns}
    for kind in KINDS.values()
}


@dataclass
class Layout:
    kind: Kind
    header_line: int
    columns: dict[str, int]  # canonical column -> cell index
    headers: dict[str, str]  # canonical column -> header as written in the file
    title_lines: list[str]  # text above the header (period, "На дату: ...")
    data: list[tuple[int, list[str]]]  # data rows: (line, cells), totals and blanks removed
    totals_skipped: int  # totals rows and 1C group rows (subtotals), never counted
    header_cells: list[str]  # the header row as written: what a saved mapping is keyed by


def _header_candidates(rows, index):
    """Header texts per column: row `index` alone, and with the row below it when 1C
    writes two header rows (a merged upper cell over several lower ones)."""
    line, cells = rows[index]
    yield line, index, [[c] for c in cells], False
    if index + 1 < len(rows):
        below_line, below = rows[index + 1]
        upper, carried = [], ""
        for c in cells + [""] * (len(below) - len(cells)):
            carried = c.strip() or carried  # a merged cell's text sits in its first column
            upper.append(carried)
        alternatives = []
        for j, low in enumerate(below + [""] * (len(upper) - len(below))):
            low = low.strip()
            alternatives.append([t for t in (low, f"{upper[j]} {low}".strip(), upper[j]) if t])
        yield below_line, index + 1, alternatives, True


def _match(kind: Kind, alternatives: list[list[str]]) -> dict[str, tuple[int, str]]:
    """Column -> (cell index, header text as written) for the headers that name a column."""
    found: dict[str, tuple[int, str]] = {}
    for index, texts_ in enumerate(alternatives):
        for text in texts_:
            key = header_key(text)
            column = next((c for c, synonyms in _SYNONYMS[kind.name].items()
                           if c not in found and key and key in synonyms), None)
            if column:
                found[column] = (index, text.strip())
                break
    return found


def _missing(kind: Kind, found: dict[str, int]) -> list[str]:
    return [c.name for c in kind.columns if c.required and c.name not in found]


def _complete(kind: Kind, found: dict[str, int]) -> bool:
    any_ok = not kind.any_of or any(c in found for c in kind.any_of)
    return not _missing(kind, found) and any_ok


def recognise(records: Records, kind_name: str | None = None) -> Layout:
    if kind_name is not None and kind_name not in KINDS:
        raise FileRefused(texts.UNKNOWN_KIND_OPTION.format(kind=kind_name, kinds=", ".join(KINDS)))
    kinds = [KINDS[k] for k in family(kind_name)] if kind_name else list(KINDS.values())
    best = None  # (complete, matched count, single row, -row index) -> the winner
    for first in range(min(_HEADER_SCAN_ROWS, len(records.rows))):
        for line, index, alternatives, two_rows in _header_candidates(records.rows, first):
            for kind in kinds:
                found = _match(kind, alternatives)
                if len(found) < 2:
                    continue
                score = (_complete(kind, found), len(found) - 2 * len(_missing(kind, found)),
                         not two_rows, -first)
                if best is None or score > best[0]:
                    best = (score, index, kind, found)
    if best is None:
        raise FileRefused(texts.UNKNOWN_KIND.format(kinds=kinds_help()))
    (complete, *_), index, kind, found = best
    line, cells = records.rows[index]
    if not complete and not any(c.required and c.name in found for c in kind.columns):
        raise FileRefused(texts.UNKNOWN_KIND.format(kinds=kinds_help()))
    if not complete:
        english = _is_english(cells)
        names = [_column_label(kind, c, english) for c in _missing(kind, found)]
        if kind.any_of and not any(c in found for c in kind.any_of):
            names.append(_one_of(kind, lambda c: _column_label(kind, c, english)))
        raise FileRefused(texts.MISSING_COLUMNS.format(
            title=texts.KIND_TITLES[kind.name], line=line, columns=", ".join(names),
            found=", ".join(f"«{c.strip()}»" for c in cells if c.strip())))
    return _layout(records, index, kind, found)


def from_mapping(records: Records, mapping) -> Layout:
    """The layout a user's column mapping describes (kpi.mapping.Mapping)."""
    index = header_row(records, mapping)
    if index is None:
        raise FileRefused(texts.MAPPING_HEADERS_NOT_FOUND.format(
            headers=", ".join(f"«{h}»" for h in mapping.columns.values())))
    keys = [header_key(c) for c in records.rows[index][1]]
    found = {column: (keys.index(header_key(header)), header.strip())
             for column, header in mapping.columns.items()}
    return _layout(records, index, KINDS[mapping.kind], found)


def _layout(records: Records, index: int, kind: Kind, found: dict[str, tuple[int, str]]) -> Layout:
    line, _ = records.rows[index]
    data, totals = [], 0
    for row_line, row in records.rows[index + 1:]:
        first = row[0] if row and row[0] and not row[0].isspace() else \
            next((c for c in row if c and not c.isspace()), None)  # 1C data may start in column B
        if first is None:
            continue
        if _TOTALS.match(first.lstrip()):
            totals += 1
            continue
        data.append((row_line, row))
    if records.outline and data:
        # 1C groups detail rows under group rows carrying subtotals: keep the deepest level.
        detail = max(records.outline.get(row_line, 0) for row_line, _ in data)
        kept = [(n, row) for n, row in data if records.outline.get(n, 0) == detail]
        totals += len(data) - len(kept)
        data = kept
    if not data:
        raise FileRefused(texts.HEADER_ONLY.format(line=line))
    return Layout(
        kind=kind, header_line=line, columns={c: i for c, (i, _) in found.items()},
        headers={c: text for c, (_, text) in found.items()},
        title_lines=[" ".join(c for c in row if c) for _, row in records.rows[:index]],
        data=data, totals_skipped=totals, header_cells=records.rows[index][1],
    )


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
