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
days instead, when those span that many months (said as `basis = "department"`); with no
usable history anywhere the chance is not guessed (`basis = "too_little"`). `backtest` replays the loaded history to measure how
well the chances and ranges are calibrated.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy import special

from kpi import calendar

EARLY_DAYS = 3  # as kpi.sales.EARLY_DAYS: where last month's deals land
HISTORY_MONTHS = 12  # a year of months: older ones describe another market
MIN_OWN_MONTHS = 2  # fewer past months: the department's manager days stand in
RANGE = (0.1, 0.9)  # the 80 % range
# a variance below this share of the days' mean square is what rounding leaves of identical
# amounts (sums of squares that differ in the last digits), not a variance
ROUNDING = 1e-9
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


def month_stats(month: np.ndarray) -> np.ndarray:
    """A month's days as counts, sums and sums of squares of its early and ordinary days:
    enough for every statistic `pools` needs, and cheap to stack for many months."""
    early, ordinary = month[:EARLY_DAYS], month[EARLY_DAYS:]
    return np.array([len(early), early.sum(), (early * early).sum(),
                     len(ordinary), ordinary.sum(), (ordinary * ordinary).sum()])


def pools(history: list[np.ndarray]) -> Pools | None:
    """The pools of a list of past months (each an array of amounts per working day)."""
    return pools_of(np.array([month_stats(m) for m in history])) if history else None


def pools_of(stats: np.ndarray) -> Pools | None:
    """The pools of stacked `month_stats` rows."""
    if len(stats) == 0:
        return None
    n_e, s_e, q_e, n_o, s_o, q_o = stats.T
    stats = stats[n_o > 0]
    n_o, s_o, q_o = stats[:, 3], stats[:, 4], stats[:, 5]
    days = n_o.sum()
    if days < 2:
        return None
    mean = float(s_o.sum() / days)
    # within: pooled variance around each month's own mean; between: what the spread of the
    # month means adds over the noise a month of days would show anyway
    square = float(q_o.sum() / days)
    spread = (q_o - s_o * s_o / n_o).sum()
    within = _real(float(max(spread, 0.0) / max(days - len(n_o), 1)), square)
    noise = within / n_o.mean()
    between = _real(float((s_o / n_o).var(ddof=1)), square) - noise if len(n_o) > 1 else 0.0
    # never fewer than the noise itself: a few months cannot show that months never differ
    between = max(between, noise)
    early_n = n_e.sum()
    early_mean = float(s_e.sum() / early_n) if early_n else mean
    early_var = _real(float(max(q_e.sum() - early_n * early_mean ** 2, 0.0) / (early_n - 1)),
                      float(q_e.sum() / early_n)) if early_n > 1 else 0.0
    return Pools(len(n_e), early_mean, early_var, mean, within, between)


def _real(variance: float, square: float) -> float:
    """`variance`, or 0 where it is only rounding (see ROUNDING)."""
    return variance if variance > ROUNDING * square else 0.0


def reached(amount: float, plan: float) -> bool:
    """Whether `amount` reaches `plan`, in kopecks: a float sum of kopeck amounts may miss
    the plan it equals by a last digit."""
    return round(amount, 2) >= round(plan, 2)


def remaining(p: Pools, month: np.ndarray, elapsed: int, working_days: int) -> tuple[float, float]:
    """Mean and variance of what the month's remaining working days bring, given its
    first `elapsed` days (`month[:elapsed]`)."""
    seen = month[EARLY_DAYS:elapsed]  # this month's ordinary days so far
    if len(seen) and p.within > 0 and p.between > 0:
        precision = 1 / p.between + len(seen) / p.within
        level = (p.mean / p.between + seen.sum() / p.within) / precision
        level_var = 1 / precision
    elif len(seen) and p.within == 0:  # days never differ inside a month: this month's tell its level
        level, level_var = float(seen.mean()), 0.0
    else:
        level, level_var = p.mean, p.between
    early_left = max(0, min(EARLY_DAYS, working_days) - elapsed)
    ordinary_left = working_days - max(elapsed, min(EARLY_DAYS, working_days))
    mean = early_left * p.early_mean + ordinary_left * level
    var = early_left * p.early_var + ordinary_left * p.within + ordinary_left ** 2 * level_var
    return mean, max(var, 0.0)


class _Remaining:
    """What the remaining days bring: Gamma(mean, var) when the mean is positive, else
    normal. SciPy's special functions, not its frozen distributions: the backtest asks
    tens of thousands of times, and building a frozen distribution costs a millisecond."""

    def __init__(self, mean: float, var: float):
        self.gamma = mean > 0
        self.shape, self.scale = (mean * mean / var, var / mean) if self.gamma else (mean, var ** 0.5)

    def ppf(self, qs):
        q = np.asarray(qs)
        if self.gamma:
            return special.gammaincinv(self.shape, q) * self.scale
        return self.shape + self.scale * special.ndtri(q)

    def sf(self, x: float) -> float:
        if self.gamma:
            return float(special.gammaincc(self.shape, max(x, 0.0) / self.scale))
        return float(special.ndtr((self.shape - x) / self.scale))


