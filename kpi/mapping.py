"""A user's column mapping, for files whose kind or columns are not recognised.

A mapping says which header of the file is which column of a kind, and optionally which
values mean a won deal, a meeting or a call, a held/cancelled/planned status. The page
builds one; the CLI reads one from JSON (`--mapping PATH`). Once a file is stored with a
mapping, files with the same header row are read with it without asking again.
"""

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from kpi import texts
from kpi.kinds import KINDS, header_key
from kpi.reading import FileRefused, Records, read_records
from kpi.store import get_meta, set_meta

_SAVED_PREFIX = "mapping:"
HEAD_ROWS = 40  # rows shown and searched for the header


class Mapping(BaseModel):
    kind: str
    columns: dict[str, str]  # column of the kind -> header as written in the file
    won_stages: list[str] | None = None
    meeting_types: list[str] = []
    call_types: list[str] = []
    held_statuses: list[str] = []
    cancelled_statuses: list[str] = []
    planned_statuses: list[str] = []

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(texts.UNKNOWN_KIND_OPTION.format(kind=kind, kinds=", ".join(KINDS)))
        return kind

    @model_validator(mode="after")
    def _columns_of_the_kind(self):
        kind = KINDS[self.kind]
        names = {c.name for c in kind.columns}
        unknown = [c for c in self.columns if c not in names]
        if unknown:
            raise ValueError(texts.MAPPING_UNKNOWN_COLUMNS.format(
                columns=", ".join(unknown), kind=self.kind, known=", ".join(sorted(names))))
        missing = [kind.column(c).synonyms[0] for c in (c.name for c in kind.columns if c.required)
                   if c not in self.columns]
        if kind.any_of and not any(c in self.columns for c in kind.any_of):
            missing.append(" / ".join(kind.column(c).synonyms[0] for c in kind.any_of))
        if missing:
            raise ValueError(texts.MAPPING_MISSING.format(columns=", ".join(missing)))
        return self

    def vocabulary(self) -> dict:
        """Words added to the built-in ones (see validate._params)."""
        return {"won_stages": self.won_stages,
                "types": {"meeting": self.meeting_types, "call": self.call_types},
                "statuses": {"held": self.held_statuses, "cancelled": self.cancelled_statuses,
                             "planned": self.planned_statuses}}


def from_file(path: Path) -> Mapping:
    try:
        return Mapping.model_validate(json.loads(Path(path).read_text(encoding="utf-8-sig")))
    except (OSError, json.JSONDecodeError) as e:
        raise FileRefused(texts.MAPPING_FILE_BAD.format(file=path, error=e)) from None
    except ValidationError as e:
        reasons = "; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors())
        raise FileRefused(texts.MAPPING_FILE_BAD.format(file=path, error=reasons)) from None


def signature(cells: list[str]) -> str:
    """The same header row gives the same signature, however its cells are spaced or cased."""
    keys = "\x1f".join(header_key(c) for c in cells if header_key(c))
    return hashlib.sha256(keys.encode("utf-8")).hexdigest()[:32]


def header_row(records: Records, mapping: Mapping) -> int | None:
    """Index of the first row that holds every header the mapping names."""
    wanted = {header_key(h) for h in mapping.columns.values()}
    for index, (_, cells) in enumerate(records.rows[:HEAD_ROWS]):
        if wanted <= {header_key(c) for c in cells}:
            return index
    return None


def find_saved(con, records: Records) -> Mapping | None:
    for _, cells in records.rows[:HEAD_ROWS]:
        text = get_meta(con, _SAVED_PREFIX + signature(cells))
        if text:
            return Mapping.model_validate_json(text)
    return None


def remember(con, header_cells: list[str], mapping: Mapping) -> None:
    set_meta(con, _SAVED_PREFIX + signature(header_cells), mapping.model_dump_json())


def header_guess(head: list[tuple[int, list[str]]]) -> int:
    """The row most likely to be the header: the first with the most filled text cells."""
    def filled(cells):
        return sum(1 for c in cells if c.strip() and not c.strip().replace(",", "").replace(".", "").isdigit())
    return max(range(len(head)), key=lambda i: (filled(head[i][1]), -i)) if head else 0


def column_values(data: bytes, header_line: int, headers: list[str],
                  limit: int = 60) -> dict[str, list[str]]:
    """Distinct values under each header, for choosing which mean "won", "meeting", "held".
    One read of the file for all the headers the form asks about."""
    rows = read_records(data).rows
    index = next((i for i, (line, _) in enumerate(rows) if line == header_line), None)
    keys = [header_key(c) for c in rows[index][1]] if index is not None else []
    found: dict[str, list[str]] = {}
    for header in headers:
        values: list[str] = []
        if header_key(header) in keys:
            column = keys.index(header_key(header))
            for _, cells in rows[index + 1:]:
                value = cells[column].strip() if column < len(cells) else ""
                if value and value not in values:
                    values.append(value)
                    if len(values) >= limit:
                        break
        found[header] = sorted(values)
    return found
