"""Meetings per week: teams, a heat map of the managers who meet clients least and most against
the target, a search for one name, details. Readable at 6 managers and at 300."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import meetings as M
from kpi import i18n, sales, store, texts
from kpi.export import excel_csv
from kpi.formatting import fmt_date, fmt_number, fmt_ratio
from pages.common import (
    chart_labels, db, engine, fragment, guard, LEVEL_COLOURS, manager_search,
    month_picker, note_data_version, plotly_layout, scope)

guard("meetings")

st.title(texts.PAGE_TITLES["meetings"])

months = engine("meetings.months")
remembered = engine("meetings.saved_target")
if not months:
    st.info(texts.MEET_NO_DATA)
    st.stop()

top = st.columns([2, 3, 2])
mode = top[0].segmented_control(texts.MEET_MODE, list(texts.MEET_MODES), default="month",
                                format_func=texts.MEET_MODES.get, key="meet_mode") or "month"
if mode == "month":
    month = month_picker(top[1], texts.MEET_MONTH, months, "meet_month")
    weeks = M.month_weeks(month)
else:
    every = M.weeks_between(M.month_weeks(months[-1])[0], M.month_weeks(months[0])[-1])
    first, last = top[1].select_slider(
        texts.MEET_WEEKS, every, value=(every[max(0, len(every) - 6)], every[-1]),
        format_func=texts.week_title, key="meet_weeks")
    weeks = M.weeks_between(first, last)
    month = M.month_of_week(last)
target = top[2].number_input(texts.MEET_TARGET, min_value=1, max_value=100, value=remembered,
                             help=texts.MEET_TARGET_HELP, key="meet_target")
if target != remembered and scope().role == "director":  # a department setting
    with store.connect(db()) as con:
        M.save_target(con, target)
    note_data_version()

report = engine("meetings.report", weeks, target)
team_of = engine("sales.teams_of", month)

st.caption(texts.MEET_STATUS.format(until=fmt_date(report.covered_until)))
if report.incomplete:
    st.caption(texts.MEET_INCOMPLETE.format(
        weeks="; ".join(texts.week_title(w) for w in weeks if w in report.incomplete)))

average = report.department_avg_per_complete_week
cards = st.columns(4)
cards[0].metric(texts.MEET_HELD, sum(m.held for m in report.managers))
cards[1].metric(texts.MEET_AVG, fmt_number(average),
                delta=texts.MEET_TARGET_DELTA.format(target=target), delta_color="off", delta_arrow="off")
cards[2].metric(texts.MEET_BELOW, texts.MEET_BELOW_OF.format(
    n=sum(report.below_target(m) for m in report.managers), total=len(report.managers)))
cards[3].metric(texts.MEET_CANCELLED, sum(m.cancelled for m in report.managers))


def one_decimal(x) -> str:
    return fmt_number(x)


# --- teams first ----------------------------------------------------------------------------
team_list = sales.team_names({m.manager: team_of.get(m.manager, sales.NO_TEAM) for m in report.managers})
if len(team_list) > 1:
    team_rows, team_columns = M.team_table(report, team_of)
    st.subheader(texts.MEET_BY_TEAM)
    st.table(pd.DataFrame([{team_columns[k]: one_decimal(r[k]) if k == "avg"
                            else texts.MEET_BELOW_OF.format(n=r[k], total=r["managers"]) if k == "below"
                            else texts.group_name(r[k]) for k in team_columns} for r in team_rows]).style.apply(
        lambda col: [f"background-color: {LEVEL_COLOURS['behind']}33"
                     if col.name == team_columns["avg"] and r["below_average"] else ""
                     for r in team_rows], axis=0), hide_index=True)
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(team_rows, team_columns),
                       file_name="meetings_teams.csv", mime="text/csv", key="dl_meet_teams")

rows, _ = M.manager_table(report)
by_name = {m.manager: m for m in report.managers}


def heat_map(managers: list[str]) -> go.Figure:
    """Managers x weeks, the first manager on top, coloured against the target."""
    x = [texts.week_title(w).replace(", ", "<br>") + (" *" if w in report.incomplete else "") for w in weeks]
    y = chart_labels(reversed(managers))
    counts = [[by_name[m].per_week[report.labels[w]] for w in weeks] for m in reversed(managers)]
    complete_cells = [[n if w not in report.incomplete else None for n, w in zip(row, weeks)] for row in counts]
    # Incomplete weeks in grey: a partial count is not a low count.
    partial_cells = [[1 if w in report.incomplete else None for w in weeks] for _ in counts]
    heat = go.Figure()
    partial_text = [[n if n or w not in report.incomplete else "—" for n, w in zip(row, weeks)] for row in counts]
    heat.add_heatmap(x=x, y=y, z=partial_cells, text=partial_text, texttemplate="%{text}", showscale=False,
                     colorscale=[[0, "#e0e0e0"], [1, "#e0e0e0"]], xgap=3, ygap=3, hoverinfo="skip")
    heat.add_heatmap(
        x=x, y=y, z=complete_cells, zmin=0, zmax=target, texttemplate="%{text}",
        text=[["" if n is None else n for n in row] for row in complete_cells],
        showscale=False, xgap=3, ygap=3, hovertemplate="%{y}, %{x}: %{z}<extra></extra>",
        colorscale=[[0, LEVEL_COLOURS["behind"]], [0.5, LEVEL_COLOURS["watch"]], [1, LEVEL_COLOURS["ok"]]])
    heat.update_layout(**plotly_layout(height=80 + 36 * len(y)))
    heat.update_xaxes(side="top")
    return heat


@fragment
def managers() -> None:
    """Search, heat map and table: typing a name reruns this part only."""
    st.subheader(texts.MEET_HEATMAP)
    found = manager_search("meet", rows, team_list, name="manager", team_of=team_of)
    if found is None:
        return
    ends = M.attention(found)
    config = {"displayModeBar": False}
    if ends.everyone:
        st.plotly_chart(heat_map([r["manager"] for r in ends.worst]), config=config, key="meet_heat")
    else:
        left, right = st.columns(2)
        left.markdown(f"**{texts.MEET_ENDS_WORST}**")
        left.plotly_chart(heat_map([r["manager"] for r in ends.worst]), config=config, key="meet_heat_worst")
        right.markdown(f"**{texts.MEET_ENDS_BEST}**")
        right.plotly_chart(heat_map([r["manager"] for r in ends.best]), config=config, key="meet_heat_best")
        st.caption(texts.ENDS_CAPTION.format(worst=len(ends.worst), best=len(ends.best), total=ends.total))
    st.caption(texts.MEET_HEATMAP_HELP)

    st.subheader(texts.MEET_TABLE)
    frame = pd.DataFrame([{
        texts.MEET_COLUMNS[k]: one_decimal(r[k]) if k == "avg"
        else fmt_ratio(r[k], digits=0, none="—") if k == "client_coverage"
        else (texts.YES if r[k] else "") if k == "below" else r[k]
        for k in texts.MEET_COLUMNS} for r in found], columns=list(texts.MEET_COLUMNS.values()))
    if len(team_list) > 1:
        frame.insert(1, texts.SALES_COLUMNS["team"], [texts.group_name(team_of.get(r["manager"], sales.NO_TEAM)) for r in found])
    below_column = texts.MEET_COLUMNS["avg"]
    st.dataframe(frame.style.apply(lambda col: [
        f"background-color: {LEVEL_COLOURS['behind']}33" if col.name == below_column and r["below"] else ""
        for r in found], axis=0), hide_index=True, width="stretch",
        column_config={texts.MEET_COLUMNS["client_coverage"]: st.column_config.TextColumn(
            help=texts.MEET_COVERAGE_HELP)})
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(rows, texts.MEET_COLUMNS),
                       file_name="meetings.csv", mime="text/csv", key="dl_meetings")


managers()


# --- one manager's meetings --------------------------------------------------------------------------
@fragment
def drill() -> None:
    st.subheader(texts.MEET_DRILL)
    manager = st.selectbox(texts.MEET_DRILL_PICK, [r["manager"] for r in rows], key="meet_manager")
    items = engine("meetings.meetings_of", manager, weeks)
    st.dataframe(pd.DataFrame([{
        texts.MEET_DOC_COLUMNS["happened_at"]: i18n.date_time(i["happened_at"]),
        texts.MEET_DOC_COLUMNS["client"]: i["client"] or "", texts.MEET_DOC_COLUMNS["type_text"]: i["type_text"],
        texts.MEET_DOC_COLUMNS["status_text"]: i["status_text"], texts.MEET_DOC_COLUMNS["subject"]: i["subject"] or ""}
        for i in items], columns=list(texts.MEET_DOC_COLUMNS.values())), hide_index=True, width="stretch")
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(items, texts.MEET_DOC_COLUMNS),
                       file_name=f"meetings_{manager}.csv", mime="text/csv", key="dl_meet_items")


drill()
