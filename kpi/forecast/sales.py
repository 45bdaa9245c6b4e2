"""The chance to close the plan and the 80 % range of the month-end fact.

The month's fact so far is known; what the remaining working days bring is not. It is
modelled from the seller's own past working days (a manager, a team, the department):

- A month's first three working days are a pool of their own: deals pushed from the month
  before land there (the slippage the sales page flags), so they bring more than an ordinary
  day. The other days are the ordinary pool.
- An ordinary day brings the month's level plus day-to-day noise (variance `within`); the
  level itself differs from month to month (variance `between`). The days already worked
  this month tell how good this month is: the level is the history's mean shrunk towards
  this month's own ordinary days, by the weights of a normal-normal model.
- The remaining sum then has mean `R_early·early + R·level` and variance
  `R_early·early_var + R·within + R²·level_var`; it is a Gamma distribution with that mean
  and variance (sales are positive and skewed), or a normal one when the mean is not positive.

A seller with fewer than `MIN_OWN_MONTHS` past months takes the department's pooled manager
days instead (said as `basis = "department"`); with no usable history anywhere the chance is
not guessed (`basis = "too_little"`). `backtest` replays the loaded history to measure how
well the chances and ranges are calibrated.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy import stats

from kpi import calendar

EARLY_DAYS = 3  # as kpi.sales.EARLY_DAYS: where last month's deals land
HISTORY_MONTHS = 12  # a year of months: older ones describe another market
MIN_OWN_MONTHS = 2  # fewer past months: the department's manager days stand in
RANGE = (0.1, 0.9)  # the 80 % range
BACKTEST_CUTOFFS = (5, 10, 15)  # working days into the month the replay predicts from


@dataclass
class Pools:
    """What a seller's past working days say (money per working day)."""

    months: int  # past months they stand on
    early_mean: float
    early_var: float
    mean: float  # an ordinary day
    within: float  # day-to-day variance inside a month
    between: float  # variance of a month's level


def pools(history: list[np.ndarray]) -> Pools | None:
    """The pools of a list of past months (each an array of amounts per working day)."""
    if not history:
        return None
    early = np.concatenate([m[:EARLY_DAYS] for m in history])
    ordinary = [m[EARLY_DAYS:] for m in history if len(m) > EARLY_DAYS]
    days = np.concatenate(ordinary) if ordinary else np.zeros(0)
    if len(days) < 2:
        return None
    mean = float(days.mean())
    # within: pooled variance around each month's own mean; between: what the spread of the
    # month means adds over the noise a month of days would show anyway
    month_means = np.array([m.mean() for m in ordinary])
    sizes = np.array([len(m) for m in ordinary])
    spread = sum(((m - m.mean()) ** 2).sum() for m in ordinary)
    within = float(spread / max(len(days) - len(ordinary), 1))
    noise = within / sizes.mean()
    between = float(month_means.var(ddof=1)) - noise if len(ordinary) > 1 else 0.0
    # never fewer than the noise itself: a few months cannot show that months never differ
    between = max(between, noise)
    return Pools(len(history), float(early.mean()), float(early.var(ddof=1)) if len(early) > 1 else 0.0,
                 mean, within, between)


def remaining(p: Pools, month: np.ndarray, elapsed: int, working_days: int) -> tuple[float, float]:
    """Mean and variance of what the month's remaining working days bring, given its
    first `elapsed` days (`month[:elapsed]`)."""
    seen = month[EARLY_DAYS:elapsed]  # this month's ordinary days so far
    if len(seen) and p.within > 0:
        precision = 1 / p.between + len(seen) / p.within
        level = (p.mean / p.between + seen.sum() / p.within) / precision
        level_var = 1 / precision
    else:
        level, level_var = p.mean, p.between
    early_left = max(0, min(EARLY_DAYS, working_days) - elapsed)
    ordinary_left = working_days - max(elapsed, min(EARLY_DAYS, working_days))
    mean = early_left * p.early_mean + ordinary_left * level
    var = early_left * p.early_var + ordinary_left * p.within + ordinary_left ** 2 * level_var
    return mean, max(var, 0.0)


def _distribution(mean: float, var: float):
    if var <= 0:
        return None
    if mean > 0:
        return stats.gamma(a=mean * mean / var, scale=var / mean)
    return stats.norm(loc=mean, scale=var ** 0.5)