def _distribution(mean: float, var: float):
    return _Remaining(mean, var) if var > 0 else None


def predict(p: Pools | None, month: np.ndarray, elapsed: int, working_days: int,
            fact: float, plan: float | None) -> tuple[float | None, float | None, float | None]:
    """(chance, low, high) of a month `elapsed` working days in, with `fact` so far."""
    if plan is not None and plan > 0 and reached(fact, plan):
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
            chance = float(reached(fact + mean, plan))
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


def read_days(con, until: dt.date, country: str, since: dt.date | None = None,
              table: str = "sales") -> Days:
    """Sales per manager per working day, from `since` (or the first loaded month) to the
    end of `until`'s month; `table`: "sales" (what the user's scope shows) or
    "department_sales" (everyone's). Grouped with numpy: 300 managers' year is 90,000 day rows."""
    if table not in ("sales", "department_sales"):
        raise ValueError(table)
    end = calendar.month_end(until)
    got = con.execute(
        f"""SELECT manager, CAST(doc_date AS DATE) AS day, sum(amount)::DOUBLE AS amount
           FROM {table} WHERE doc_date < $next AND ($since IS NULL OR doc_date >= $since)
           GROUP BY ALL ORDER BY manager, day""",
        {"next": end + dt.timedelta(days=1), "since": since}).fetchnumpy()
    if not len(got["amount"]):
        return Days([], {}, {})
    days = np.asarray(got["day"]).astype("datetime64[D]")
    month_of_row = days.astype("datetime64[M]")
    day_of_month = (days - month_of_row.astype("datetime64[D]")).astype(np.int64)
    first_month = month_of_row.min().astype(dt.date)
    months, m = [], first_month
    while m <= until.replace(day=1):
        months.append(m)
        m = calendar.month_end(m) + dt.timedelta(days=1)
    code = {np.datetime64(m, "M"): i for i, m in enumerate(months)}
    month_code = np.array([code[v] for v in np.unique(month_of_row)])[
        np.unique(month_of_row, return_inverse=True)[1]]
    # each row's working day within its month
    working = np.empty(len(days), dtype=np.int64)
    for i in np.unique(month_code):
        rows = month_code == i
        working[rows] = _day_index(months[i], country)[day_of_month[rows]]
    sizes = [len(calendar.working_days(m, country)) for m in months]
    managers = np.asarray(got["manager"], dtype=object)
    amounts_in = np.asarray(got["amount"], dtype=np.float64)
    # rows come ordered by manager, then day: split where the (manager, month) pair changes
    key_change = np.flatnonzero((managers[1:] != managers[:-1]) | (month_code[1:] != month_code[:-1])) + 1
    amounts: dict[str, dict[dt.date, np.ndarray]] = {}
    first: dict[str, dt.date] = {}
    for start, stop in zip(np.r_[0, key_change], np.r_[key_change, len(days)]):
        manager, i = managers[start], int(month_code[start])
        month = np.zeros(sizes[i])
        np.add.at(month, working[start:stop], amounts_in[start:stop])
        amounts.setdefault(manager, {})[months[i]] = month
        first.setdefault(manager, months[i])  # ordered by day: the first seen is the first
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


def _stats(history: list[np.ndarray]) -> np.ndarray:
    return np.array([month_stats(m) for m in history]).reshape(-1, 6)


def _stand_in(windows) -> Pools | None:
    """The department's manager days (every seller's stacked past `month_stats`): the model
    of a seller with too short a history, only when they span MIN_OWN_MONTHS months
    themselves: one month of everyone cannot tell a good month from a bad one (its chances
    were overconfident)."""
    windows = [w for w in windows if len(w)]
    return pools_of(np.concatenate(windows)) \
        if windows and max(map(len, windows)) >= MIN_OWN_MONTHS else None


def _model(own: np.ndarray | None, stand_in: Pools | None, single: bool) -> tuple[Pools | None, str]:
    """A seller's model and its basis: their own past months (`own`, stacked `month_stats`)
    when there are enough, else, for one manager, the department's stand-in."""
    if own is not None and len(own) >= MIN_OWN_MONTHS:
        return pools_of(own), "own"
    if single and stand_in is not None:
        return stand_in, "department"
    return None, "too_little"


