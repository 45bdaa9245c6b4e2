"""A department of any size, the engine's part: teams, the worst and the best ends of each
ranking, a search for one name; every figure on a hand-worked fixture."""

import datetime as dt

import pytest

from kpi import meetings, overview, receivables, sales, settings, store
from tests.helpers import load

# Six managers, five with a plan of 1000 in November 2026, a closed month (today 15.12):
# Алексеев 300 = 30 %, Борисов 1500 = 150 %, Васильев 900 = 90 %, Григорьев 1100 = 110 %,
# Дмитриев 600 = 60 %; Егоров sold 700 with no plan.
SALES = """Дата;Менеджер;Клиент;Сумма
03.11.2026;Алексеев А.А.;А;300
04.11.2026;Борисов Б.Б.;Б;1500
05.11.2026;Васильев В.В.;В;900
06.11.2026;Григорьев Г.Г.;Г;1100
09.11.2026;Дмитриев Д.Д.;Д;600
10.11.2026;Егоров Е.Е.;Е;700
"""
PLANS = """Месяц;Менеджер;Отдел;План
2026-11;Алексеев А.А.;Москва;1000
2026-11;Борисов Б.Б.;Москва;1000
2026-11;Васильев В.В.;Регионы;1000
2026-11;Григорьев Г.Г.;Регионы;1000
2026-11;Дмитриев Д.Д.;Регионы;1000
"""


@pytest.fixture
def six(store_file):
    load(SALES.encode(), "sales.csv")
    load(PLANS.encode(), "plans.csv")
    with store.reader() as con:
        return sales.month_report(con, dt.date(2026, 11, 1), today=dt.date(2026, 12, 15))


def names(rows, key="name"):
    return [r[key] for r in rows]


def test_the_worst_and_the_best_ends_worked_by_hand(six):
    rows = sales.rows(six, "amount", "managers")
    # worst first, those without a plan last: 30, 60, 90, 110, 150 %, then Егоров
    assert names(rows) == ["Алексеев А.А.", "Дмитриев Д.Д.", "Васильев В.В.", "Григорьев Г.Г.",
                           "Борисов Б.Б.", "Егоров Е.Е."]
    # six managers, more than a "small" department of five: two at each end of the five ranked
    ends = sales.attention(rows, n=2, everyone_up_to=5)
    assert names(ends.worst) == ["Алексеев А.А.", "Дмитриев Д.Д."]  # 30 %, 60 %
    assert names(ends.best) == ["Борисов Б.Б.", "Григорьев Г.Г."]  # 150 %, 110 %: best first
    assert (ends.total, ends.shown, ends.everyone) == (6, 4, False)  # Васильев (90 %) in the table only
    # three at each end would meet (five ranked < six): every ranked one, split, none twice
    ends = sales.attention(rows, n=3, everyone_up_to=5)
    assert names(ends.worst) == ["Алексеев А.А.", "Дмитриев Д.Д.", "Васильев В.В."]
    assert names(ends.best) == ["Борисов Б.Б.", "Григорьев Г.Г."]
    # a small department sees everyone, as before, Егоров (no plan) last
    ends = sales.attention(rows, n=2)
    assert ends.everyone and names(ends.worst) == names(rows) and ends.best == []


def test_the_search_ignores_case_yo_spaces_and_dots():
    rows = [{"name": "Иванов И.И.", "team": "Москва"}, {"name": "Иванова А.Б.", "team": "Регионы"},
            {"name": "Петров П.П.", "team": "Москва"}, {"name": "Ёлкина М.П.", "team": "Регионы"}]
    assert names(sales.find(rows, "иванов")) == ["Иванов И.И.", "Иванова А.Б."]
    assert names(sales.find(rows, "Иванов  и. и")) == ["Иванов И.И."]  # not Иванова А.Б.
    assert names(sales.find(rows, "елкина")) == ["Ёлкина М.П."]
    assert names(sales.find(rows, "", ["Москва"])) == ["Иванов И.И.", "Петров П.П."]
    assert names(sales.find(rows, "иванов", ["Регионы"])) == ["Иванова А.Б."]
    assert sales.find(rows, "сидоров") == []
    # rows without a team column take it from a mapping; a name it lacks is sales.NO_TEAM
    plain = [{"manager": r["name"]} for r in rows]
    teams = {"Иванов И.И.": "Москва"}
    assert names(sales.find(plain, "", ["Москва"], name="manager", team_of=teams), "manager") == ["Иванов И.И."]
    assert len(sales.find(plain, "", [sales.NO_TEAM], name="manager", team_of=teams)) == 3


def test_every_manager_has_a_team_as_the_sales_report_resolves_it(six):
    load("Контрагент;Менеджер;Дата документа;Срок оплаты;Сумма долга\nЖ;Жуков Ж.Ж.;01.11.2026;20.11.2026;100\n"
         .encode(), "Дебиторка на 30.11.2026.csv")
    with store.connect() as con:  # Борисов moved by hand
        settings.save_team_overrides(con, {"Борисов Б.Б.": "Ключевые клиенты"})
    with store.reader() as con:
        teams = sales.teams_of(con, dt.date(2026, 11, 1))
    assert teams == {"Алексеев А.А.": "Москва", "Борисов Б.Б.": "Ключевые клиенты",
                     "Васильев В.В.": "Регионы", "Григорьев Г.Г.": "Регионы", "Дмитриев Д.Д.": "Регионы",
                     "Егоров Е.Е.": sales.NO_TEAM,  # sales, no plan
                     "Жуков Ж.Ж.": sales.NO_TEAM}  # only in the debt snapshot
    assert sales.team_names(teams) == [sales.NO_TEAM, "Ключевые клиенты", "Москва", "Регионы"]


