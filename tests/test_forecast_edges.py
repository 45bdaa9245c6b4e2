"""Hostile but realistic inputs to the forecasts (issue 16), each a defect once found: data
stored through the real import path, the CLI asked where the CLI broke, the figures worked
out by hand in each test."""

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pytest

from kpi import access, calendar, sales, store
from kpi.forecast import attendance as A
from kpi.forecast import payments as P
from kpi.forecast import sales as F
from tests.conftest import ROOT
from tests.helpers import load

D = dt.date


def kpi(*args, db):
    return subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def strict_json(text: str):
    """JSON that must hold no NaN or Infinity."""

    def refuse(constant):
        raise ValueError(f"{constant} in the JSON")

    return json.loads(text, parse_constant=refuse)


def sales_csv(rows) -> bytes:
    return ("Дата;Документ;Менеджер;Клиент;Сумма\n" + "".join(
        f"{d:%d.%m.%Y};Р-{d:%y%m%d}-{i};{m};К{i % 5};{a:.2f}\n" for i, (d, m, a) in enumerate(rows))).encode()


def every_working_day(months, manager, amount, until=None):
    return [(d, manager, amount) for m in months for d in calendar.working_days(m)
            if until is None or d <= until]


# --- sales: the chance and the range ------------------------------------------------------------

SUBSCRIPTION = 7_777_777.77  # the same amount every working day (a subscription billed daily)


def test_identical_daily_amounts_make_a_certain_month_not_a_coin_toss():
    """Every day 7 777 777,77, in the history and this month; 19 of 20 days in, the plan is
    exactly 20 days' worth (155 555 555,40). The last day brings 7 777 777,77 for certain,
    so the plan is reached: chance 1, range 155 555 555,40 – 155 555 555,40. It was about
    1e-27: the month-to-month variance was rounding noise (1e-18), and a Gamma that narrow
    put the plan on the wrong side of the month-end by a last digit. The same for
    123 456,78 a day (it said 0.5) and 0,10 a day (0.99 on day 5, 1e-23 on day 19)."""
    for amount in (SUBSCRIPTION, 123_456.78, 0.10):
        model = F.pools([np.full(n, amount) for n in (21, 22, 20, 21, 22)])
        month = np.full(20, amount)
        plan = round(20 * amount, 2)
        for elapsed in (5, 10, 19):
            chance, low, high = F.predict(model, month, elapsed, 20, round(elapsed * amount, 2), plan)
            assert chance == 1.0
            assert round(low, 2) == round(high, 2) == plan
        assert model.within == 0 and model.between == 0 and model.early_var == 0


def test_days_that_never_vary_inside_a_month_take_this_months_level():
    """Months whose every day is the same, at a level that changed (100 000 a day, then
    110 000): within-month variance 0. This month brings 120 000 a day (a price rise); ten
    of 20 days in, 1 200 000 so far, the other ten bring 10 x 120 000: the month ends at
    exactly 2 400 000. The model took the history's mean level (105 000 a day) with the
    month-to-month variance instead: a range around 2 250 000 that missed the month-end,
    and a small chance for a plan of 2 400 000."""
    model = F.pools([np.full(21, 100_000.0)] * 3 + [np.full(21, 110_000.0)] * 3)
    assert model.within == 0 and model.between > 0
    chance, low, high = F.predict(model, np.full(20, 120_000.0), 10, 20, 1_200_000, 2_400_000)
    assert (chance, low, high) == (1.0, 2_400_000, 2_400_000)


def test_the_replay_scores_an_exact_forecast_as_covered(store_file):
    """A subscription seller (7 777 777,77 every working day, June to October 2026) whose
    plans are the months' exact sums: every replayed month is predicted exactly, so the
    range covers every month-end (coverage 1) and every chance is right (Brier 0). The
    replay compared floats: an exact range [x, x] missed a month-end that differed from x
    in the last digit, and the chance's outcome (month-end >= plan) did too."""
    months = [D(2026, m, 1) for m in range(6, 11)]
    load(sales_csv(every_working_day(months, "Подписка П.П.", SUBSCRIPTION)), "sales.csv")
    plans = "".join(f"{m:%Y-%m};Подписка П.П.;{len(calendar.working_days(m)) * SUBSCRIPTION:.2f}\n"
                    for m in months)
    load(("Месяц;Менеджер;План\n" + plans).encode(), "plans.csv")
    with store.reader() as con:
        result = F.backtest(con)
    # August to October replayed, each from its 5th, 10th and 15th working day (July had
    # June behind it only: one month, of the seller's own or of everyone's, is too few)
    assert result["months"] == 3 and result["coverage_80"] == 1.0 and result["brier"] == 0.0


