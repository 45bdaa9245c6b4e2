"""1C reports with grouped rows ("Группировки строк: Менеджер, Контрагент, Регистратор").

Such a report has one first column whose meaning changes by level: a manager on the outer
group rows, a client on the nested ones, the document on the detail rows; every group row
carries the subtotal of the rows under it. Reading it means giving each detail row the
values of the group rows above it and keeping the detail rows only; the subtotals are then
a free check that nothing was lost or counted twice.

A row's level comes from the sheet's outline where the format keeps one (.xlsx); where it
has none (.xls, CSV, text), from the shape of the values: a detail row holds a document
text (`Реализация товаров и услуг 00000123 от 03.10.2026 12:00:00`) or a date, or else
fills the report's own columns, and the run of group rows before it descends one level a
row (1C writes a group row only when it has rows under it).
"""

import re
from dataclasses import dataclass, field

from kpi import texts
from kpi.kinds import Kind
from kpi.reading import FileRefused

# "<type> <number> от <date>": the type may itself hold "от" (Возврат товаров от клиента).
DOCUMENT_TEXT = re.compile(
    r"^\s*(?P<type>\S.*?)\s+(?P<number>\S+)\s+от\s+"
    r"(?P<date>\d{1,2}\.\d{1,2}\.\d{2,4}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*$",
    re.IGNORECASE)
_DATE_TEXT = re.compile(r"^\s*(\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2})(\s|$)")
_SETTINGS = re.compile(r"^\s*группировк[аи]\s+строк\s*:?(.*)$", re.IGNORECASE | re.DOTALL)
# The grouping under which 1C lists the detail rows themselves: not a dimension.
_DETAIL_RECORDS = re.compile(r"^детальные\s+записи$", re.IGNORECASE)


def settings_line(rows) -> tuple[int, list[tuple[str, bool]]] | None:
    """(row index, [(level name, in folders)] outermost first) of the `Группировки строк:`
    settings line; «Контрагент (Иерархия)» may nest clients in folders of clients. Its cells
    are joined first: a CSV splits `Менеджер; Контрагент` into cells."""
    for index, (_, cells) in enumerate(rows):
        text = ", ".join(c.strip() for c in cells if c and c.strip())
        found = _SETTINGS.match(text)
        if found:
            levels = []
            for part in re.split(r"[,;\n]", found.group(1)):
                name = re.sub(r"\(.*?\)", "", part).strip()
                if name and not _DETAIL_RECORDS.match(name):
                    levels.append((name, bool(re.search(r"\(\s*иерарх", part, re.IGNORECASE))))
            return index, levels
    return None


@dataclass
class Group:
    """A group row: its line, level (1 = outermost), label and subtotal as written."""

    line: int
    level: int
    label: str
    subtotal: str | None
    leaves: list[int] = field(default_factory=list)  # lines of the detail rows under it


@dataclass
class Ungrouped:
    rows: list[tuple[int, list[str]]]  # detail rows, the group values appended to their cells
    columns: dict[str, int]  # column -> cell index (the appended ones included)
    headers: dict[str, str]  # column -> name in messages
    groups: list[Group]
    unplaced: list[tuple[int, str]]  # rows whose level could not be told: (line, first cell)
    dims: list[str | None]  # the column each level names, outermost first
    guessed: bool = False  # levels told from the values' shape (no outline): less certain


def split_document(text: str | None) -> tuple[str, str, str] | None:
    """`Реализация товаров и услуг 00000123 от 03.10.2026 12:00:00` -> (type, number, date)."""
    found = DOCUMENT_TEXT.match(text or "")
    return (found["type"], found["number"], found["date"]) if found else None


def outline_marks_groups(rows, outline, kind: Kind, tree: int, columns: dict[str, int]) -> bool:
    """An outline alone (no grouping named) marks 1C group rows only if the rows it puts above
    the deepest level look like group rows: a label and money, none of the report's own
    descriptive cells. Rows a user grouped by hand in Excel are all data."""
    levels = _levels_from_outline(rows, outline)
    if levels is None:
        return False
    own = [i for c, i in columns.items() if i != tree and kind.column(c).type != "money"]
    deepest = max(levels)
    return not any(_text(cells, i) for (_, cells), level in zip(rows, levels)
                   if level < deepest for i in own)