def test_slippage_chart_shows_the_largest_early_shares_first(six):
    # November 2026's first three working days are 2, 3 and 5 (the 4th is a holiday): all of
    # Алексеев's, Борисов's (the 4th counts as before the 5th) and Васильев's fact, none of
    # the others': shares 1, 1, 1, 0, 0, 0
    ends = sales.early_attention(six, n=2, everyone_up_to=5)
    assert [m.name for m in ends.worst] == ["Алексеев А.А.", "Борисов Б.Б."]  # 100 %, by name
    assert ends.best == [] and not ends.everyone and ends.total == 6
    everyone = sales.early_attention(six)  # six is a small department: all on the chart
    assert everyone.everyone and [m.name for m in everyone.worst][:3] == [
        "Алексеев А.А.", "Борисов Б.Б.", "Васильев В.В."]


# As of 30.11.2026: Алексеев owes 100 overdue + 900 not due, Борисов 400 overdue, Васильев
# 300 not due; А's limit 800 is exceeded by 200.
DEBT = """Контрагент;Менеджер;Дата документа;Срок оплаты;Сумма долга;Кредитный лимит
А;Алексеев А.А.;01.10.2026;20.10.2026;100;800
А;Алексеев А.А.;20.11.2026;20.12.2026;900;800
Б;Борисов Б.Б.;01.11.2026;10.11.2026;400;
В;Васильев В.В.;25.11.2026;25.12.2026;300;
"""


def test_debt_by_team_is_sums_over_sums(six):
    load(DEBT.encode(), "Дебиторка на 30.11.2026.csv")
    with store.reader() as con:
        rep = receivables.report(con, dt.date(2026, 11, 30))
        teams = sales.teams_of(con, dt.date(2026, 11, 1))
    rows, columns = receivables.team_table(rep, teams)
    # Москва (Алексеев, Борисов): 1400 owed, 500 overdue (100 at 31-60 days, 400 at 1-30),
    # share 500 / 1400; over the limit 200. Регионы (Васильев): 300, none overdue.
    assert names(rows, "manager") == ["Москва", "Регионы", sales.DEPARTMENT]
    moscow, regions, department = rows
    assert (moscow["total"], moscow["overdue"], moscow["over_limit"]) == (1400, 500, 200)
    assert moscow["1-30"] == 400 and moscow["31-60"] == 100
    assert moscow["overdue_share"] == pytest.approx(500 / 1400)
    assert (regions["total"], regions["overdue"], regions["over_limit"]) == (300, 0, None)
    assert (department["total"], department["overdue"]) == (1700, 500)
    assert columns["manager"] == "Отдел"
    # the debt chart: the most overdue first (Борисов 400, Алексеев 100, Васильев 0)
    manager_rows, _ = receivables.manager_table(rep)
    ends = receivables.attention(manager_rows, n=2, everyone_up_to=2)
    assert names(ends.worst, "manager") == ["Борисов Б.Б.", "Алексеев А.А."] and ends.total == 3


def meetings_csv() -> str:
    """Held meetings a week in November's four weeks: Алексеев 5, Борисов 4 (Москва),
    Васильев 1 (Регионы); the last on Sunday 29.11 so every week is covered."""
    rows = ["Дата;Ответственный;Тип;Статус"]
    for week in range(4):
        monday = dt.date(2026, 11, 2) + dt.timedelta(weeks=week)
        for name, n in (("Алексеев А.А.", 5), ("Борисов Б.Б.", 4), ("Васильев В.В.", 1)):
            days = [monday + dt.timedelta(days=d) for d in range(n)]
            if name == "Алексеев А.А." and week == 3:
                days[-1] = dt.date(2026, 11, 29)
            rows += [f"{d:%d.%m.%Y};{name};Встреча;Состоялась" for d in days]
    return "\n".join(rows) + "\n"


def test_meetings_by_team_and_the_ends_of_the_heat_map(six):
    load(meetings_csv().encode(), "activities.csv")
    with store.reader() as con:
        rep = meetings.report(con, meetings.month_weeks(dt.date(2026, 11, 1)), 5)
        teams = sales.teams_of(con, dt.date(2026, 11, 1))
    rows, _ = meetings.team_table(rep, teams)
    # Регионы: 4 / 4 weeks / 1 manager = 1.0; Москва: (20 + 16) / 4 / 2 = 4.5, under 5;
    # the department: 40 / 4 / 3 = 3.33 (the page's card)
    assert [(r["team"], r["avg"], r["below"], r["below_average"]) for r in rows[:2]] == [
        ("Регионы", 1.0, 1, True), ("Москва", 4.5, 1, True)]
    assert rows[2]["team"] == sales.DEPARTMENT and rows[2]["avg"] == pytest.approx(rep.department_avg_per_complete_week)
    assert rows[2]["avg"] == pytest.approx(40 / 12) and rows[2]["held"] == 40
    manager_rows, _ = meetings.manager_table(rep)
    ends = meetings.attention(manager_rows, n=1, everyone_up_to=2)
    assert names(ends.worst, "manager") == ["Васильев В.В."] and names(ends.best, "manager") == ["Алексеев А.А."]


def test_the_overview_trend_is_the_last_year_loaded():
    months = [dt.date(2024 + (i // 12), i % 12 + 1, 1) for i in range(30)]  # 01.2024-06.2026
    window = overview.trend_window(list(reversed(months)))
    assert window[0] == dt.date(2025, 7, 1) and window[-1] == dt.date(2026, 6, 1) and len(window) == 12
