"""Receivables ageing: totals, buckets per manager, top debtors, over-limit, documents, changes."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import receivables as R
from kpi import store, texts
from kpi.export import excel_csv
from kpi.formatting import fmt_date, fmt_money, fmt_money_short, fmt_ratio
from pages.common import chart_labels, db, guard, money_symbol, plotly_layout, reader, scope

guard("receivables")
SYMBOL = money_symbol()

state = st.session_state
st.title(texts.PAGE_TITLES["receivables"])

with reader() as con:
    snapshots = R.snapshots(con)
    remembered = R.saved_edges(con)
if not snapshots:
    st.info(texts.REC_NO_DATA)
    st.stop()

top = st.columns([2, 2, 2])
snapshot = top[0].selectbox(texts.REC_SNAPSHOT, snapshots, format_func=fmt_date, key="rec_snapshot")
as_of = top[1].date_input(texts.REC_AS_OF, value=snapshot, format="DD.MM.YYYY",
                          help=texts.REC_AS_OF_HELP, key=f"rec_as_of_{snapshot}")
edges_text = top[2].text_input(texts.REC_EDGES, value=",".join(map(str, remembered)),
                               help=texts.REC_EDGES_HELP, key="rec_edges")
try:
    edges = R.parse_edges(edges_text)
except ValueError:
    edges = remembered
    st.error(texts.REC_EDGES_BAD.format(edges=",".join(map(str, remembered))))
if edges != remembered and scope().role == "director":  # a department setting
    with store.connect(db()) as con:
        R.save_edges(con, edges)

with reader() as con:
    report = R.report(con, as_of, edges, snapshot=snapshot)
    debtors = R.top_debtors(con, report)
    over = R.over_limit(con, snapshot)
    changes = R.compare(con, report) if len(snapshots) > 1 else {}

st.caption(texts.REC_STATUS.format(snapshot=fmt_date(report.snapshot), as_of=fmt_date(report.as_of)))

totals = report.totals
cards = st.columns(4)
cards[0].metric(texts.REC_TOTAL, fmt_money_short(totals.total, SYMBOL))
cards[1].metric(texts.REC_OVERDUE, fmt_money_short(totals.overdue, SYMBOL),
                delta=fmt_ratio(totals.overdue_share, none="—"), delta_color="off", delta_arrow="off")
cards[2].metric(texts.REC_OVER_LIMIT, fmt_money_short(report.over_limit_total, SYMBOL),
                delta=texts.REC_OVER_LIMIT_CLIENTS.format(n=len(report.over_limit)), delta_color="off", delta_arrow="off")
cards[3].metric(texts.REC_ADVANCES, fmt_money_short(report.negative_sum, SYMBOL),
                delta=f"{report.negative_count} док.", delta_color="off", delta_arrow="off")
st.caption(texts.REC_CHECK_OK.format(
    buckets=fmt_money(sum(totals.buckets.values())), no_term=fmt_money(totals.no_term),
    total=fmt_money(totals.total)))


bucket_title = R.bucket_title


# Green for not yet due through to dark red for the oldest debt; grey for no term.
palette = ["#2e7d32", "#fdd835", "#fb8c00", "#e53935", "#8e0000", "#4a0000", "#2b0000"]
keys = report.keys
colours = dict(zip(keys, palette[:len(keys)] if len(keys) <= len(palette) else palette + ["#4a0000"] * len(keys)))

# --- buckets per manager ---------------------------------------------------------------------
st.subheader(texts.REC_BY_MANAGER)
managers = sorted(report.by_manager, key=lambda m: report.by_manager[m].overdue)
chart = go.Figure()
for key in keys:
    chart.add_bar(y=chart_labels(managers), x=[float(report.by_manager[m].buckets[key]) for m in managers],
                  name=bucket_title(key), orientation="h", marker_color=colours[key])
if totals.no_term:
    chart.add_bar(y=chart_labels(managers), x=[float(report.by_manager[m].no_term) for m in managers],
                  name=bucket_title("no_term"), orientation="h", marker_color="#9e9e9e")
chart.update_layout(**plotly_layout(height=90 + 34 * len(managers)), barmode="stack",
                    xaxis={"title": SYMBOL, "tickformat": ",.0f"}, legend_traceorder="normal")
st.plotly_chart(chart, config={"displayModeBar": False})

manager_rows, columns = R.manager_table(report)
frame = pd.DataFrame([{columns[k]: (fmt_ratio(r[k], none="—") if k == "overdue_share"
                                    else r[k] if k == "manager" else fmt_money(r[k]))
                       for k in columns} for r in manager_rows])
st.dataframe(frame, hide_index=True, width="stretch")
st.download_button(texts.DOWNLOAD_CSV, excel_csv(manager_rows, columns),
                   file_name=f"debt_{report.as_of:%Y-%m-%d}_managers.csv", mime="text/csv",
                   key="dl_rec_managers")

# --- top debtors and over-limit -----------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader(texts.REC_TOP)
    st.dataframe(pd.DataFrame([{
        texts.REC_TOP_COLUMNS["client"]: d["client"], texts.REC_TOP_COLUMNS["manager"]: d["manager"],
        texts.REC_TOP_COLUMNS["overdue"]: fmt_money(d["overdue"]), texts.REC_TOP_COLUMNS["debt"]: fmt_money(d["debt"]),
        texts.REC_TOP_COLUMNS["max_days"]: max(d["max_days"] or 0, 0)} for d in debtors]),
        hide_index=True, width="stretch")
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(debtors, texts.REC_TOP_COLUMNS),
                       file_name=f"debt_{report.as_of:%Y-%m-%d}_top.csv", mime="text/csv",
                       key="dl_rec_top")
with right:
    st.subheader(texts.REC_OVER_LIMIT_TITLE)
    st.dataframe(pd.DataFrame([{texts.REC_OVER_LIMIT_COLUMNS[k]: fmt_money(r[k]) if k in
                                ("debt", "credit_limit", "excess") else r[k]
                                for k in texts.REC_OVER_LIMIT_COLUMNS} for r in over],
                              columns=list(texts.REC_OVER_LIMIT_COLUMNS.values())),
                 hide_index=True, width="stretch")
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(over, texts.REC_OVER_LIMIT_COLUMNS),
                       file_name=f"debt_{report.as_of:%Y-%m-%d}_over_limit.csv", mime="text/csv",
                       key="dl_rec_over")

if report.negative_count:
    st.info(texts.REC_NEGATIVE.format(n=report.negative_count, sum=fmt_money(report.negative_sum, 2, SYMBOL)))
if totals.no_term:
    with reader() as con:
        no_term = R.documents(con, report, no_term_only=True)
    st.warning(texts.REC_NO_TERM.format(n=len(no_term), sum=fmt_money(totals.no_term, 2, SYMBOL)))

# --- changes since the previous snapshot -----------------------------------------------------------
if changes:
    st.subheader(texts.REC_COMPARE.format(previous=fmt_date(changes["previous"])))
    change_rows = [{"manager": m, **v} for m, v in changes.items() if m != "previous"]
    st.dataframe(pd.DataFrame([{texts.REC_COMPARE_COLUMNS[k]: fmt_money(r[k]) if k != "manager" else r[k]
                                for k in texts.REC_COMPARE_COLUMNS} for r in change_rows]),
                 hide_index=True, width="stretch")
    st.caption(texts.REC_COMPARE_HELP)

# --- documents: manager, then client ------------------------------------------------------------
st.subheader(texts.REC_DRILL)
pick = st.columns(2)
manager = pick[0].selectbox(texts.REC_DRILL_MANAGER, [m["manager"] for m in manager_rows],
                            key="rec_manager")
with reader() as con:
    manager_docs = R.documents(con, report, manager=manager)
clients = sorted({d["client"] for d in manager_docs})
client = pick[1].selectbox(texts.REC_DRILL_CLIENT, [None, *clients], key=f"rec_client_{manager}",
                           format_func=lambda c: texts.REC_ALL_CLIENTS if c is None else c)
docs = [d for d in manager_docs if client is None or d["client"] == client]
st.dataframe(pd.DataFrame([{
    texts.REC_DOC_COLUMNS["client"]: d["client"], texts.REC_DOC_COLUMNS["document"]: d["document"] or "",
    texts.REC_DOC_COLUMNS["doc_date"]: fmt_date(d["doc_date"]), texts.REC_DOC_COLUMNS["due"]: fmt_date(d["due"]),
    texts.REC_DOC_COLUMNS["days"]: d["days"],
    texts.REC_DOC_COLUMNS["bucket"]: bucket_title(d["bucket"]),
    texts.REC_DOC_COLUMNS["outstanding"]: fmt_money(d["outstanding"], 2)} for d in docs],
    columns=list(texts.REC_DOC_COLUMNS.values())), hide_index=True, width="stretch")
st.download_button(texts.DOWNLOAD_CSV, excel_csv(docs, texts.REC_DOC_COLUMNS),
                   file_name=f"debt_{report.as_of:%Y-%m-%d}_documents.csv", mime="text/csv",
                   key="dl_rec_docs")