def ungroup(rows, *, kind: Kind, tree: int, dims: list[str | None], dim_names: list[str],
            tree_is_hierarchy: bool, outline: dict[int, int], columns: dict[str, int],
            headers: dict[str, str], folders: str | None = None) -> Ungrouped:
    """Detail rows with the values of the group rows above them, and the groups.
    `folders`: the level whose values 1C may nest in folders («Контрагент (Иерархия)»)."""
    dims, dim_names = list(dims), list(dim_names)
    levels = _levels_from_outline(rows, outline)
    guessed = levels is None
    if guessed:
        is_leaf = _leaf_test(kind, tree, dims[-1] if tree_is_hierarchy else None, columns)
        levels = _levels_from_shape(rows, len(dims), is_leaf)
        if folders and None in levels:
            raise FileRefused(texts.FOLDERS_NEED_OUTLINE.format(name=dim_names[dims.index(folders)]))
        leaves = [level == len(dims) for level in levels]
    else:
        # a detail row is one nothing nests under: the next row is no deeper
        leaves = [i + 1 == len(levels) or levels[i + 1] <= levels[i] for i in range(len(levels))]
    folder_at = dims.index(folders) if folders in dims[:-1] else None

    derived = _derived(kind, dims, columns)
    virtual = [c for c in [*dims, *derived] if c and (c not in columns or
               (tree_is_hierarchy and columns[c] == tree))]
    virtual = list(dict.fromkeys(virtual))
    width = max([len(cells) for _, cells in rows] + [max(columns.values(), default=0) + 1])
    new_columns = {c: i for c, i in columns.items() if c not in virtual}
    new_headers = {c: h for c, h in headers.items() if c not in virtual}
    for j, c in enumerate(virtual):
        new_columns[c] = width + j
        new_headers[c] = _virtual_header(c, dims, dim_names, derived)

    measure = columns.get(kind.measure) if kind.measure else None
    stack: list[tuple[int, Group, list[str]]] = []  # the open groups, outermost first
    groups, details, unplaced = [], [], []
    for (line, cells), level, leaf in zip(rows, levels, leaves):
        label = _text(cells, tree)
        if level is None or level < 1:
            unplaced.append((line, label or next((c for c in cells if c.strip()), "")))
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        if not leaf:
            group = Group(line, level, label, _text(cells, measure) if measure is not None else None)
            groups.append(group)
            stack.append((level, group, cells))
            continue
        chain = list(zip(_chain_dims(len(stack), dims[:-1], folder_at), (g for _, g, _ in stack),
                         (c for _, _, c in stack)))
        values = {}
        for dim, group, gcells in chain:  # outermost first: a folder's deepest row wins
            group.leaves.append(line)
            if dim:
                values[dim] = _text(gcells, tree)
        if tree_is_hierarchy and dims[-1]:
            values[dims[-1]] = label
        for c, value in derived.items():
            values.setdefault(c, value(values))
        out = cells + [""] * (width - len(cells))
        for c, index in columns.items():  # the report's own columns, empty on detail rows
            if c not in virtual and index != tree and not _text(out, index):
                out[index] = _inherited(kind, c, index, chain)
        out += [values.get(c) or "" for c in virtual]
        details.append((line, out))
    return Ungrouped(details, new_columns, new_headers, groups, unplaced, dims, guessed)


def _chain_dims(k: int, group_dims: list, folder_at: int | None) -> list:
    """The grouping each of a detail row's k open group rows stands for, outermost first.
    With folders («Контрагент (Иерархия)») the extra rows are folders of that grouping;
    without, they are outer levels the report does not name."""
    n = len(group_dims)
    if k <= n:
        return group_dims[:k]
    if folder_at is None:
        return [None] * (k - n) + group_dims
    inner = n - folder_at - 1
    return group_dims[:folder_at] + [group_dims[folder_at]] * (k - folder_at - inner) \
        + group_dims[folder_at + 1:]


def _levels_from_outline(rows, outline) -> list[int] | None:
    """1-based levels from the sheet's outline, the shallowest level seen being 1."""
    raw = [outline.get(line, 0) for line, _ in rows]
    distinct = sorted(set(raw))
    if len(distinct) < 2:
        return None
    rank = {level: i + 1 for i, level in enumerate(distinct)}
    return [rank[level] for level in raw]


def _leaf_test(kind: Kind, tree: int, leaf_dim: str | None, columns: dict[str, int]):
    """Without an outline a detail row is told by its shape: the document text or date the
    deepest level names, or else a value in one of the report's own descriptive columns
    (group rows carry only their label and money)."""
    if leaf_dim == "document":
        return lambda cells: DOCUMENT_TEXT.match(_text(cells, tree) or "") is not None
    if leaf_dim and kind.column(leaf_dim).type in ("date", "timestamp"):
        return lambda cells: _DATE_TEXT.match(_text(cells, tree) or "") is not None
    own = [i for c, i in columns.items() if i != tree and kind.column(c).type != "money"]
    return lambda cells: any(_text(cells, i) for i in own)


def _levels_from_shape(rows, depth: int, is_leaf) -> list[int | None]:
    """A run of m group rows before a detail row holds levels depth-m .. depth-1."""
    levels: list[int | None] = [None] * len(rows)
    run: list[int] = []
    for i, (_, cells) in enumerate(rows):
        if not is_leaf(cells):
            run.append(i)
            continue
        for j, r in enumerate(run):
            level = depth - len(run) + j
            levels[r] = level if level >= 1 else None
        run = []
        levels[i] = depth
    return levels  # a trailing run of group rows with no details stays None: unplaced


def _derived(kind: Kind, dims, columns) -> dict:
    """Values a document text gives when the report has no column for them: its date and
    its type (a return is recognised by its type)."""
    if "document" not in dims:
        return {}
    names = {c.name for c in kind.columns}
    derived = {}
    if "doc_date" in names and "doc_date" not in columns:
        # no date in the text: keep the text, so the row is refused showing it
        derived["doc_date"] = lambda v: (split_document(v.get("document")) or (0, 0, v.get("document")))[2]
    if "doc_type" in names and "doc_type" not in columns:
        derived["doc_type"] = lambda v: (split_document(v.get("document")) or ("",))[0]
    return derived


def _virtual_header(column: str, dims, dim_names, derived) -> str:
    if column in dims:
        return dim_names[dims.index(column)]
    document = dim_names[dims.index("document")]
    return texts.FROM_DOCUMENT[column].format(name=document)


def _inherited(kind: Kind, column: str, index: int, chain) -> str:
    """An empty cell of a detail row takes the value of the nearest group row above that
    has one; money only from the group it belongs to (a credit limit from the client's
    row), since on the other group rows it is a subtotal."""
    col = kind.column(column)
    for dim, _, cells in reversed(chain):
        if col.type == "money" and (not col.per or dim != col.per):
            continue
        value = _text(cells, index)
        if value:
            return value
    return ""


def _text(cells, index) -> str:
    if index is None or index >= len(cells):
        return ""
    return (cells[index] or "").strip()
