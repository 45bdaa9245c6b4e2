"""The director's first page: the department, its teams, who needs attention this month and
why across the KPIs, a search for one name. Readable at 6 managers and at 300."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import calendar, i18n, overview, report, settings, store, texts
from kpi.export import excel_csv
from kpi.formatting import fmt_date, fmt_money, fmt_money_short, fmt_number, fmt_ratio
from kpi.importer import month_name
from pages.common import (
    chart_labels, db, engine, fragment, guard, LEVEL_COLOURS, manager_search,
    money_symbol, month_picker, note_data_version, plotly_layout, scope)

guard("overview")
SYMBOL = money_symbol()
st.title(texts.PAGE_TITLES["overview"])

months = engine("sales.months")
if not months:
    st.info(texts.OVERVIEW_EMPTY)
    if scope().can("upload"):
        st.page_link("pages/upload.py", label=texts.PAGE_TITLES["upload"], icon=":material/upload_file:")
    st.stop()

top = st.columns([2, 5])
month = month_picker(top[0], texts.SALES_MONTH, months, "overview_month")
thresholds = engine("overview.saved_thresholds")
with top[1].expander(texts.OVERVIEW_THRESHOLDS):
    cols = st.columns(4)
    edited = overview.Thresholds(
        sales_ok=cols[0].number_input(texts.OVERVIEW_T_SALES_OK, 0, 300, round(thresholds.sales_ok * 100)) / 100,
        sales_watch=cols[0].number_input(texts.OVERVIEW_T_SALES_WATCH, 0, 300, round(thresholds.sales_watch * 100)) / 100,
        overdue_ok=cols[1].number_input(texts.OVERVIEW_T_DEBT_OK, 0, 100, round(thresholds.overdue_ok * 100)) / 100,
        overdue_watch=cols[1].number_input(texts.OVERVIEW_T_DEBT_WATCH, 0, 100, round(thresholds.overdue_watch * 100)) / 100,
        meetings_watch=cols[2].number_input(texts.OVERVIEW_T_MEET_WATCH, 0, 100, round(thresholds.meetings_watch * 100)) / 100)
    st.caption(texts.OVERVIEW_THRESHOLDS_HELP)
    company = engine("settings.currency"), engine("settings.country")
    currency = cols[3].selectbox(texts.SETTINGS_CURRENCY, list(settings.CURRENCIES),
                                 index=list(settings.CURRENCIES).index(company[0]),
                                 format_func=texts.CURRENCY_TITLES.get, key="settings_currency")
    country = cols[3].selectbox(texts.SALES_COUNTRY, list(calendar.COUNTRIES),
                                index=list(calendar.COUNTRIES).index(company[1]),
                                format_func=i18n.country, key="settings_country")
if scope().role == "director" and (edited != thresholds or (currency, country) != company):
    with store.connect(db()) as con:  # department settings, remembered for everyone
        overview.save_thresholds(con, edited)
        settings.save(con, currency_code=currency, country_code=country)
    note_data_version()
    if (currency, country) != company:
        st.rerun()

country = engine("settings.country")
ov = engine("overview", month, thresholds=edited, country=country)

# --- what the figures stand on --------------------------------------------------------------
notes = [texts.OVERVIEW_CLOSED if ov.closed else texts.OVERVIEW_OPEN]
notes.append(texts.OVERVIEW_DEBT_AS_OF.format(date=fmt_date(ov.receivables_as_of))
             if ov.receivables_as_of else texts.OVERVIEW_NO_DEBT)
notes.append(texts.OVERVIEW_MEETINGS.format(target=ov.target) if ov.meetings_covered
             else texts.OVERVIEW_NO_MEETINGS)
st.caption(" · ".join(notes))
html = report.overview_html(ov, month_name(month), notes, symbol=SYMBOL)
downloads = st.columns([1, 1, 3])
downloads[0].download_button(texts.REPORT_DOWNLOAD_HTML, html, file_name=f"overview_{month:%Y-%m}.html",
                             mime="text/html", key="dl_overview_html")
try:
    downloads[1].download_button(texts.REPORT_DOWNLOAD_PDF, lambda: report.overview_pdf(html),
                                 file_name=f"overview_{month:%Y-%m}.pdf", mime="application/pdf",
                                 key="dl_overview_pdf")
except report.ReportUnavailable as e:
    downloads[1].caption(str(e))

# --- the department at a glance ------------------------------------------------------------
dept, before = ov.department, ov.previous


def change(now, then, points=True):
    """The difference to last month, in percentage points or in meetings."""
    if now is None or then is None:
        return None
    # a plain "-": Streamlit reads the delta's sign (and its arrow) from it
    number = fmt_number((now - then) * (100 if points else 1), signed=True)
    return texts.POINTS.format(number=number) if points else number


cards = st.container(horizontal=True, gap="medium")  # each card as wide as its figure: no "1,19 млр…"
cards.metric(texts.SALES_FACT, fmt_money_short(dept.fact, SYMBOL), width="content")
pace = dept.fulfilment if ov.closed or dept.forecast_fulfilment is None else dept.forecast_fulfilment
cards.metric(texts.OVERVIEW_FULFILMENT if ov.closed else texts.OVERVIEW_FORECAST, fmt_ratio(pace),
             delta=change(pace, before.fulfilment if before else None),
             help=texts.OVERVIEW_DELTA_HELP, width="content")
cards.metric(texts.OVERVIEW_OVERDUE_SHARE, fmt_ratio(dept.overdue_share, none="—"),
             delta=change(dept.overdue_share, before.overdue_share if before else None),
             delta_color="inverse", help=texts.OVERVIEW_DELTA_HELP, width="content")
cards.metric(texts.OVERVIEW_OVER_LIMIT, fmt_money_short(dept.over_limit, SYMBOL), width="content")
cards.metric(texts.OVERVIEW_MEETINGS_PER_WEEK,
             "—" if dept.meetings_per_complete_week is None
             else fmt_number(dept.meetings_per_complete_week),
             delta=change(dept.meetings_per_complete_week,
                          before.meetings_per_complete_week if before else None, points=False),
             help=texts.OVERVIEW_MEETINGS_HELP.format(target=ov.target), width="content")

# --- teams first, then the scorecard -----------------------------------------------------------
rows, columns = overview.manager_table(ov)
shown = [k for k in columns if k != "forecast_fulfilment" or not ov.closed]
money = ("fact", "plan", "overdue", "over_limit")
ratios = ("fulfilment", "forecast_fulfilment", "overdue_share")
coloured = {columns["forecast_fulfilment" if not ov.closed else "fulfilment"]: "sales",
            columns["overdue_share"]: "receivables", columns["meetings_per_week"]: "meetings"}


def scorecard(rows: list[dict], keys: list[str], titles: dict[str, str] = columns, bold=("team", "department")):
    """The rows as the page shows them, each KPI coloured by its status; teams and the
    department in bold."""
    frame = pd.DataFrame([{titles[k]: fmt_money(r[k], currency=SYMBOL) if k in money
                           else fmt_ratio(r[k], none=texts.NO_PLAN if k == "fulfilment" else "—") if k in ratios
                           else fmt_number(r[k])
                           if k == "meetings_per_week" else texts.group_name(r[k]) or "" for k in keys} for r in rows],
                         columns=[titles[k] for k in keys])

    def paint(column):
        kpi = coloured.get(column.name)
        return [f"background-color: {LEVEL_COLOURS[r['status'][kpi]]}40" if kpi and r["status"][kpi] else
                "font-weight: 600" if r["kind"] in bold else "" for r in rows]

    return frame.style.apply(paint, axis=0)


team_rows = [r for r in rows if r["kind"] != "manager"]
if len(ov.teams) > 1:
    st.subheader(texts.OVERVIEW_TEAMS)
    st.table(scorecard(team_rows, [k for k in shown if k != "team"], columns | {"name": texts.SALES_TEAM_NAME},
                       bold=("department",)), hide_index=True)
    st.caption(texts.OVERVIEW_TEAMS_HELP)

manager_rows = [r for r in rows if r["kind"] == "manager"]


@fragment
def attention() -> None:
    """Search and scorecard: typing a name reruns this part only; a click opens the manager."""
    st.subheader(texts.OVERVIEW_SCORECARD)
    found = manager_search("overview", manager_rows, [t.name for t in ov.teams])
    if found is None:
        return
    table = rows if len(found) == len(manager_rows) else found  # the full table ends with the totals
    picked = st.dataframe(scorecard(table, shown), hide_index=True, width="stretch",
                          height=min(38 * (len(table) + 1) + 4, 640), on_select="rerun",
                          selection_mode="single-row", key="overview_table")
    st.caption(texts.OVERVIEW_COLOURS + " " + texts.OVERVIEW_OPEN_MANAGER)
    chosen = [table[i] for i in picked.selection.rows if i < len(table) and table[i]["kind"] == "manager"]
    if chosen:  # their page, with the month and the manager in its URL
        st.switch_page("pages/manager.py", query_params={"month": f"{month:%Y-%m}", "manager": chosen[0]["name"]})
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(rows, {k: columns[k] for k in shown}),
                       file_name=f"overview_{month:%Y-%m}.csv", mime="text/csv", key="dl_overview")


attention()

# --- teams set by hand: the 300-row editor is built only when opened --------------------------
if scope().role == "director":
    editor = st.expander(texts.SETTINGS_TEAMS, on_change="rerun", key="teams_expander")
    if editor.open:
        with editor:
            st.caption(texts.SETTINGS_TEAMS_HELP)
            by_hand = engine("settings.team_overrides")
            table = pd.DataFrame([{"manager": r.name, "from_data": texts.group_name(r.team), "team": by_hand.get(r.name, "")}
                                  for r in ov.managers], columns=["manager", "from_data", "team"])
            names = texts.SETTINGS_TEAM_COLUMNS
            edited_teams = st.data_editor(table.rename(columns=names), hide_index=True, width="stretch",
                                          disabled=[names["manager"], names["from_data"]], key="teams_editor")
            if st.button(texts.SETTINGS_SAVE, key="teams_save"):
                with store.connect(db()) as con:
                    settings.save_team_overrides(con, dict(zip(edited_teams[names["manager"]],
                                                               edited_teams[names["team"]])))
                st.rerun()

# --- trend over the last loaded months ------------------------------------------------------
@fragment(parallel=True)
def trend() -> None:
    """The slowest part of a first load (a whole overview per month): drawn beside the rest
    of the page, not before it."""
    st.subheader(texts.OVERVIEW_TREND)
    points = engine("trend", overview.trend_window(months), thresholds=edited, country=country)
    chart = go.Figure()
    x = chart_labels(month_name(t.month) for t in points)
    chart.add_scatter(x=x, y=[None if t.fulfilment is None else t.fulfilment * 100 for t in points],
                      name=texts.OVERVIEW_FULFILMENT, mode="lines+markers")
    chart.add_scatter(x=x, y=[None if t.overdue_share is None else t.overdue_share * 100 for t in points],
                      name=texts.OVERVIEW_OVERDUE_SHARE, mode="lines+markers")
    chart.add_scatter(x=x, y=[t.meetings_per_week for t in points], name=texts.OVERVIEW_MEETINGS_PER_WEEK,
                      mode="lines+markers", yaxis="y2")
    legend_on_top = {"legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"}}  # clear of a year's labels
    chart.update_layout(**(plotly_layout(height=340, top=30) | legend_on_top), yaxis={"title": "%", "rangemode": "tozero"},
                        yaxis2={"title": texts.OVERVIEW_MEETINGS_PER_WEEK, "overlaying": "y", "side": "right",
                                "rangemode": "tozero", "showgrid": False})
    st.plotly_chart(chart, config={"displayModeBar": False})


trend()

# --- the hiring line -----------------------------------------------------------------------
if scope().can("hiring"):
    hiring, _ = engine("funnel.funnel")
    st.caption(texts.OVERVIEW_HIRING.format(
        attendance=fmt_ratio(hiring.attendance_rate, none="—"), attended=hiring.counts["attended"],
        invited=hiring.counts["invited"], hired=hiring.counts["hired"]))