def predict(p: Pools | None, month: np.ndarray, elapsed: int, working_days: int,
            fact: float, plan: float | None) -> tuple[float | None, float | None, float | None]:
    """(chance, low, high) of a month `elapsed` working days in, with `fact` so far."""
    if plan is not None and plan > 0 and fact >= plan:
        chance = 1.0
    else:
        chance = None
    if p is None:
        return chance, None, None
    mean, var = remaining(p, month, elapsed, working_days)
    dist = _distribution(mean, var)
    if dist is None:  # nothing left to happen
        low = high = fact + mean
        if chance is None and plan is not None and plan > 0:
            chance = float(fact + mean >= plan)
        return chance, low, high
    low, high = (fact + float(q) for q in dist.ppf(RANGE))
    if chance is None and plan is not None and plan > 0:
        chance = float(dist.sf(plan - fact))
    return chance, low, high


# --- reading the store ----------------------------------------------------------------------

@dataclass
class Days:
    """Each seller's amounts per working day, month by month."""

    months: list[dt.date]  # every month from the first loaded one to the target, in order
    amounts: dict[str, dict[dt.date, np.ndarray]]  # manager -> month -> per working day
    first: dict[str, dt.date]  # a manager's first month with a sale


def _day_index(month: dt.date, country: str) -> np.ndarray:
    """For each calendar day of the month (0-based), the working day it counts in (0-based):
    a sale on a Saturday counts with the Friday, one before the first working day with it."""
    work = calendar.working_days(month, country)
    end = calendar.month_end(month)
    index, w = [], 0
    for i in range(end.day):
        day = month + dt.timedelta(days=i)
        while w + 1 < len(work) and work[w + 1] <= day:
            w += 1
        index.append(w)
    return np.array(index)


def read_days(con, until: dt.date, country: str, since: dt.date | None = None) -> Days:
    """Sales per manager per working day, from `since` (or the first loaded month) to the
    end of `until`'s month."""
    end = calendar.month_end(until)
    rows = con.execute(
        """SELECT manager, CAST(doc_date AS DATE) AS day, sum(amount)::DOUBLE
           FROM sales WHERE doc_date < $next AND ($since IS NULL OR doc_date >= $since)
           GROUP BY ALL""",
        {"next": end + dt.timedelta(days=1), "since": since}).fetchall()
    if not rows:
        return Days([], {}, {})
    first_month = min(d for _, d, _ in rows).replace(day=1)
    months, m = [], first_month
    while m <= until.replace(day=1):
        months.append(m)
        m = calendar.month_end(m) + dt.timedelta(days=1)
    index = {m: _day_index(m, country) for m in months}
    sizes = {m: len(calendar.working_days(m, country)) for m in months}
    amounts: dict[str, dict[dt.date, np.ndarray]] = {}
    first: dict[str, dt.date] = {}
    for manager, day, amount in rows:
        month = day.replace(day=1)
        per_month = amounts.setdefault(manager, {})
        if month not in per_month:
            per_month[month] = np.zeros(sizes[month])
        per_month[month][index[month][day.day - 1]] += amount
        first[manager] = min(first.get(manager, month), month)
    return Days(months, amounts, first)


def _month_of(days: Days, managers: list[str], month: dt.date, size: int) -> np.ndarray:
    total = np.zeros(size)
    for name in managers:
        got = days.amounts.get(name, {}).get(month)
        if got is not None:
            total += got
    return total


def _history(days: Days, managers: list[str], month: dt.date, size_of) -> list[np.ndarray]:
    """The group's past months before `month` (the last HISTORY_MONTHS), from the first month
    any of them sold: months before a seller started are not zeros of theirs."""
    starts = [days.first[m] for m in managers if m in days.first]
    if not starts:
        return []
    past = [m for m in days.months if min(starts) <= m < month][-HISTORY_MONTHS:]
    return [_month_of(days, managers, m, size_of(m)) for m in past]


