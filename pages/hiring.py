"""Recruiter's page: the interview funnel, attendance by source, the slot planner, and who
of a day's invited will come (kpi.forecast.attendance, the same as `slots --invited`)."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import importer, texts
from kpi import funnel as F
from kpi.forecast import attendance
from kpi.export import excel_csv
from kpi.formatting import fmt_date, fmt_number, fmt_ratio
from kpi.kinds import STAGES
from pages.common import (db, engine, fragment, guard, LEVEL_COLOURS, plain, plotly_layout)

guard("hiring")

st.title(texts.PAGE_TITLES["hiring"])

choices = engine("funnel.options")
if not choices["source"]:
    st.info(texts.HIRE_NO_DATA)
    st.stop()

columns = st.columns(3)
filters = {name: columns[i].selectbox(label, [None, *choices[name]], key=f"hire_{name}",
                                      format_func=lambda v: texts.HIRE_ALL if v is None else v)
           for i, (name, label) in enumerate(texts.HIRE_FILTERS.items())}

overall, _ = engine("funnel.funnel", **filters)
counts = overall.counts

cards = st.columns(4)
cards[0].metric(texts.HIRE_RESPONDED, counts["responded"])
cards[1].metric(texts.HIRE_INVITED, counts["invited"])
interval = overall.attendance_interval
cards[2].metric(texts.HIRE_ATTENDANCE, fmt_ratio(overall.attendance_rate, none="—"),
                delta=texts.HIRE_ATTENDANCE_DELTA.format(
                    attended=counts["attended"], invited=counts["invited"],
                    low=fmt_ratio(interval[0], 0), high=fmt_ratio(interval[1], 0)) if interval else None,
                delta_color="off", delta_arrow="off")
cards[3].metric(texts.HIRE_HIRED, counts["hired"],
                delta=texts.HIRE_HIRED_DELTA.format(share=fmt_ratio(overall.hired_per_responded, none="—")),
                delta_color="off", delta_arrow="off")
if overall.small_sample and counts["invited"]:
    st.warning(texts.HIRE_SMALL)
if overall.days_to_hire is not None:
    st.caption(f"{texts.HIRE_DAYS}: " + texts.HIRE_MEDIAN.format(days=fmt_number(overall.days_to_hire, 0)))

# --- the funnel -------------------------------------------------------------------------------------
st.subheader(texts.HIRE_FUNNEL)
labels = [texts.STAGE_TITLES[s] for s in STAGES]
steps = [f"{counts[s]}" + ("" if overall.conversion(s) is None
                           else texts.HIRE_FROM_PREVIOUS.format(ratio=fmt_ratio(overall.conversion(s), 0))) for s in STAGES]
chart = go.Figure(go.Funnel(y=labels, x=[counts[s] for s in STAGES], text=steps, textinfo="text",
                            # the headline step, attendance, stands out
                            marker={"color": ["#1f5fa8"] * 4 + [LEVEL_COLOURS["watch"]] + ["#1f5fa8"] * 2}))
chart.update_layout(**plotly_layout(height=360))
st.plotly_chart(chart, config={"displayModeBar": False})
st.caption(texts.HIRE_FUNNEL_HELP)

# --- breakdown ----------------------------------------------------------------------------------------
@fragment
def breakdown() -> None:
    """By source, vacancy, recruiter or month: switching reruns this part only."""
    st.subheader(texts.HIRE_BREAKDOWN)
    by = st.segmented_control(texts.HIRE_BREAKDOWN, list(texts.HIRE_BY), default="source",
                              format_func=texts.HIRE_BY.get, key="hire_by",
                              label_visibility="collapsed") or "source"
    _, groups = engine("funnel.funnel", by, **filters)
    rows, header = F.group_table(groups, by)
    ratios = ("attendance", "hire_rate", "interval_low", "interval_high")
    st.dataframe(pd.DataFrame([{header[k]: fmt_ratio(r[k], digits=0 if k.startswith("interval") else 1, none="—")
                                if k in ratios else r[k] for k in header} for r in rows]),
                 hide_index=True, width="stretch")
    st.download_button(texts.DOWNLOAD_CSV, excel_csv(rows, header), file_name=f"funnel_by_{by}.csv",
                       mime="text/csv", key="dl_funnel")


breakdown()

# --- slot planner --------------------------------------------------------------------------------------
planning = engine("funnel.planning_rate", **filters)


@fragment
def slot_planner() -> None:
    """Attendees, confidence and capacity: a change reruns the planner only."""
    st.subheader(texts.HIRE_SLOTS)
    st.write(texts.HIRE_SLOTS_INTRO)
    inputs = st.columns(3)
    k = inputs[0].number_input(texts.HIRE_K, min_value=1, max_value=50, value=5, key="slot_k")
    confidence = inputs[1].slider(texts.HIRE_CONFIDENCE, min_value=50, max_value=99, value=90, key="slot_c")
    capacity = inputs[2].number_input(texts.HIRE_CAPACITY, min_value=1, max_value=100, value=k,
                                      key=f"slot_capacity_{k}")
    rate = planning.rate
    rate_note = {"default": texts.HIRE_RATE_DEFAULT,
                 "zero": texts.HIRE_RATE_ZERO.format(invited=planning.invited),
                 "data": texts.HIRE_RATE_DATA.format(rate=fmt_ratio(rate), attended=planning.attended,
                                                     invited=planning.invited)}[planning.source]
    st.caption(f"{texts.HIRE_RATE_FROM}: {rate_note}")
    try:
        plan = F.plan(k, rate, confidence / 100, capacity)
    except ValueError as e:  # a show rate so low the plan would run to thousands of bookings
        st.error(texts.SLOTS_BAD_INPUT[str(e)].format(rate=fmt_ratio(rate)))
        return
    result = st.columns(3)
    result[0].metric(texts.HIRE_INVITE, plan.bookings, border=True,
                     delta=texts.HIRE_INVITE_DELTA.format(k=k, p=fmt_ratio(plan.probability)),
                     delta_color="off", delta_arrow="off")
    result[1].metric(texts.HIRE_AVERAGE, plan.average_bookings, delta=texts.HIRE_AVERAGE_DELTA,
                     delta_color="off", delta_arrow="off")
    result[2].metric(texts.HIRE_OVER.format(capacity=capacity), fmt_ratio(plan.p_over_capacity))

    colours = [LEVEL_COLOURS["behind"] if i < k else LEVEL_COLOURS["ok"] if i <= capacity
               else "#ef6c00" for i in range(plan.bookings + 1)]
    dist = go.Figure(go.Bar(x=list(range(plan.bookings + 1)), y=[p * 100 for p in plan.distribution],
                            marker_color=colours, hovertemplate="%{x}: %{y:.1f} %<extra></extra>"))
    dist.update_layout(**plotly_layout(height=260, top=40), xaxis_title=texts.HIRE_DIST_AXIS,
                       yaxis_title="%",
                       title={"text": texts.HIRE_DIST.format(n=plan.bookings), "font": {"size": 14}})
    st.plotly_chart(dist, config={"displayModeBar": False})
    st.caption(texts.HIRE_DIST_LEGEND)


slot_planner()


# --- who of the invited will come ------------------------------------------------------------------
def _invited_from_file() -> list[dict] | None:
    """The invited list uploaded as a candidates export: read and checked as an import
    would be, never stored; its refused rows are said."""
    file = st.file_uploader(texts.ATTEND_UPLOAD, type=["csv", "txt", "xlsx", "xls"], key="attend_file")
    if file is None:
        return None
    found = importer.inspect(file.getvalue(), file.name, kind="candidates", db=db())
    if isinstance(found, importer.Refusal):
        st.error(texts.IMPORT_REFUSED.format(file=plain(file.name), reason=plain(found.reason)))
        return None
    if found.refused_rows:
        st.warning("\n".join([texts.ATTEND_ROWS_REFUSED.format(n=found.refused_rows),
                              *(f"- {plain(line)}" for line in found.problem_lines)]))
    return found.typed.rows.to_pylist()


def _invited_typed_in() -> list[dict]:
    """The invited list typed into a table: name, source, vacancy, interview date, confirmed."""
    known = engine("funnel.options")
    empty = pd.DataFrame({"candidate": pd.Series(dtype="object"), "source": pd.Series(dtype="object"),
                          "vacancy": pd.Series(dtype="object"), "interview_on": pd.Series(dtype="object"),
                          "confirmed": pd.Series(dtype="bool")})
    table = st.data_editor(empty, num_rows="dynamic", hide_index=True, width="stretch", key="attend_table",
                           column_config={
                               "candidate": st.column_config.TextColumn(texts.ATTEND_COL_NAME, required=True),
                               "source": st.column_config.SelectboxColumn(texts.ATTEND_COL_SOURCE,
                                                                          options=known["source"]),
                               "vacancy": st.column_config.SelectboxColumn(texts.ATTEND_COL_VACANCY,
                                                                           options=known["vacancy"]),
                               "interview_on": st.column_config.DateColumn(texts.ATTEND_COL_DATE),
                               "confirmed": st.column_config.CheckboxColumn(texts.ATTEND_COL_CONFIRMED,
                                                                            default=False)})
    return [attendance.entered(str(r.candidate).strip(),
                               None if pd.isna(r.source) or r.source == F.NO_VALUE else r.source,
                               None if pd.isna(r.vacancy) or r.vacancy == F.NO_VALUE else r.vacancy,
                               None if pd.isna(r.interview_on) else pd.Timestamp(r.interview_on).date(),
                               bool(r.confirmed) if not pd.isna(r.confirmed) else False)
            for r in table.itertuples() if isinstance(r.candidate, str) and r.candidate.strip()]


@fragment
def who_will_come() -> None:
    """Each invited candidate's show chance, how many will come, whom to call first."""
    st.subheader(texts.ATTEND_TITLE)
    st.write(texts.ATTEND_INTRO)
    modes = {"type": texts.ATTEND_MODE_TYPE, "upload": texts.ATTEND_MODE_UPLOAD}
    mode = st.segmented_control(texts.ATTEND_TITLE, list(modes), default="type", format_func=modes.get,
                                key="attend_mode", label_visibility="collapsed") or "type"
    rows = _invited_from_file() if mode == "upload" else _invited_typed_in()
    if rows is None:
        return
    if not rows:
        st.info(texts.ATTEND_EMPTY)
        return
    capacity = st.number_input(texts.HIRE_CAPACITY, min_value=1, max_value=100, value=5, key="attend_capacity")
    result = attendance.show_chances(None, rows, capacity, fitted=engine("forecast.attendance.model"))
    if result.distribution is None:
        st.warning(attendance.basis_text(result))
        return
    n = len(result.candidates)
    cards = st.columns(3)
    cards[0].metric(texts.ATTEND_EXPECTED, fmt_number(result.expected, 1), border=True,
                    delta=texts.ATTEND_EXPECTED_DELTA.format(n=n), delta_color="off", delta_arrow="off")
    low, high = result.range_80
    cards[1].metric(texts.ATTEND_RANGE, f"{low}–{high}", delta=texts.ATTEND_RANGE_DELTA,
                    delta_color="off", delta_arrow="off")  # [q10, q90]: at least 80 %
    cards[2].metric(texts.HIRE_OVER.format(capacity=capacity), fmt_ratio(result.p_more_than_capacity))
    st.caption(attendance.basis_text(result))

    notes = {"came": texts.ATTEND_KNOWN_CAME, "refused": texts.ATTEND_KNOWN_REFUSED}
    st.dataframe(pd.DataFrame([{
        texts.ATTEND_COL_NAME: p["candidate"], texts.ATTEND_COL_SOURCE: p["source"] or F.NO_VALUE,
        texts.ATTEND_COL_VACANCY: p["vacancy"] or F.NO_VALUE,
        texts.ATTEND_COL_DATE: fmt_date(p["day"]) if p["day"] else F.NO_VALUE,
        texts.ATTEND_COL_CONFIRMED: p["confirmed"],
        texts.ATTEND_COL_CHANCE: fmt_ratio(p["show_chance"], 0),
        texts.ATTEND_COL_NOTE: notes["came" if p["show_chance"] == 1 else "refused"] if p["known"] else ""}
        for p in result.candidates]), hide_index=True, width="stretch")

    counts = list(range(n + 1))
    dist = go.Figure(go.Bar(x=counts, y=[p * 100 for p in result.distribution],
                            marker_color=["#1f5fa8" if i <= capacity else "#ef6c00" for i in counts],
                            hovertemplate="%{x}: %{y:.1f} %<extra></extra>"))
    if capacity < n:
        dist.add_vline(x=capacity + 0.5, line_dash="dash", line_color="#555",
                       annotation_text=texts.ATTEND_CAPACITY_MARK.format(capacity=capacity),
                       annotation_position="top right")
    dist.update_layout(**plotly_layout(height=280, top=40), xaxis_title=texts.HIRE_DIST_AXIS,
                       yaxis_title="%", xaxis={"dtick": 1},
                       title={"text": texts.ATTEND_DIST.format(n=n), "font": {"size": 14}})
    st.plotly_chart(dist, config={"displayModeBar": False})
    st.caption(texts.ATTEND_DIST_LEGEND)

    st.markdown(f"**{texts.ATTEND_CALL}**")
    if result.call_order:
        people = [result.candidates[i] for i in result.call_order]
        st.markdown("\n".join(f"{i}. {plain(p['candidate'])} — {fmt_ratio(p['show_chance'], 0)}"
                               for i, p in enumerate(people, start=1)))
        st.caption(texts.ATTEND_CALL_HELP)
    else:
        st.caption(texts.ATTEND_CALL_NONE)


who_will_come()
