"""One manager on one screen: their plan and documents, their debtors, their meetings.
Month and manager come from the URL (`?month=2026-10&manager=…`), so a link can be sent."""

import pandas as pd
import streamlit as st

from kpi import i18n, meetings, texts
from kpi.formatting import fmt_date, fmt_money, fmt_money_short, fmt_number, fmt_ratio
from pages.common import documents_frame, engine, guard, money_symbol, month_picker

guard("manager")
SYMBOL = money_symbol()
st.title(texts.PAGE_TITLES["manager"])

months = engine("sales.months")
if not months:
    st.info(texts.OVERVIEW_EMPTY)
    st.stop()


def _from_url(key: str, options: list, parse):
    try:
        value = parse(st.query_params.get(key, ""))
    except ValueError:
        return None
    return value if value in options else None


top = st.columns([2, 3])
month = month_picker(top[0], texts.SALES_MONTH, months, "manager_month")
ov = engine("overview", month, with_previous=False)
names = [r.name for r in ov.managers]
if not names:
    st.info(texts.MANAGER_NONE)
    st.stop()
in_url = _from_url("manager", names, str)
name = top[1].selectbox(texts.MANAGER_PICK, names, index=names.index(in_url) if in_url else 0,
                        key="manager_name")
st.query_params["manager"] = name  # with the month: the link to send
row = next(r for r in ov.managers if r.name == name)

# the chance to make the plan, as the sales page gives it (the same engine answer)
plan_report = engine("sales.month_report", month, country=engine("settings.country"))
mine = next((m for m in plan_report.managers if m.name == name), None)
chance = mine is not None and mine.plan_chance is not None
cards = st.container(horizontal=True, gap="medium")  # each card as wide as its figure
cards.metric(texts.SALES_FACT, fmt_money_short(row.fact, SYMBOL), width="content")
cards.metric(texts.SALES_PLAN, fmt_money_short(row.plan, SYMBOL), width="content")
cards.metric(texts.OVERVIEW_FULFILMENT, fmt_ratio(row.fulfilment), width="content")
if chance:
    cards.metric(texts.SALES_CHANCE, fmt_ratio(mine.plan_chance, digits=0), help=texts.SALES_CHANCE_HELP,
                 delta=texts.SALES_CHANCE_RANGE.format(low=fmt_money_short(mine.forecast_low, SYMBOL),
                                                       high=fmt_money_short(mine.forecast_high, SYMBOL)),
                 delta_color="off", delta_arrow="off", width="content")
cards.metric(texts.OVERVIEW_OVERDUE_SHARE, fmt_ratio(row.overdue_share, none="—"), width="content")
cards.metric(texts.OVERVIEW_MEETINGS_PER_WEEK, "—" if row.meetings_per_complete_week is None
             else fmt_number(row.meetings_per_complete_week), width="content")

st.subheader(texts.MANAGER_DOCUMENTS)
docs = engine("sales.documents", month, name)
st.dataframe(documents_frame(docs, SYMBOL, ["doc_date", "document", "client", "amount"]),
             hide_index=True, width="stretch", height=min(320, 38 + 35 * max(1, len(docs))))

st.subheader(texts.MANAGER_DEBTORS)
if ov.receivables_as_of is None:
    st.caption(texts.OVERVIEW_NO_DEBT)
else:
    debtors = engine("receivables.top_debtors", engine("receivables.report", ov.receivables_as_of),
                     limit=20, manager=name)
    st.caption(texts.OVERVIEW_DEBT_AS_OF.format(date=fmt_date(ov.receivables_as_of)))
    st.dataframe(pd.DataFrame([{
        texts.REC_TOP_COLUMNS["client"]: d["client"], texts.REC_TOP_COLUMNS["debt"]: fmt_money(d["debt"], currency=SYMBOL),
        texts.REC_TOP_COLUMNS["overdue"]: fmt_money(d["overdue"], currency=SYMBOL)} for d in debtors],
        columns=[texts.REC_TOP_COLUMNS[k] for k in ("client", "debt", "overdue")]),
        hide_index=True, width="stretch")

st.subheader(texts.MANAGER_MEETINGS)
items = engine("meetings.meetings_of", name, meetings.month_weeks(month))
st.dataframe(pd.DataFrame([{
    texts.MEET_DOC_COLUMNS["happened_at"]: i18n.date_time(i["happened_at"]),
    texts.MEET_DOC_COLUMNS["client"]: i["client"] or "", texts.MEET_DOC_COLUMNS["status_text"]: i["status_text"]}
    for i in items], columns=[texts.MEET_DOC_COLUMNS[k] for k in ("happened_at", "client", "status_text")]),
    hide_index=True, width="stretch", height=min(320, 38 + 35 * max(1, len(items))))
