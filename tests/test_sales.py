"""Sales-plan fulfilment on a small company, every figure worked out by hand."""

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from kpi import calendar, sales, store
from tests.conftest import ROOT
from tests.helpers import load

D = Decimal

SALES = """Дата;Документ;Менеджер;Клиент;Сумма
31.10.2026 23:58:00;Р-1;Иванов И.И.;А;1000
01.11.2026 0:03:00;Р-2;Иванов И.И.;А;500
02.11.2026;Р-3;Иванов И.И.;Б;2000
05.11.2026;Возврат товаров Р-4;Иванов И.И.;Б;2000
10.11.2026;Р-5;Иванов И.И.;В;1500
12.11.2026;Р-6;Иванов И.И.;В;-300
03.11.2026;Р-7;Сидоров С.С.;Г;800
04.11.2026;Р-8;Козлов К.К.;Д;400
"""
PLANS = """Месяц;Менеджер;Отдел;План;План активных клиентов;План новых клиентов
2026-11;Иванов И.И.;Москва;1700;4;1
2026-11;Петров П.П.;Москва;1000;;
2026-11;Козлов К.К.;Регионы;0;;
"""


@pytest.fixture
def company(store_file):
    load(SALES.encode(), "sales.csv")
    load(PLANS.encode(), "plans.csv")
    return store_file


def report(month=dt.date(2026, 11, 1), today=dt.date(2026, 11, 13), country="RU"):
    with store.reader() as con:
        return sales.month_report(con, month, today=today, country=country)


def by_name(rep):
    return {f.name: f for f in [*rep.managers, *rep.teams, rep.department]}


def test_november_2026_has_20_working_days_in_russia():
    # 21 weekdays (2-6, 9-13, 16-20, 23-27, 30) minus Unity Day, Wednesday 4 November
    assert len(calendar.working_days(dt.date(2026, 11, 1), "RU")) == 20
    # Kazakhstan does not rest on 4 November: 21 (and no KZ holiday falls on a November weekday)
    assert len(calendar.working_days(dt.date(2026, 11, 1), "KZ")) == 21


def test_fact_is_net_of_returns_and_exactly_100_percent(company):
    ivanov = by_name(report())["Иванов И.И."]
    # 500 (00:03 on 1 Nov) + 2000 - 2000 (returned) + 1500 - 300 = 1700; the 23:58 sale of
    # 31 October belongs to October
    assert ivanov.fact == D("1700.00")
    assert ivanov.plan == D("1700.00")
    assert ivanov.fulfilment == 1.0


def test_active_clients_exclude_a_fully_returned_sale_and_new_clients_use_all_history(company):
    ivanov = by_name(report())["Иванов И.И."]
    # active: А (500), В (1200); Б is 2000 - 2000 = 0, not active
    assert ivanov.active_clients == 2 and ivanov.plan_active == 4
    assert ivanov.active_fulfilment == 0.5  # 2 / 4
    # new: Б (first positive sale 2 Nov, even if returned later), В; А bought in October
    assert ivanov.new_clients == 2 and ivanov.new_fulfilment == 2.0  # 2 / 1


def test_no_plan_zero_plan_and_plan_without_sales(company):
    f = by_name(report())
    assert f["Сидоров С.С."].plan is None and f["Сидоров С.С."].fulfilment is None  # no plan row
    assert f["Козлов К.К."].plan == 0 and f["Козлов К.К."].fulfilment is None  # zero plan
    assert f["Петров П.П."].fact == 0 and f["Петров П.П."].fulfilment == 0.0  # plan, no sales


def test_team_and_department_are_sums_not_means_of_percentages(company):
    f = by_name(report())
    # Москва: (1700 + 0) / (1700 + 1000) = 0.629629..., not mean(100 %, 0 %) = 50 %
    assert f["Москва"].fact == D("1700.00") and f["Москва"].plan == D("2700.00")
    assert f["Москва"].fulfilment == pytest.approx(1700 / 2700, abs=1e-12)
    assert f["Регионы"].fulfilment is None  # its only plan is zero
    assert f[sales.NO_TEAM].fact == D("800.00")  # Сидоров has no plan row, so no team
    # department: all facts, those without a plan included: 1700 + 0 + 800 + 400 = 2900;
    # plans 1700 + 1000 + 0 = 2700; 2900 / 2700 = 1.074074...
    dept = f[sales.DEPARTMENT]
    assert dept.fact == D("2900.00") and dept.plan == D("2700.00")
    assert dept.fulfilment == pytest.approx(2900 / 2700, abs=1e-12)
    # active: А, В, Г, Д = 4; new in November: Б, В, Г, Д = 4
    assert (dept.active_clients, dept.new_clients) == (4, 4)