def test_a_managers_own_view_keeps_the_departments_stand_in(store_file):
    """Новиков started in October: too short a history of his own, so his chance stands on
    the department's manager days. The director saw that; Новиков signed in as himself got
    a chance labelled "the department's days" that stood on his own single October (his
    scope's `sales` holds only his rows, and the stand-in was read from it; a seller new
    this month got "too little data"). The chance must not depend on who looks."""
    ivanov = every_working_day([D(2026, m, 1) for m in range(7, 12)], "Иванов И.И.", 100_000.0, D(2026, 11, 16))
    novikov = [(d, "Новиков Н.Н.", 50_000.0 + (d.day % 3) * 10_000) for d, _, _ in ivanov if d.month >= 10]
    load(sales_csv(ivanov + novikov), "sales.csv")
    load("Месяц;Менеджер;План\n2026-11;Иванов И.И.;2500000\n2026-11;Новиков Н.Н.;1000000\n".encode(),
         "plans.csv")
    access.add_user(store_file, "novikov", "manager", "a long enough password", manager="Новиков Н.Н.")
    answers = {}
    for who, scope in (("director", access.ADMIN), ("himself", access.scope_of(store_file, "novikov"))):
        with access.reader(store_file, scope) as con:
            report = sales.month_report(con, D(2026, 11, 1), today=D(2026, 11, 16))
        answers[who] = {m.name: m for m in report.managers}["Новиков Н.Н."]
    assert answers["director"].chance_basis == answers["himself"].chance_basis == "department"
    assert answers["himself"].chance_months == answers["director"].chance_months == 5  # 4 + 1
    assert answers["himself"].plan_chance is not None
    assert answers["himself"].plan_chance == pytest.approx(answers["director"].plan_chance)
    assert answers["himself"].forecast_low == answers["director"].forecast_low
    assert answers["himself"].forecast_high == answers["director"].forecast_high


def test_the_replay_skips_months_nothing_was_loaded_for(store_file):
    """One stray sale of March 2020 (an old file) and a seller's June to October 2026: the
    replay counted every month between them as a month of the department that sold
    nothing (78 months replayed). A month with no sale and no plan loaded has no outcome to
    compare with: June to October 2026 are replayed, 5 months (June on the stray seller's
    twelve months of zeros before it; March 2020 has nothing before it)."""
    load(sales_csv([(D(2020, 3, 5), "Старый С.С.", 1000.0)]), "old.csv")
    rng = np.random.default_rng(3)
    rows = [(d, "Иванов И.И.", float(rng.gamma(2, 50_000)))
            for d, _, _ in every_working_day([D(2026, m, 1) for m in range(6, 11)], "", 0)]
    load(sales_csv(rows), "sales.csv")
    with store.reader() as con:
        result = F.backtest(con)
    assert result["months"] == 5


# --- hiring: who comes ----------------------------------------------------------------------------

def test_a_history_where_everyone_came_is_not_certainty(store_file, tmp_path):
    """40 past invited candidates, all came (enough for the regression, 30). The intercept
    had no prior and went to infinity: every new invitee's chance 1 - 3e-10, "100 %", and
    P(all three come) = 1. With the Jeffreys prior on the intercept (half a candidate who
    came, half one who did not), as in the overall rate (40.5 / 41 = 0.988): about 0.99,
    not 1. And `--capacity -3`: P(more than -3 come) is 1; it summed only the last two
    entries of the distribution (a negative slice start counts from the end)."""
    header = "Кандидат,Вакансия,Источник,Дата приглашения,Дата собеседования,Подтвердил,Пришёл\n"
    rows = "".join(f"Кандидат {i},Менеджер,hh.ru,{2 + i % 20:02d}.02.2026,{4 + i % 20:02d}.02.2026,да,да\n"
                   for i in range(40))
    load((header + rows).encode(), "c_2026-03-10.csv")
    invited = tmp_path / "invited.csv"
    invited.write_text(header + "".join(f"Новый {i},Менеджер,hh.ru,02.03.2026,04.03.2026,,\n" for i in range(3)),
                       encoding="utf-8")
    run = kpi("slots", "--invited", str(invited), "--capacity", "-3", "--json", db=store_file)
    assert run.returncode == 0, run.stderr
    out = strict_json(run.stdout)
    assert out["basis"]["model"] == "model" and out["basis"]["invited"] == 40
    for c in out["candidates"]:
        assert 0.95 < c["show_chance"] < 0.999
    assert out["distribution"][3] < 0.999
    assert out["p_more_than_capacity"] == 1.0


