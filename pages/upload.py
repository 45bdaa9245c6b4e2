"""Upload exports: recognise each file, show what storing it would do, store on confirm."""

import pandas as pd
import streamlit as st

from pydantic import ValidationError

from kpi import i18n, importer, texts
from kpi import mapping as M
from kpi.kinds import KINDS
from kpi.recognise import guess_columns, kinds_help
from kpi.validate import grouped_problems, line_ranges
from pages.common import db, guard, plain, scope

guard("upload")

state = st.session_state
state.setdefault("upload_round", 0)  # a new key empties the uploader after a save
state.setdefault("inspections", {})  # (file id, as-of) -> Inspection | Refusal

st.title(texts.PAGE_TITLES["upload"])
st.write(texts.UPLOAD_INTRO)
with st.expander(texts.UPLOAD_HELP_TITLE):
    st.text(kinds_help())

for message, refused in state.pop("upload_saved", []):
    (st.warning if refused else st.success)(message)  # data in it escaped when it was made

files = st.file_uploader(texts.UPLOAD_LABEL, type=["csv", "txt", "xlsx", "xls"],
                         accept_multiple_files=True, key=f"uploader_{state.upload_round}")


def _inspect(file) -> importer.Inspection | importer.Refusal:
    as_of = state.get(f"as_of_{file.file_id}")
    mapping = state.get(f"mapping_{file.file_id}")
    key = (file.file_id, as_of, mapping.model_dump_json() if mapping else None)
    if key not in state.inspections:
        state.inspections[key] = importer.inspect(file.getvalue(), file.name, as_of=as_of,
                                                  mapping=mapping, db=db())
    return state.inspections[key]


