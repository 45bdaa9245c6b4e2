"""Sales-plan fulfilment: the department, its teams, the managers furthest behind and ahead,
a search for one name, trend, slippage, documents. Readable at 6 managers and at 300."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import calendar, i18n, sales, texts
from kpi.export import excel_csv
from kpi.forecast import sales as forecast_sales
from kpi.formatting import fmt_currency, fmt_date, fmt_money, fmt_money_short, fmt_ratio
from kpi.importer import month_name
from pages.common import (
    chart_labels, documents_frame, engine, fragment, guard, LEVEL_COLOURS, manager_search,
    money_symbol, month_picker, plain, plotly_layout)

guard("sales")
SYMBOL = money_symbol()

state = st.session_state

months = engine("sales.months")
st.title(texts.PAGE_TITLES["sales"])
if not months:
    st.info(texts.SALES_NO_DATA)
    st.stop()

top = st.columns([2, 3, 2])
month = month_picker(top[0], texts.SALES_MONTH, months, "sales_month")
measure = top[1].segmented_control(texts.SALES_MEASURE, sales.MEASURES, default="amount",
                                   format_func=texts.SALES_MEASURES.get, key="sales_measure") or "amount"
company_country = engine("settings.country")
countries = list(calendar.COUNTRIES)
country = top[2].selectbox(texts.SALES_COUNTRY, countries, index=countries.index(company_country),
                           format_func=i18n.country, key="sales_country")

report = engine("sales.month_report", month, country=country)

country_name = texts.SALES_CALENDAR_OF.format(country=i18n.country(country))
if report.closed:
    st.caption(texts.SALES_STATUS_CLOSED.format(total=report.working_days, country=country_name))
else:
    st.caption(texts.SALES_STATUS_OPEN.format(
        through=fmt_date(report.data_through), elapsed=report.working_days_elapsed,
        total=report.working_days, remaining=report.remaining_working_days, country=country_name))

# --- the department at a glance -----------------------------------------------------------
dept = report.department
money_view = measure == "amount"
fact, plan, share = ((dept.fact, dept.plan, dept.fulfilment) if money_view else
                     (dept.active_clients, dept.plan_active, dept.active_fulfilment)
                     if measure == "active" else (dept.new_clients, dept.plan_new, dept.new_fulfilment))
cards = st.container(horizontal=True, gap="medium")  # each card as wide as its figure: no "1,19 млр…"
headline = (lambda v: fmt_money_short(v, SYMBOL)) if money_view else fmt_money
cards.metric(texts.SALES_FACT, headline(fact), width="content")
cards.metric(texts.SALES_PLAN, headline(plan), width="content")
cards.metric(texts.SALES_FULFILMENT, fmt_ratio(share), width="content")
if money_view and not report.closed:
    cards.metric(texts.SALES_FORECAST, fmt_money_short(dept.forecast, SYMBOL) if report.forecast_ready
                    else "—", help=texts.SALES_FORECAST_HELP,
                    delta=fmt_ratio(dept.forecast_fulfilment) if report.forecast_ready else None,
                    delta_color="off", delta_arrow="off", width="content")
    cards.metric(texts.SALES_REQUIRED, fmt_money_short(dept.required_per_day, SYMBOL)
                 if report.forecast_ready else "—", help=texts.SALES_FORECAST_HELP, width="content")
    if report.forecast_ready and dept.plan_chance is not None:
        cards.metric(texts.SALES_CHANCE, fmt_ratio(dept.plan_chance, digits=0), help=texts.SALES_CHANCE_HELP,
                     delta=texts.SALES_CHANCE_RANGE.format(low=fmt_money_short(dept.forecast_low, SYMBOL),
                                                           high=fmt_money_short(dept.forecast_high, SYMBOL)),
                     delta_color="off", delta_arrow="off", width="content")
    if not report.forecast_ready:
        st.caption(f"{texts.SALES_FORECAST}: {texts.SALES_FORECAST_WAIT}.")
chances = forecast_sales.basis(report)
if money_view and chances["reached"] is not None:
    st.caption(texts.SALES_CHANCE_CLOSED.format(
        outcome=texts.SALES_OUTCOME_MET if chances["reached"] else texts.SALES_OUTCOME_MISSED))
elif money_view and chances["too_little"]:
    st.caption(texts.SALES_CHANCE_TOO_LITTLE)
elif money_view and report.forecast_ready:
    st.caption(texts.SALES_CHANCE_BASIS.format(months=chances["months"]) + (" " + texts.SALES_CHANCE_FALLBACK.format(
        names=plain(", ".join(chances["fallback"][:10])), min=chances["min_months"]) if chances["fallback"] else ""))
unplanned, unplanned_names = report.unplanned
if money_view and unplanned and dept.plan:
    names = ", ".join(unplanned_names[:10]) + (
        ", " + texts.AND_MORE.format(n=len(unplanned_names) - 10) if len(unplanned_names) > 10 else "")
    st.caption(texts.SALES_UNPLANNED.format(amount=fmt_money(unplanned, currency=SYMBOL),
                                            names=plain(names)))


def table(rows: list[dict], first_column: str, with_team: bool = True):
    unit = SYMBOL if money_view else ""
    shown = {"name": first_column}
    if with_team:
        shown["team"] = texts.SALES_COLUMNS["team"]
    shown |= {"fact": texts.SALES_COLUMNS["fact"], "plan": texts.SALES_COLUMNS["plan"],
              "fulfilment": texts.SALES_COLUMNS["fulfilment"]}
    if money_view and report.forecast_ready:
        shown |= {k: texts.SALES_COLUMNS[k] for k in
                  ("forecast", "forecast_fulfilment", "plan_chance", "forecast_range", "required_per_day")}

    def cell(r, k):
        if k in ("fact", "plan", "forecast", "required_per_day"):
            return fmt_money(r[k], currency=unit)
        if k in ("fulfilment", "forecast_fulfilment"):
            return fmt_ratio(r[k], none="—" if k == "forecast_fulfilment" else texts.NO_PLAN)
        if k == "plan_chance":
            return fmt_ratio(r[k], digits=0, none="—")
        if k == "forecast_range":
            return "—" if r["forecast_low"] is None else \
                f"{fmt_money_short(r['forecast_low'], unit)} – {fmt_money_short(r['forecast_high'], unit)}"
        return texts.group_name(r[k])

    frame = pd.DataFrame([{shown[k]: cell(r, k) for k in shown} for r in rows], columns=list(shown.values()))
    colour_column = shown.get("forecast_fulfilment", shown["fulfilment"])
    levels = [r["level"] for r in rows]
    return frame.style.apply(lambda col: [
        f"background-color: {LEVEL_COLOURS[lv]}33" if col.name == colour_column and lv else ""
        for lv in levels], axis=0)


# --- teams first ----------------------------------------------------------------------------
team_rows = sales.rows(report, measure, "teams")
if len(report.teams) > 1:
    st.subheader(texts.SALES_BY_TEAM)
    st.table(table(team_rows, texts.SALES_TEAM_NAME, with_team=False), hide_index=True)
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(team_rows, texts.SALES_COLUMNS | {"name": texts.SALES_TEAM_NAME}),
                       file_name=f"plan_teams_{month:%Y-%m}_{measure}.csv", mime="text/csv", key="dl_teams")


def pace_chart(rows: list[dict], x_max: float) -> go.Figure:
    """One bar per manager, the first row on top: where the month is heading, % of plan."""
    chart_rows = list(reversed(rows))  # plotly draws the first bar at the bottom
    shown = [(r["pace"] if r["pace"] is not None else r["fulfilment"] or 0) * 100 for r in chart_rows]
    names = chart_labels(r["name"] for r in chart_rows)
    figure = go.Figure()
    figure.add_bar(
        y=names, x=shown, orientation="h",
        name=texts.SALES_CHART_PACE if report.forecast_ready else texts.SALES_FULFILMENT,
        marker_color=[LEVEL_COLOURS[r["level"]] for r in chart_rows],
        text=[fmt_ratio(r["pace"] if r["pace"] is not None else r["fulfilment"]) for r in chart_rows],
        # inside long bars, clear of the 100 % line; outside short ones ("нет плана")
        textposition=["inside" if x >= 25 else "outside" for x in shown], cliponaxis=False)
    if report.forecast_ready and money_view:
        ranged = [r for r in chart_rows if r["forecast_low"] is not None and r["plan"]]
        if ranged:  # the 80 % range of the month-end fact, in % of plan: a whisker over the bar
            low = [float(r["forecast_low"] / r["plan"]) * 100 for r in ranged]
            high = [float(r["forecast_high"] / r["plan"]) * 100 for r in ranged]
            figure.add_scatter(
                y=chart_labels(r["name"] for r in ranged), x=[(a + b) / 2 for a, b in zip(low, high)],
                mode="markers", marker={"size": 1, "color": "rgba(0,0,0,0)"}, name=texts.SALES_CHART_RANGE,
                error_x={"type": "data", "symmetric": False, "array": [(b - a) / 2 for a, b in zip(low, high)],
                         "arrayminus": [(b - a) / 2 for a, b in zip(low, high)], "color": "#37474f",
                         "thickness": 2, "width": 6},
                hovertext=[f"{fmt_ratio(a / 100, digits=0)} – {fmt_ratio(b / 100, digits=0)}" for a, b in zip(low, high)],
                hoverinfo="text+y")
        figure.add_scatter(y=names, x=[(r["fulfilment"] or 0) * 100 for r in chart_rows], mode="markers",
                           name=texts.SALES_CHART_FACT,
                           marker={"symbol": "line-ns-open", "size": 22, "color": "#263238",
                                   "line": {"width": 3}})
    figure.add_vline(x=100, line_dash="dash", line_color="#455a64", layer="below")
    figure.update_layout(**plotly_layout(height=60 + 34 * len(chart_rows)), xaxis_title=texts.SALES_AXIS_PLAN,
                         xaxis_range=[0, x_max], showlegend=report.forecast_ready and money_view)
    return figure


manager_rows = sales.rows(report, measure, "managers")
team_list = [t.name for t in report.teams]


@fragment
def managers() -> None:
    """Search, chart, table and a manager's documents: typing a name or clicking a row
    reruns this part only."""
    st.subheader(texts.SALES_BY_MANAGER)
    found = manager_search("sales", manager_rows, team_list)
    if found is None:
        return
    ends = sales.attention(found)
    values = [(r["pace"] if r["pace"] is not None else r["fulfilment"] or 0) * 100
              for r in [*ends.worst, *ends.best]]
    x_max = max([110, *values]) * 1.1
    config = {"displayModeBar": False}
    if ends.everyone:
        st.plotly_chart(pace_chart(ends.worst, x_max), config=config, key="sales_chart")
    else:
        left, right = st.columns(2)
        left.markdown(f"**{texts.SALES_CHART_ENDS_WORST}**")
        left.plotly_chart(pace_chart(ends.worst, x_max), config=config, key="sales_chart_worst")
        right.markdown(f"**{texts.SALES_CHART_ENDS_BEST}**")
        right.plotly_chart(pace_chart(ends.best, x_max), config=config, key="sales_chart_best")
        st.caption(texts.ENDS_CAPTION.format(worst=len(ends.worst), best=len(ends.best), total=ends.total))
    st.caption(texts.SALES_LEGEND_CLOSED if report.closed else texts.SALES_LEGEND)

    picked = st.dataframe(table(found, texts.SALES_COLUMNS["name"]), hide_index=True,
                          width="stretch", on_select="rerun", selection_mode="single-row",
                          key="sales_managers_table")
    st.caption(texts.SALES_CLICK_ROW)
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(manager_rows, texts.SALES_COLUMNS),
                       file_name=f"plan_{month:%Y-%m}_{measure}.csv", mime="text/csv", key="dl_managers")

    # --- the documents behind a manager's fact: a click on a row of the table opens them
    st.subheader(texts.SALES_DOCS)
    pick = st.columns([3, 2])
    names = [r["name"] for r in manager_rows]
    shown = [r["name"] for r in found]
    selected = tuple(picked.selection.rows)
    if selected and selected != state.get("sales_applied_selection") and selected[0] < len(shown):
        state["sales_docs_manager"] = shown[selected[0]]
    state["sales_applied_selection"] = selected
    if state.get("sales_docs_manager") not in names:
        state["sales_docs_manager"] = next((f.name for f in report.managers if f.early_flag), names[0])
    manager = pick[0].selectbox(texts.SALES_DOCS_PICK, names, key="sales_docs_manager")
    early_only = pick[1].toggle(texts.SALES_DOCS_EARLY, key="sales_docs_early")
    docs = engine("sales.documents", month, manager, until=report.early_until if early_only else None)
    st.dataframe(documents_frame(docs, SYMBOL, list(texts.SALES_DOC_COLUMNS)), hide_index=True, width="stretch", height=min(420, 38 + 35 * max(1, len(docs))))
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(docs, texts.SALES_DOC_COLUMNS),
                       file_name=f"documents_{month:%Y-%m}.csv", mime="text/csv", key="dl_docs")


if manager_rows:
    managers()
else:
    st.subheader(texts.SALES_BY_MANAGER)
    st.info(texts.SALES_NO_DATA)


# --- trend over the loaded months ---------------------------------------------------------
@fragment
def trend() -> None:
    st.subheader(texts.SALES_TREND)
    people = engine("sales.trend_managers")
    who = st.selectbox(texts.SALES_TREND_WHO, [None, *people], key="sales_trend_who",
                       format_func=lambda m: texts.DEPARTMENT_LABEL if m is None else m)
    series = pd.DataFrame(engine("sales.trend_series", who), columns=["month", "fact", "plan"])
    chart = go.Figure()
    this_month = dt.date.today().replace(day=1)
    labels = [month_name(m) + (" *" if m == this_month else "") for m in series["month"]]
    chart.add_bar(x=labels, y=series["fact"].astype(float) / 1e6, name=texts.SALES_TREND_FACT,
                  marker_color="#1f5fa8", hovertemplate="%{x}: %{y:,.2f} " + texts.MILLIONS_OF.format(currency=fmt_currency(SYMBOL)) + "<extra></extra>")
    chart.add_scatter(x=labels, y=series["plan"].astype(float) / 1e6, name=texts.SALES_TREND_PLAN,
                      mode="lines+markers", line={"color": "#c62828", "dash": "dash"})
    chart.update_layout(**plotly_layout(height=320), yaxis={"title": texts.MILLIONS_OF.format(currency=fmt_currency(SYMBOL)), "tickformat": ",.0f"})
    st.plotly_chart(chart, config={"displayModeBar": False})
    if this_month in set(series["month"]):
        st.caption(plain(texts.SALES_TREND_OPEN))  # its leading "*" is not a list


trend()

# --- month-edge slippage --------------------------------------------------------------------
if money_view:
    st.subheader(texts.SALES_SLIPPAGE)
    st.caption(texts.SALES_SLIPPAGE_INTRO.format(until=fmt_date(report.early_until),
                                                  usual=fmt_ratio(report.usual_early_share, none="—")))
    flagged = [m for m in report.managers if m.early_flag]
    if len(flagged) > 5:  # one line, not a wall of warnings
        st.warning(texts.SALES_SLIPPAGE_MANY.format(n=len(flagged), usual=fmt_ratio(report.usual_early_share)))
    for m in flagged if len(flagged) <= 5 else []:
        st.warning(texts.SALES_SLIPPAGE_FLAG.format(name=plain(m.name), share=fmt_ratio(m.early_share),
                                                    usual=fmt_ratio(report.usual_early_share)))
    if not flagged:
        st.success(texts.SALES_SLIPPAGE_NONE)
    early_ends = sales.early_attention(report)
    shares = list(reversed(early_ends.worst))  # the largest share on top
    early = go.Figure()
    early.add_bar(y=chart_labels(m.name for m in shares), x=[m.early_share * 100 for m in shares],
                  orientation="h", text=[fmt_ratio(m.early_share) for m in shares],
                  textposition="outside", cliponaxis=False,
                  marker_color=[LEVEL_COLOURS["behind" if m.early_flag else None] for m in shares])
    if report.usual_early_share is not None:
        early.add_vline(x=report.usual_early_share * 100, line_dash="dash", line_color="#455a64",
                        annotation_text=texts.SALES_SLIPPAGE_USUAL, annotation_position="top")
    early.update_layout(**plotly_layout(height=90 + 30 * len(shares), top=30),
                        xaxis_title=texts.SALES_AXIS_MONTH_FACT)
    st.plotly_chart(early, config={"displayModeBar": False})
    if not early_ends.everyone:
        st.caption(texts.SALES_SLIPPAGE_TOP.format(shown=early_ends.shown, total=early_ends.total))