def add_chances(con, report) -> None:
    """Set the chance and range on every manager, team and the department of a
    `sales.MonthReport` (`plan_chance`, `forecast_low`, `forecast_high`, `chance_basis`,
    `chance_months`). Nothing for a closed month or before the forecast is shown, as the
    straight-line forecast."""
    if not report.forecast_ready:
        return
    month, country = report.month, report.country
    since = (month - dt.timedelta(days=31 * HISTORY_MONTHS)).replace(day=1)
    days = read_days(con, month, country, since)
    size = report.working_days
    elapsed = report.working_days_elapsed

    def size_of(m):
        return len(calendar.working_days(m, country))

    # the department's manager days: the stand-in for a seller with too short a history
    everyone = [m.name for m in report.managers]
    pooled = pools([h for name in days.amounts for h in _history(days, [name], month, size_of)])
    groups = [(m, [m.name]) for m in report.managers]
    groups += [(t, [m.name for m in report.managers if m.team == t.name]) for t in report.teams]
    groups.append((report.department, everyone))
    for figures, members in groups:
        history = _history(days, members, month, size_of)
        own = pools(history) if len(history) >= MIN_OWN_MONTHS else None
        single = len(members) == 1
        model, basis = (own, "own") if own is not None else \
            (pooled, "department") if single and pooled is not None else (None, "too_little")
        this_month = _month_of(days, members, month, size)
        plan = float(figures.plan) if figures.plan else None
        chance, low, high = predict(model, this_month, elapsed, size, float(figures.fact), plan)
        figures.plan_chance = chance
        figures.forecast_low = None if low is None else Decimal(str(round(low, 2)))
        figures.forecast_high = None if high is None else Decimal(str(round(high, 2)))
        figures.chance_basis = basis
        figures.chance_months = model.months if model is not None else 0


# --- calibration ----------------------------------------------------------------------------

def backtest(con, country: str = calendar.DEFAULT_COUNTRY) -> dict:
    """Replay every loaded month that has a month of history before it: from its 5th, 10th
    and 15th working day, predict each planned manager's (and the department's) month-end
    fact and plan chance from what was known then, and compare with how the month ended.
    `coverage_80`: the share of month-ends inside the 80 % range; `brier`: the mean squared
    difference between the chance and the outcome (1 reached, 0 not)."""
    days = read_days(con, dt.date.today(), country)
    plans = {}
    for manager, month, plan in con.execute(
            "SELECT manager, month, sum(plan_amount)::DOUBLE FROM plans GROUP BY ALL").fetchall():
        plans[(manager, month)] = plan
    last_closed = dt.date.today().replace(day=1)
    replayed = [m for m in days.months if m < last_closed]

    def size_of(m):
        return len(calendar.working_days(m, country))

    inside, briers, months_used = [], [], set()
    everyone = list(days.amounts)
    for month in replayed:
        size = size_of(month)
        history_of = {name: _history(days, [name], month, size_of) for name in everyone}
        pooled = pools([h for hs in history_of.values() for h in hs])
        if pooled is None:
            continue
        department_plan = sum(plans.get((n, month), 0.0) for n in everyone) or None
        sellers = [([n], plans.get((n, month))) for n in everyone if plans.get((n, month))]
        sellers.append((everyone, department_plan))
        for members, plan in sellers:
            history = history_of[members[0]] if len(members) == 1 else \
                _history(days, members, month, size_of)
            own = pools(history) if len(history) >= MIN_OWN_MONTHS else None
            model = own if own is not None else pooled if len(members) == 1 else None
            if model is None:
                continue
            actual_month = _month_of(days, members, month, size)
            final = float(actual_month.sum())
            for cutoff in BACKTEST_CUTOFFS:
                if cutoff >= size:
                    continue
                fact = float(actual_month[:cutoff].sum())
                chance, low, high = predict(model, actual_month, cutoff, size, fact, plan)
                inside.append(low <= final <= high)
                if chance is not None:
                    briers.append((chance - float(final >= plan)) ** 2)
                months_used.add(month)
    return {"months": len(months_used), "predictions": len(inside),
            "coverage_80": float(np.mean(inside)) if inside else None,
            "brier": float(np.mean(briers)) if briers else None}


def basis(report) -> dict:
    """What the page says about the chances of a `sales.MonthReport`: the department's
    months, the managers whose chance stands on the department's days, whether there is
    too little history for any chance, and a closed month's outcome."""
    dept = report.department
    return {"months": dept.chance_months,
            "fallback": [m.name for m in report.managers if m.chance_basis == "department"],
            "min_months": MIN_OWN_MONTHS,
            "too_little": report.forecast_ready and all(
                f.chance_basis in (None, "too_little") for f in [*report.managers, dept]),
            "reached": None if not report.closed or not dept.plan else dept.fact >= dept.plan}