def test_forecast_and_required_daily_rate_on_working_days(company):
    rep = report(today=dt.date(2026, 11, 13))
    # data run to 12 Nov (the last document); working days to then: 2, 3, 5, 6, 9, 10, 11, 12
    assert rep.data_through == dt.date(2026, 11, 12)
    assert (rep.working_days_elapsed, rep.working_days) == (8, 20)
    f = by_name(rep)
    assert f["Иванов И.И."].forecast == D(1700) / 8 * 20  # 4250
    assert f["Иванов И.И."].required_per_day == 0  # plan already met
    assert f["Петров П.П."].required_per_day == pytest.approx(D(1000) / 12)  # 12 days remain
    assert f[sales.DEPARTMENT].forecast == D(2900) / 8 * 20  # 7250


def test_no_forecast_before_three_working_days_or_for_a_closed_month(company):
    early = report(today=dt.date(2026, 11, 3))  # 2 and 3 November: 2 working days
    assert early.working_days_elapsed == 2 and not early.forecast_ready
    assert by_name(early)["Иванов И.И."].forecast is None
    closed = report(today=dt.date(2026, 12, 1))
    assert closed.closed and not closed.forecast_ready
    assert closed.data_through == dt.date(2026, 11, 30)


SLIPPAGE = """Дата;Менеджер;Клиент;Сумма
01.10.2026;Икс И.И.;А;100
20.10.2026;Икс И.И.;А;900
01.10.2026;Игрек И.И.;Б;100
20.10.2026;Игрек И.И.;Б;900
02.11.2026;Икс И.И.;А;100
20.11.2026;Икс И.И.;А;900
03.11.2026;Игрек И.И.;Б;800
20.11.2026;Игрек И.И.;Б;200
"""


def test_month_edge_slippage_is_flagged_against_the_usual_share(store_file):
    load(SLIPPAGE.encode(), "s.csv")
    rep = report(today=dt.date(2026, 12, 1))
    # first three working days: 1, 2, 5 October; 2, 3, 5 November
    assert rep.early_until == dt.date(2026, 11, 5)
    # usual share: (100 + 100 + 100 + 800) / 4000 = 0.275
    assert rep.usual_early_share == pytest.approx(0.275)
    f = by_name(rep)
    # Игрек: 800 / 1000 = 0.8 >= 0.275 + 0.15 and >= 1.5 x 0.275: flagged; Икс: 0.1, not
    assert f["Игрек И.И."].early_share == 0.8 and f["Игрек И.И."].early_flag
    assert f["Икс И.И."].early_share == 0.1 and not f["Икс И.И."].early_flag
    with store.reader() as con:
        docs = sales.documents(con, dt.date(2026, 11, 1), "Игрек И.И.", until=rep.early_until)
    assert [(d["doc_date"], d["amount"]) for d in docs] == [(dt.datetime(2026, 11, 3), D("800.00"))]


def test_cli_sales_json_matches_the_contract(company, store_file):
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(store_file), "sales",
                          "--month", "2026-11", "--json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["month"] == "2026-11"
    assert set(out["managers"]) == {"Иванов И.И.", "Петров П.П.", "Сидоров С.С.", "Козлов К.К."}
    assert {k: out["managers"]["Сидоров С.С."][k] for k in
            ("fact", "plan", "fulfilment", "active_clients", "new_clients")} == {
        "fact": 800.0, "plan": None, "fulfilment": None, "active_clients": 1, "new_clients": 1}
    assert out["managers"]["Козлов К.К."]["plan"] == 0.0
    assert out["managers"]["Козлов К.К."]["fulfilment"] is None
    dept = out["department"]
    assert (dept["fact"], dept["plan"]) == (2900.0, 2700.0)
    assert dept["fulfilment"] == pytest.approx(1.074074, abs=1e-6)


def test_cli_sales_on_an_empty_store_prints_an_empty_result(tmp_path):
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(tmp_path / "none.duckdb"),
                          "sales", "--month", "2026-09", "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and json.loads(run.stdout)["managers"] == {}
