"""Receivables ageing: totals, teams, the managers with the most overdue debt, a search for one
name, top debtors, over-limit, changes, documents. Readable at 6 managers and at 300."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import receivables as R
from kpi import i18n, sales, store, texts
from kpi.export import excel_csv
from kpi.forecast.payments import MIN_PAID, OWN, POOLED
from kpi.formatting import fmt_currency, fmt_date, fmt_money, fmt_money_short, fmt_number, fmt_ratio
from pages.common import (
    chart_labels, db, engine, fragment, guard, manager_search, money_symbol,
    note_data_version, plotly_layout, scope)

guard("receivables")
SYMBOL = money_symbol()

state = st.session_state
st.title(texts.PAGE_TITLES["receivables"])

snapshots = engine("receivables.snapshots")
remembered = engine("receivables.saved_edges")
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
    note_data_version()

report = engine("receivables.report", as_of, edges, snapshot=snapshot)
team_of = engine("sales.teams_of", snapshot)

st.caption(texts.REC_STATUS.format(snapshot=fmt_date(report.snapshot), as_of=fmt_date(report.as_of)))

totals = report.totals
cards = st.columns(4)
cards[0].metric(texts.REC_TOTAL, fmt_money_short(totals.total, SYMBOL))
cards[1].metric(texts.REC_OVERDUE, fmt_money_short(totals.overdue, SYMBOL),
                delta=fmt_ratio(totals.overdue_share, none="—"), delta_color="off", delta_arrow="off")
cards[2].metric(texts.REC_OVER_LIMIT, fmt_money_short(report.over_limit_total, SYMBOL),
                delta=texts.REC_OVER_LIMIT_CLIENTS.format(n=len(report.over_limit)), delta_color="off", delta_arrow="off")
cards[3].metric(texts.REC_ADVANCES, fmt_money_short(report.negative_sum, SYMBOL),
                delta=texts.REC_DOCS_DELTA.format(n=report.negative_count), delta_color="off", delta_arrow="off")
st.caption(texts.REC_CHECK_OK.format(
    buckets=fmt_money(sum(totals.buckets.values())), no_term=fmt_money(totals.no_term),
    total=fmt_money(totals.total)))


bucket_title = R.bucket_title


# Green for not yet due through to dark red for the oldest debt; grey for no term.
palette = ["#2e7d32", "#fdd835", "#fb8c00", "#e53935", "#8e0000", "#4a0000", "#2b0000"]
keys = report.keys
colours = dict(zip(keys, palette[:len(keys)] if len(keys) <= len(palette) else palette + ["#4a0000"] * len(keys)))


def frame(rows: list[dict], columns: dict[str, str], teams: bool = False) -> pd.DataFrame:
    """The managers' (or teams') table as the page shows it; with `teams`, each manager's team
    beside their name."""
    shown = dict(columns)
    if teams:
        first = next(iter(columns))
        shown = {first: columns[first], "team": texts.SALES_COLUMNS["team"]} | columns
    return pd.DataFrame([{shown[k]: (fmt_ratio(r[k], none="—") if k == "overdue_share"
                                     else texts.group_name(team_of.get(r["manager"], sales.NO_TEAM)) if k == "team"
                                     else texts.group_name(r[k]) if k == "manager" else fmt_money(r[k]))
                          for k in shown} for r in rows], columns=list(shown.values()))


def debt_chart(rows: list[dict]) -> go.Figure:
    """Each row's debt by age (a manager's or a team's), the first row on top."""
    rows = list(reversed(rows))  # plotly draws the first bar at the bottom
    names = chart_labels(r["manager"] for r in rows)
    chart = go.Figure()
    for key in keys:
        chart.add_bar(y=names, x=[float(r[key]) for r in rows], name=bucket_title(key), orientation="h",
                      marker_color=colours[key])
    if totals.no_term:
        chart.add_bar(y=names, x=[float(r["no_term"]) for r in rows], name=bucket_title("no_term"),
                      orientation="h", marker_color="#9e9e9e")
    chart.update_layout(**plotly_layout(height=max(240, 90 + 34 * len(rows))), barmode="stack",  # the legend clear of the axis
                        xaxis={"title": fmt_currency(SYMBOL), "tickformat": ",.0f"}, legend_traceorder="normal")
    return chart