def add_chances(con, report) -> None:
    """Set the chance and range on every manager, team and the department of a
    `sales.MonthReport` (`plan_chance`, `forecast_low`, `forecast_high`, `chance_basis`,
    `chance_months`). Nothing for a closed month or before the forecast is shown, as the
    straight-line forecast."""
    if not report.forecast_ready:
        return
    month, country = report.month, report.country
    since = (month - dt.timedelta(days=31 * HISTORY_MONTHS)).replace(day=1)
    # the whole department's days, whoever looks: a seller with a short history stands on the
    # department's manager days for a manager or a head as for the director (the groups below
    # are the report's sellers, whom the scope has chosen)
    days = read_days(con, month, country, since, table="department_sales")
    size = report.working_days
    elapsed = report.working_days_elapsed

    def size_of(m):
        return len(calendar.working_days(m, country))

    # each seller's past months once: their own model, and together the department's stand-in
    history_of = {name: _stats(_history(days, [name], month, size_of)) for name in days.amounts}
    stand_in = _stand_in(history_of.values())
    everyone = [m.name for m in report.managers]
    groups = [(m, [m.name]) for m in report.managers]
    groups += [(t, [m.name for m in report.managers if m.team == t.name]) for t in report.teams]
    groups.append((report.department, everyone))
    for figures, members in groups:
        single = len(members) == 1
        history = history_of.get(members[0]) if single else _stats(_history(days, members, month, size_of))
        model, basis = _model(history, stand_in, single)
        this_month = _month_of(days, members, month, size)
        plan = float(figures.plan) if figures.plan else None
        # days already in the fact are not still to come: with documents dated after "today"
        # (pre-dated, or `--today` set back) the month is further in than the calendar says
        sold = np.flatnonzero(this_month)
        known = max(elapsed, int(sold[-1]) + 1 if len(sold) else 0)
        chance, low, high = predict(model, this_month, known, size, float(figures.fact), plan)
        figures.plan_chance = chance
        figures.forecast_low = None if low is None else Decimal(str(round(low, 2)))
        figures.forecast_high = None if high is None else Decimal(str(round(high, 2)))
        figures.chance_basis = basis
        figures.chance_months = model.months if model is not None else 0


# --- calibration ----------------------------------------------------------------------------

def backtest(con, country: str = calendar.DEFAULT_COUNTRY) -> dict:
    """Replay every loaded month that has a month of history before it: from its 5th, 10th
    and 15th working day, predict each selling or planned manager's (and the department's)
    month-end fact, and the plan chance where there is a plan, from what was known then, and
    compare with how the month ended.
    `coverage_80`: the share of month-ends inside the 80 % range; `brier`: the mean squared
    difference between the chance and the outcome (1 reached, 0 not)."""
    days = read_days(con, dt.date.today(), country)
    if not days.months:
        return {"months": 0, "predictions": 0, "coverage_80": None, "brier": None}
    plans = {(manager, month): plan for manager, month, plan in con.execute(
        "SELECT manager, month, sum(plan_amount)::DOUBLE FROM plans GROUP BY ALL").fetchall()}
    this_month = dt.date.today().replace(day=1)
    sizes = [len(calendar.working_days(m, country)) for m in days.months]
    everyone = list(days.amounts)
    # every seller's months as arrays and as stacked month_stats, once
    arrays = {name: [_month_of(days, [name], m, size) for m, size in zip(days.months, sizes)]
              for name in everyone}
    department = [sum((arrays[n][i] for n in everyone), np.zeros(size)) for i, size in enumerate(sizes)]
    stats_of = {name: np.array([month_stats(a) for a in months]) for name, months in arrays.items()}
    department_stats = np.array([month_stats(a) for a in department])
    start = {name: days.months.index(days.first[name]) for name in everyone}

    planned = {month for _, month in plans}
    inside, briers, months_used = [], [], set()
    for i, month in enumerate(days.months):
        if month >= this_month or not (department[i].any() or month in planned):
            continue  # open, or nothing loaded for it (a gap, a stray old row): no outcome
        windows = {n: stats_of[n][max(start[n], i - HISTORY_MONTHS):i] for n in everyone if start[n] < i}
        stand_in = _stand_in(windows.values())
        if stand_in is None:
            continue
        # everyone who sold or had a plan that month (the range needs no plan, the chance does)
        sellers = [(arrays[n][i], windows.get(n), plans.get((n, month))) for n in everyone
                   if plans.get((n, month)) or arrays[n][i].any()]
        sellers.append((department[i], department_stats[max(0, i - HISTORY_MONTHS):i],
                        sum(plans.get((n, month), 0.0) for n in everyone) or None))
        for actual, window, plan in sellers:
            model, _ = _model(window, stand_in, actual is not department[i])
            if model is None:
                continue
            final = float(actual.sum())
            for cutoff in BACKTEST_CUTOFFS:
                if cutoff >= sizes[i]:
                    continue
                chance, low, high = predict(model, actual, cutoff, sizes[i], float(actual[:cutoff].sum()), plan)
                inside.append(round(low, 2) <= round(final, 2) <= round(high, 2))  # in kopecks
                if chance is not None:
                    briers.append((chance - float(reached(final, plan))) ** 2)
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