def test_more_than_a_negative_capacity_is_everyone():
    """Chances 0.5 and 0.2: P(0, 1, 2 come) = 0.4, 0.5, 0.1. More than -3 (or -1): 1;
    more than 0: 0.6; more than 1: 0.1; more than 2: 0. For -3 it said 0.6 (dist[-2:])."""
    dist = A.poisson_binomial([0.5, 0.2])
    assert [A.more_than(dist, c) for c in (-3, -1, 0, 1, 2, 5)] == pytest.approx([1, 1, 0.6, 0.1, 0, 0])


# --- receivables: when debtors pay ----------------------------------------------------------------

def debt_csv(rows) -> bytes:
    return ("Контрагент;Менеджер;Документ;Дата документа;Срок оплаты;Сумма долга\n" + "".join(
        f"{c};Иванов И.И.;{doc};01.09.2026;{due:%d.%m.%Y};{amount}\n" for c, doc, due, amount in rows)).encode()


def test_a_due_date_of_31_12_9999_has_no_payment_date_not_a_crash(store_file):
    """Five documents due 26.09 seen on 01.10 and gone by 11.10: paid on the midpoint 06.10,
    ten days late. On 21.10 two documents are due 20.12.9999 and 31.12.9999 (an ERP's
    "no end" date): expected payment due + 10 days, 30.12.9999 for the first; the second's
    would be past the calendar's last day, so it has none. `receivables` raised
    OverflowError (a traceback); `--as-of 9999-12-20` did too (the four weeks of inflow
    after it), and is now refused as a typo, as a month out of range is."""
    load(debt_csv([("А", f"A{i}", D(2026, 9, 26), 100) for i in range(5)]), "d1.csv", as_of=D(2026, 10, 1))
    load(debt_csv([("Б", "B0", D(2026, 10, 6), 100)]), "d2.csv", as_of=D(2026, 10, 11))
    load(debt_csv([("Б", "B0", D(2026, 10, 6), 100), ("Вечный", "Q1", D(9999, 12, 31), 700),
                   ("Почти вечный", "Q2", D(9999, 12, 20), 700)]), "d3.csv", as_of=D(2026, 10, 21))
    with store.reader() as con:
        result = P.forecast(con)
    assert result.paid == 5
    assert result.payment["Вечный"] is None and result.payment["Почти вечный"] == D(9999, 12, 30)
    run = kpi("receivables", "--json", db=store_file)
    assert run.returncode == 0, run.stderr
    assert strict_json(run.stdout)["expected_payment"]["Почти вечный"] == "9999-12-30"
    assert kpi("receivables", db=store_file).returncode == 0
    far = kpi("receivables", "--json", "--as-of", "9999-12-20", db=store_file)
    assert far.returncode == 2 and "Traceback" not in far.stderr and "1990" in far.stderr


def test_documents_dated_after_today_are_not_counted_twice(store_file):
    """Иванов sells 100 000 every working day of November 2026 up to the 16th (10 working
    days: 2, 3, 5, 6, 9-13, 16; the 4th is a holiday), and "today" is set to the 5th (3
    working days). The fact holds all ten days (1 000 000); what can still come is the 10
    working days after the 16th (of 20), not the 17 after the 5th: with a constant day both
    ends of the range are 1 000 000 + 10 x 100 000 = 2 000 000 (not 2 700 000)."""
    import datetime as dt

    from kpi import calendar, sales, store
    from tests.helpers import load

    rows = []
    for month in (9, 10, 11):
        for day in calendar.working_days(dt.date(2026, month, 1)):
            if day <= dt.date(2026, 11, 16):
                rows.append(f"{day:%d.%m.%Y};Р-{len(rows)};Иванов И.И.;К;100000.00\n")
    load(("Дата;Документ;Менеджер;Клиент;Сумма\n" + "".join(rows)).encode(), "sales.csv")
    with store.reader() as con:
        report = sales.month_report(con, dt.date(2026, 11, 1), today=dt.date(2026, 11, 5))
    ivanov = report.managers[0]
    assert ivanov.fact == 1_000_000
    assert float(ivanov.forecast_low) == float(ivanov.forecast_high) == 2_000_000