# --- teams first ----------------------------------------------------------------------------
team_list = sales.team_names({m: team_of.get(m, sales.NO_TEAM) for m in report.by_manager})
if len(team_list) > 1:
    team_rows, team_columns = R.team_table(report, team_of)
    st.subheader(texts.REC_BY_TEAM)
    st.plotly_chart(debt_chart(team_rows[:-1]), config={"displayModeBar": False}, key="rec_team_chart")
    st.table(frame(team_rows, {k: team_columns[k] for k in ("manager", "total", "overdue", "overdue_share",
                                                             "over_limit")}), hide_index=True)
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(team_rows, team_columns),
                       file_name=f"debt_{report.as_of:%Y-%m-%d}_teams.csv", mime="text/csv",
                       key="dl_rec_teams")

manager_rows, columns = R.manager_table(report)  # the download: the CLI's table, every column
shown_columns = {k: v for k, v in columns.items() if k != "no_term" or totals.no_term}


@fragment
def managers() -> None:
    """Search, chart and table: typing a name reruns this part only."""
    st.subheader(texts.REC_BY_MANAGER)
    found = manager_search("rec", manager_rows, team_list, name="manager", team_of=team_of)
    if found is None:
        return
    ends = R.attention(found)
    st.plotly_chart(debt_chart(ends.worst), config={"displayModeBar": False}, key="rec_chart")
    if not ends.everyone:
        st.caption(texts.REC_CHART_TOP.format(shown=ends.shown, total=ends.total))
    st.dataframe(frame(found, shown_columns, teams=len(team_list) > 1), hide_index=True, width="stretch")
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(manager_rows, columns),
                       file_name=f"debt_{report.as_of:%Y-%m-%d}_managers.csv", mime="text/csv",
                       key="dl_rec_managers")


if manager_rows:
    managers()

# --- when debtors will pay: the inflow of the next four weeks ------------------------------------
payments = engine("forecast.payments.forecast", report.as_of, snapshot=report.snapshot)
st.subheader(texts.PAY_TITLE)
if not payments.enough:
    st.info(texts.PAY_TOO_LITTLE.format(paid=payments.paid, min=MIN_PAID))
else:
    week_titles = [texts.WEEK_TITLE.format(week=first.isocalendar()[1], start=i18n.day_month(first),
                                           end=i18n.day_month(last)) for first, last in payments.spans]
    amounts = list(payments.inflow.values())
    inflow_left, inflow_right = st.columns([1, 3])
    inflow_left.metric(texts.PAY_INFLOW_TOTAL, fmt_money_short(sum(amounts), SYMBOL), help=texts.PAY_METHOD)
    inflow_chart = go.Figure(go.Bar(x=week_titles, y=[float(a) for a in amounts], marker_color="#1565c0",
                                    text=[fmt_money_short(a, SYMBOL) for a in amounts], textposition="outside",
                                    cliponaxis=False, hoverinfo="x+text"))
    inflow_chart.update_layout(**plotly_layout(height=240, top=30), title={"text": texts.PAY_INFLOW, "font": {"size": 14}},
                               yaxis={"title": fmt_currency(SYMBOL), "tickformat": ",.0f"}, showlegend=False)
    inflow_right.plotly_chart(inflow_chart, config={"displayModeBar": False}, key="pay_inflow_chart")
    sources = [b.source for b in payments.basis.values()]
    st.caption(texts.PAY_BASIS.format(snapshots=payments.snapshots, paid=payments.paid, open=payments.open,
                                      min=MIN_PAID, own=sources.count(OWN), pooled=sources.count(POOLED)))