def _mapping_form(file, head: list[tuple[int, list[str]]], recognised=None) -> None:
    """Let the user say which column is which: when the file was not recognised, or when
    it was but some of its columns or values were not understood (`recognised`)."""
    with st.expander(texts.MAP_TITLE, expanded=recognised is None):
        st.caption(texts.MAP_INTRO)
        width = max(len(cells) for _, cells in head)
        st.dataframe(pd.DataFrame([[line, *cells, *[""] * (width - len(cells))] for line, cells in head[:12]],
                                  columns=["№", *[f"{i + 1}" for i in range(width)]]),
                     hide_index=True, width="stretch", height=260)
        fid = file.file_id
        rows = [i for i, (_, cells) in enumerate(head) if sum(1 for c in cells if c.strip()) >= 2]
        guess = next((i for i, (line, _) in enumerate(head) if line == recognised.header_line),
                     0) if recognised else M.header_guess(head)
        pick = st.columns(2)
        index = pick[0].selectbox(texts.MAP_HEADER_ROW, rows, index=rows.index(guess) if guess in rows else 0,
                                  format_func=lambda i: f"{head[i][0]}: " + " | ".join(c for c in head[i][1] if c.strip())[:80],
                                  key=f"map_row_{fid}")
        kinds = list(KINDS)
        kind = pick[1].selectbox(texts.MAP_KIND, kinds, format_func=texts.KIND_TITLES.get,
                                 index=kinds.index(recognised.kind) if recognised else 0,
                                 key=f"map_kind_{fid}")
        line, cells = head[index]
        headers = [c.strip() for c in cells if c.strip()]
        guessed = guess_columns(kind, cells)
        columns = {}
        grid = st.columns(3)
        for n, column in enumerate(KINDS[kind].columns):
            label = column.synonyms[0] + (f" ({texts.MAP_REQUIRED})" if column.required else "")
            options = [None, *headers]
            default = options.index(guessed[column.name]) if column.name in guessed else 0
            chosen = grid[n % 3].selectbox(label, options, index=default,
                                           format_func=lambda h: texts.MAP_NOT_IN_FILE if h is None else h,
                                           key=f"map_{fid}_{kind}_{index}_{column.name}")
            if chosen:
                columns[column.name] = chosen
        extra = {}
        asked = [columns[c] for c in {"deals": ["stage"], "activities": ["activity_type", "status"]}
                 .get(kind, []) if c in columns]
        values = M.column_values(file.getvalue(), line, asked) if asked else {}

        def choose(label, column, field):
            if column in columns:
                extra[field] = st.multiselect(label, values[columns[column]], key=f"map_{fid}_{field}")

        if kind == "deals":
            choose(texts.MAP_WON, "stage", "won_stages")
        if kind == "activities":
            choose(texts.MAP_MEETING, "activity_type", "meeting_types")
            choose(texts.MAP_CALL, "activity_type", "call_types")
            choose(texts.MAP_HELD, "status", "held_statuses")
            choose(texts.MAP_CANCELLED, "status", "cancelled_statuses")
            choose(texts.MAP_PLANNED, "status", "planned_statuses")
        if st.button(texts.MAP_APPLY, key=f"map_apply_{fid}"):
            try:
                state[f"mapping_{fid}"] = M.Mapping(kind=kind, columns=columns,
                                                    **{k: v for k, v in extra.items() if v})
                st.rerun()
            except ValidationError as e:
                st.error(plain("; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors())))


def _as_of_input(file, detected) -> None:
    """The snapshot date of a receivables or candidates file, found in it or given here."""
    key = f"as_of_{file.file_id}"
    if key not in state and detected is not None:
        state[key] = detected
    empty = {} if key in state else {"value": None}  # never silently "today"
    st.date_input(texts.UPLOAD_AS_OF, format="DD.MM.YYYY", help=texts.UPLOAD_AS_OF_HELP, key=key,
                  **empty)


def _show_refusal(file, refusal: importer.Refusal) -> None:
    reason = plain(refusal.reason).replace("\n", "  \n")  # keep the message's own line breaks
    st.error(f"**{plain(texts.UPLOAD_REFUSED_TITLE.format(file=refusal.file_name))}**\n\n{reason}")
    if refusal.needs_as_of or f"as_of_{file.file_id}" in state:
        _as_of_input(file, None)
    if refusal.head:
        _mapping_form(file, refusal.head)


def _show_inspection(file, inspection: importer.Inspection) -> bool:
    """The preview of a recognised file; True when it may be stored."""
    if not scope().may_import(inspection.kind):
        st.error(texts.UPLOAD_KIND_FORBIDDEN.format(file=plain(inspection.file_name),
                                                    kind=inspection.kind_title))
        return False
    st.markdown(f"**{plain(inspection.file_name)}** — " + texts.UPLOAD_RECOGNISED.format(
        kind=inspection.kind_title, period=inspection.period_text))
    if inspection.mapping is not None:
        st.caption(texts.MAP_APPLIED.format(kind=inspection.kind_title))
    if inspection.grouping:
        st.caption(texts.GROUPING_READ.format(levels=plain(", ".join(inspection.grouping))))
    a, b, c = st.columns(3)
    a.metric(texts.UPLOAD_ROWS_OK, inspection.rows_ok)
    b.metric(texts.UPLOAD_ROWS_BAD, inspection.refused_rows)
    c.metric(texts.UPLOAD_TOTALS, inspection.totals_skipped)
    delimiter = texts.UPLOAD_DELIMITERS.get(inspection.delimiter)
    st.caption(texts.UPLOAD_COLUMNS.format(
        columns=", ".join(f"«{plain(h)}»" for h in inspection.columns.values()),
        line=inspection.header_line) + " " + texts.UPLOAD_FORMAT.format(
        encoding=inspection.encoding, delimiter=texts.UPLOAD_DELIMITER_NOTE.format(delimiter=delimiter) if delimiter else ""))
    if inspection.as_of is not None:
        _as_of_input(file, inspection.as_of)
    for replaced in inspection.replaces:
        if replaced.same_file:
            st.info(texts.UPLOAD_SAME_FILE.format(
                id=replaced.import_id, when=i18n.date_time(replaced.imported_at)))
    others = [str(r.import_id) for r in inspection.replaces if not r.same_file]
    if others:
        st.warning(texts.UPLOAD_REPLACES.format(period=inspection.period_text, ids=", ".join(others)))
    if inspection.unused:
        st.caption(texts.UNUSED_COLUMNS.format(columns=", ".join(f"«{plain(h)}»" for h in inspection.unused)))
    for warning in inspection.warnings:
        st.warning(plain(warning[0].upper() + warning[1:]))
    if inspection.problems:
        st.warning(texts.UPLOAD_PROBLEMS)
        table = pd.DataFrame([{"lines": line_ranges(g.lines), "count": len(g.lines), "column": g.column,
                               "value": g.value, "expected": g.expected}
                              for g in grouped_problems(inspection.problems)])
        st.dataframe(table.rename(columns=texts.UPLOAD_PROBLEM_COLUMNS), hide_index=True,
                     width="stretch")
    if inspection.problems or inspection.unused:
        _mapping_form(file, inspection.head, inspection)
    if not inspection.confirm:
        return True
    for reason in inspection.confirm:
        st.error(plain(reason))
    return st.checkbox(texts.UPLOAD_CONFIRM, key=f"confirm_{file.file_id}")


ready = []
for file in files or []:
    result = _inspect(file)
    with st.container(border=True):
        if isinstance(result, importer.Refusal):
            _show_refusal(file, result)
        elif _show_inspection(file, result):
            ready.append(result)

if files:
    if ready and st.button(texts.UPLOAD_SAVE.format(n=len(ready)), type="primary", key="save"):
        saved = []
        for inspection in ready:
            stored = importer.commit(inspection, db=db(), confirmed=True, scope=scope())  # looked at above
            saved.append((plain(texts.UPLOAD_SAVED.format(
                file=stored.file_name, kind=texts.KIND_TITLES[stored.kind],
                period=stored.period_text, rows=stored.rows_stored)
                + (texts.UPLOAD_NOT_SAVED.format(rows=stored.rows_refused) if stored.rows_refused else ""))
                + "".join(f"\n- {plain(note[0].upper() + note[1:])}" for note in stored.notes),
                stored.rows_refused))
        state.upload_saved = saved
        state.upload_round += 1
        state.inspections = {}
        st.rerun()
    elif not ready:
        st.info(texts.UPLOAD_NOTHING)
