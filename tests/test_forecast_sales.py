"""The chance to close the plan and the 80 % range, against processes whose truth is known.

A manager whose every working day brings an independent Gamma(shape 2, scale 50 000) amount
(mean 100 000): what R remaining days bring is exactly Gamma(2R, 50 000), so the true chance
to reach the plan is known in closed form and the model's can be held against it.
"""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from kpi import sales
from kpi.forecast import sales as F
from tests.helpers import load

SHAPE, SCALE = 2.0, 50_000.0  # a day: mean 100 000, sd about 70 700
DAYS = 21  # working days in a month


def _months(rng, n, level_sd=0.0):
    """`n` months of daily amounts; with `level_sd`, each month's level differs (a good or a
    bad month), the days scattered around it."""
    out = []
    for _ in range(n):
        level = max(rng.normal(1.0, level_sd), 0.2) if level_sd else 1.0
        out.append(rng.gamma(SHAPE, SCALE * level, DAYS))
    return out


def test_the_chance_is_near_the_true_probability():
    """Twelve months of history, ten days in, 900 000 so far, plan 2 100 000: the remaining
    11 days bring Gamma(22, 50 000) (mean 1 100 000), so the truth is
    P(S >= 1 200 000) = gamma(22, scale=50 000).sf(1 200 000) ≈ 0.33."""
    truth = stats.gamma(2 * 11, scale=SCALE).sf(1_200_000)
    assert 0.30 < truth < 0.36
    got = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        model = F.pools(_months(rng, 12))
        month = np.zeros(DAYS)
        month[:10] = 90_000  # 900 000 in ten days, each near the usual day
        chance, low, high = F.predict(model, month, 10, DAYS, 900_000, 2_100_000)
        got.append(chance)
    # averaged over histories, within 0.06 of the truth (the model must also allow for the
    # month-to-month differences it cannot rule out from twelve months)
    assert abs(np.mean(got) - truth) < 0.06
    assert all(abs(g - truth) < 0.2 for g in got)


@pytest.mark.parametrize("level_sd", [0.0, 0.25])
def test_the_80_percent_range_covers_the_month_end_about_80_percent_of_the_time(level_sd):
    """Over 400 generated managers (days independent, or months that differ by 25 %), the
    month-end fact falls inside the range predicted on day 10 in 72-88 % of them."""
    inside = []
    for seed in range(400):
        rng = np.random.default_rng(1000 + seed)
        history, (month,) = _months(rng, 12, level_sd), _months(rng, 1, level_sd)
        _, low, high = F.predict(F.pools(history), month, 10, DAYS, float(month[:10].sum()), None)
        inside.append(low <= month.sum() <= high)
    assert 0.72 <= np.mean(inside) <= 0.88


def test_chances_are_calibrated_over_many_managers():
    """Brier score of the chances against outcomes beats the climatological 0.25 clearly,
    and when the product says about 30 %, about 30 % reach the plan."""
    chances, reached = [], []
    for seed in range(400):
        rng = np.random.default_rng(5000 + seed)
        history, (month,) = _months(rng, 12, 0.15), _months(rng, 1, 0.15)
        plan = 2_100_000
        chance, _, _ = F.predict(F.pools(history), month, 10, DAYS, float(month[:10].sum()), plan)
        chances.append(chance)
        reached.append(month.sum() >= plan)
    chances, reached = np.array(chances), np.array(reached)
    assert np.mean((chances - reached) ** 2) < 0.2
    middle = (chances > 0.2) & (chances < 0.5)
    assert middle.sum() > 30 and abs(reached[middle].mean() - chances[middle].mean()) < 0.15


def test_already_over_plan_is_certain():
    model = F.pools(_months(np.random.default_rng(1), 12))
    month = np.full(DAYS, 0.0)
    chance, low, high = F.predict(model, month, 12, DAYS, 2_500_000, 2_000_000)
    assert chance == 1.0 and low >= 2_500_000 * 0.99


