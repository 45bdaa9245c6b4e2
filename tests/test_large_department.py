"""A department of 40 managers in four teams, generated (tests/large_store.py): every
per-manager page leads with its teams, its charts stay bounded (the ends of each ranking,
not one bar a manager) while its tables keep everyone, and a search finds one name."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from kpi import meetings, sales
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    from tests.large_store import build

    return build(tmp_path_factory.mktemp("forty") / "kpi.duckdb", managers=40, teams=4, months=2,
                 sales=4000, receivables=800, activities=2400, candidates=100)


def page(db, monkeypatch, path: str) -> AppTest:
    monkeypatch.setenv("KPI_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(path).run()
    assert not at.exception
    return at


def bars(at) -> list[int]:
    """Bars per chart on the page, in page order."""
    return [sum(len(trace.get("y", [])) for trace in json.loads(chart.proto.spec)["data"]
                if trace["type"] in ("bar", "heatmap"))
            for chart in at.get("plotly_chart")]


def test_sales_page_of_forty_has_bounded_charts_and_finds_one_name(forty, monkeypatch):
    at = page(forty, monkeypatch, "pages/sales.py")
    assert [t.value.columns[0] for t in at.table] == ["Отдел"]  # teams first
    assert len(at.table[0].value) == 5  # four teams and the department
    # the two ends side by side: 10 furthest behind and 10 furthest ahead, not 40 bars
    pace_worst, pace_best, _trend, slippage = bars(at)
    assert pace_worst == pace_best == sales.ATTENTION_N and slippage <= 2 * sales.ATTENTION_N
    assert "Показаны 10 худших и 10 лучших из 40" in " ".join(c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == 40  # the table keeps everyone
    one = table["Менеджер"].iloc[7]
    at.text_input(key="sales_find").set_value(one).run()
    assert list(at.dataframe[0].value["Менеджер"]) == [one]
    assert bars(at)[0] == 1  # and the chart draws that one
    at.text_input(key="sales_find").set_value("нет такого").run()
    assert "Никого не нашлось" in at.info[0].value


def test_meetings_and_debt_pages_of_forty_stay_bounded(forty, monkeypatch):
    at = page(forty, monkeypatch, "pages/meetings.py")
    worst, best = bars(at)[:2]  # two heat maps of the ends, 5 weeks x 10 managers each
    weeks = len(meetings.month_weeks(at.selectbox(key="meet_month").value))
    assert worst == best == sales.ATTENTION_N * 2  # two traces a map (complete and partial weeks)
    assert len(at.dataframe[0].value) == 40 and weeks
    team = at.multiselect(key="meet_teams").options[0]
    at.multiselect(key="meet_teams").set_value([team]).run()
    assert set(at.dataframe[0].value["Отдел"]) == {team} and len(at.dataframe[0].value) == 10

    at = page(forty, monkeypatch, "pages/receivables.py")
    teams, managers = ([len(trace["y"]) for trace in json.loads(chart.proto.spec)["data"]]
                       for chart in at.get("plotly_chart")[:2])  # then the inflow by week
    assert set(teams) == {4}  # one bar a team, each age bucket a trace
    assert set(managers) == {2 * sales.ATTENTION_N}  # the 20 most overdue of 40
    assert len(at.dataframe[0].value) == 40


def test_overview_of_forty_leads_with_teams_and_searches(forty, monkeypatch):
    at = page(forty, monkeypatch, "pages/overview.py")
    assert list(at.table[0].value.iloc[:, 0])[-1] == "Итого по отделу"
    assert len(at.dataframe[0].value) == 40 + 4 + 1  # managers, then teams and the department
    trend = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]  # drawn beside the page
    assert len(trend["x"]) == 2  # the two months loaded
    at.text_input(key="overview_find").set_value("Петров").run()
    found = at.dataframe[0].value
    assert len(found) >= 1 and all("Петров" in n for n in found["Менеджер"])