def expected(client: str) -> str:
    day = payments.payment.get(client)
    return fmt_date(day) if day else texts.PAY_NO_ESTIMATE


# --- top debtors and over-limit -----------------------------------------------------------------
debtors = engine("receivables.top_debtors", report)
over = engine("receivables.over_limit", snapshot)
# the debtors table takes the page's width: it carries the expected payment date too
st.subheader(texts.REC_TOP)
st.dataframe(pd.DataFrame([{
    texts.REC_TOP_COLUMNS["client"]: d["client"], texts.REC_TOP_COLUMNS["manager"]: d["manager"],
    texts.REC_TOP_COLUMNS["overdue"]: fmt_money(d["overdue"]), texts.REC_TOP_COLUMNS["debt"]: fmt_money(d["debt"]),
    texts.REC_TOP_COLUMNS["max_days"]: max(d["max_days"] or 0, 0)}
    | ({texts.PAY_EXPECTED_COLUMN: expected(d["client"])} if payments.enough else {}) for d in debtors]),
    hide_index=True, width="stretch")
if payments.enough:
    st.caption(texts.PAY_TABLE_NOTE)
st.download_button(texts.DOWNLOAD_CSV, excel_csv(debtors, texts.REC_TOP_COLUMNS),
                   file_name=f"debt_{report.as_of:%Y-%m-%d}_top.csv", mime="text/csv",
                   key="dl_rec_top")
st.subheader(texts.REC_OVER_LIMIT_TITLE)
st.dataframe(pd.DataFrame([{texts.REC_OVER_LIMIT_COLUMNS[k]: fmt_money(r[k]) if k in
                            ("debt", "credit_limit", "excess") else r[k]
                            for k in texts.REC_OVER_LIMIT_COLUMNS} for r in over[:R.OVER_LIMIT_SHOWN]],
                          columns=list(texts.REC_OVER_LIMIT_COLUMNS.values())),
             hide_index=True, width="stretch")
if len(over) > R.OVER_LIMIT_SHOWN:  # 4,785 clients at 300 managers: nobody reads past the top
    st.caption(texts.REC_OVER_LIMIT_SHOWN.format(shown=R.OVER_LIMIT_SHOWN, total=fmt_number(len(over), 0)))
st.download_button(texts.DOWNLOAD_CSV, excel_csv(over, texts.REC_OVER_LIMIT_COLUMNS),
                   file_name=f"debt_{report.as_of:%Y-%m-%d}_over_limit.csv", mime="text/csv",
                   key="dl_rec_over")

if report.negative_count:
    st.info(texts.REC_NEGATIVE.format(n=report.negative_count, sum=fmt_money(report.negative_sum, 2, SYMBOL)))
if totals.no_term:
    no_term = engine("receivables.documents", report, no_term_only=True)
    st.warning(texts.REC_NO_TERM.format(n=len(no_term), sum=fmt_money(totals.no_term, 2, SYMBOL)))

# --- changes since the previous snapshot -----------------------------------------------------------
changes = engine("receivables.compare", report) if len(snapshots) > 1 else {}
if changes:
    st.subheader(texts.REC_COMPARE.format(previous=fmt_date(changes["previous"])))
    change_rows = [{"manager": m, **v} for m, v in changes.items() if m != "previous"]
    st.dataframe(pd.DataFrame([{texts.REC_COMPARE_COLUMNS[k]: fmt_money(r[k]) if k != "manager" else r[k]
                                for k in texts.REC_COMPARE_COLUMNS} for r in change_rows]),
                 hide_index=True, width="stretch")
    st.caption(texts.REC_COMPARE_HELP)


# --- documents: manager, then client ------------------------------------------------------------
@fragment
def documents() -> None:
    st.subheader(texts.REC_DRILL)
    pick = st.columns(2)
    manager = pick[0].selectbox(texts.REC_DRILL_MANAGER, [m["manager"] for m in manager_rows],
                                key="rec_manager")
    manager_docs = engine("receivables.documents", report, manager=manager)
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


documents()