def test_one_working_day_left():
    """20 of 21 days in, 2 000 000 so far, plan 2 150 000: the last day must bring 150 000;
    truth gamma(2, scale=50 000).sf(150 000) = e^-3 (1 + 3) ≈ 0.199."""
    truth = np.exp(-3) * 4
    got = []
    for seed in range(40):
        model = F.pools(_months(np.random.default_rng(seed), 12))
        month = np.full(DAYS, 100_000.0)
        chance, _, _ = F.predict(model, month, 20, DAYS, 2_000_000, 2_150_000)
        got.append(chance)
    assert abs(np.mean(got) - truth) < 0.06


def test_no_history_is_not_guessed():
    chance, low, high = F.predict(None, np.zeros(DAYS), 10, DAYS, 500_000, 2_000_000)
    assert chance is None and low is None and high is None


# --- through the store: fallback and the JSON --------------------------------------------------

def _sales_csv(rows):
    return ("Дата;Документ;Менеджер;Клиент;Сумма\n" + "".join(
        f"{d:%d.%m.%Y};Р-{i};{m};К{i % 7};{a:.2f}\n" for i, (d, m, a) in enumerate(rows))).encode()


@pytest.fixture
def company(store_file):
    """Иванов sells 100 000 every working day from July to November 2026; Новиков started in
    October (one past month: too short a history of his own). Plans for November."""
    from kpi import calendar
    rows = []
    for month in (7, 8, 9, 10, 11):
        for day in calendar.working_days(dt.date(2026, month, 1)):
            if day > dt.date(2026, 11, 16):
                break
            rows.append((day, "Иванов И.И.", 100_000 + (day.day % 5) * 10_000))
            if month >= 10:
                rows.append((day, "Новиков Н.Н.", 50_000 + (day.day % 3) * 10_000))
    for month in (7, 8, 9, 10, 11):
        days = [r for r in rows if r[0].month == month]
        load(_sales_csv(days), f"sales_{month}.csv")
    load("Месяц;Менеджер;План\n2026-11;Иванов И.И.;2500000\n2026-11;Новиков Н.Н.;1000000\n".encode(),
         "plans.csv")
    return store_file


def test_a_short_history_takes_the_departments_days(company):
    from kpi import store
    with store.reader() as con:
        report = sales.month_report(con, dt.date(2026, 11, 1), today=dt.date(2026, 11, 16))
    by_name = {m.name: m for m in report.managers}
    assert by_name["Иванов И.И."].chance_basis == "own" and by_name["Иванов И.И."].chance_months == 4
    assert by_name["Новиков Н.Н."].chance_basis == "department"
    # Иванов: 11 working days (2-16 Nov), about 120 000 a day so far -> ~1.3 M; the other
    # 8 days bring ~0.96 M more: ~2.28 M against 2.5 M, nowhere near certain either way
    ivanov = by_name["Иванов И.И."]
    assert 0.0 < ivanov.plan_chance < 0.5
    assert ivanov.forecast_low < ivanov.forecast < ivanov.forecast_high or \
        ivanov.forecast_low < ivanov.forecast_high
    assert report.department.chance_basis == "own"


def test_a_closed_month_has_no_chance(company):
    from kpi import store
    with store.reader() as con:
        report = sales.month_report(con, dt.date(2026, 10, 1), today=dt.date(2026, 11, 16))
    doc = sales.to_json(report)
    assert doc["department"]["plan_chance"] is None and doc["department"]["forecast_low"] is None


def test_the_backtest_replays_the_loaded_months(company):
    """July to October are closed (the fixture's November is open only while today is in
    it): August, September and October are replayed from their 5th, 10th and 15th working
    day: not August (July alone behind it, of anyone's: too little), Иванов in September and
    October on his own two and three months, the department likewise; Новиков in October
    (the months before are not his) on the department's days, three cutoffs each:
    September 3 + 3, October 3 + 3 + 3 = 15. Plans exist only for November, so no chance is
    scored, only ranges."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT
    out = subprocess.run([sys.executable, "-m", "kpi", "--db", str(company), "forecast", "--backtest",
                          "--json"], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    result = json.loads(out)
    assert set(result) == {"sales", "attendance"}
    assert result["sales"]["months"] == 2 and result["sales"]["predictions"] == 15
    assert 0.5 <= result["sales"]["coverage_80"] <= 1
    assert result["sales"]["brier"] is None  # no plan in a replayed month: no chance to score
