"""The import log: what was loaded, when, for which period; delete an import."""

import pandas as pd
import streamlit as st

from kpi import i18n, store, texts
from kpi.formatting import fmt_date
from pages.common import db, guard, plain, reader, scope

guard("history")

st.title(texts.PAGE_TITLES["history"])
st.write(texts.HISTORY_INTRO)

for message in st.session_state.pop("history_deleted", []):
    st.success(message)

with reader() as con:
    imports = store.list_imports(con)

if not imports:
    st.info(texts.HISTORY_EMPTY)
    st.stop()

for r in imports:
    r["kind_code"] = r["kind"]
table = pd.DataFrame(imports)
table["kind"] = table["kind"].map(texts.KIND_TITLES)
table["status"] = [
    texts.HISTORY_DELETED_BY.format(who=r["deleted_by"] or texts.HISTORY_ADMIN, when=i18n.date_time(r['deleted_at']))
    if r["deleted_at"] else texts.HISTORY_REPLACED_BY.format(id=r["replaced_by"]) if r["replaced_by"]
    else texts.HISTORY_ACTIVE for r in imports]
table["note"] = [texts.read_notes(r["note"]) for r in imports]
table["imported_by"] = [r["imported_by"] or texts.HISTORY_ADMIN for r in imports]
table["period"] = [
    texts.HISTORY_AS_OF.format(date=fmt_date(r["as_of"])) if r["as_of"] and r["period_from"] == r["as_of"]
    else f"{i18n.date(r['period_from'])} – {i18n.date(r['period_to'])}" if r["period_from"] else ""
    for r in imports]
table = table[list(texts.HISTORY_COLUMNS)].rename(columns=texts.HISTORY_COLUMNS)
st.dataframe(table, hide_index=True, width="stretch", column_config={
    texts.HISTORY_COLUMNS["imported_at"]: st.column_config.DatetimeColumn(format=i18n.MOMENT_DATE_TIME[i18n.language()]),
    texts.HISTORY_COLUMNS["note"]: st.column_config.TextColumn(width="large"),
})

deletable = [r for r in imports if r["deleted_at"] is None and scope().may_import(r["kind_code"])]
if not deletable:
    st.stop()
st.subheader(texts.HISTORY_DELETE)
by_id = {r["id"]: r for r in deletable}
chosen = st.selectbox(texts.HISTORY_DELETE_PICK, list(by_id), index=None, key="delete_pick",
                      placeholder=texts.HISTORY_DELETE_PLACEHOLDER,
                      format_func=lambda i: f"№{i} — {by_id[i]['file_name']}")
if chosen is not None:
    row = by_id[chosen]
    sure = st.checkbox(texts.HISTORY_DELETE_CONFIRM.format(
        id=chosen, file=plain(row["file_name"]), rows=row["rows_stored"]), key="delete_sure")
    if st.button(texts.HISTORY_DELETE, disabled=not sure, key="delete"):
        with store.connect(db()) as con:
            store.delete_import(con, chosen, scope().login)
        st.session_state.history_deleted = [texts.HISTORY_DELETED.format(id=chosen)]
        del st.session_state["delete_pick"]
        del st.session_state["delete_sure"]
        st.rerun()
