"""The interview funnel and the slot planner.

Funnel (shared/domain.md): responded -> screened -> invited -> confirmed -> attended ->
offer -> hired; a candidate who reached a stage passed all earlier ones (the import stores
the latest stage reached). Conversion = reached this stage / reached the previous one.
The headline is attendance = attended / invited; the seeds say 1 in 5.

Slot planner: to see k candidates with show rate p, book ceil(k / p) on average; to be
c-sure of at least k, book the smallest n with P(Binomial(n, p) >= k) >= c, found with
exact binomial sums (no normal approximation) and confirmed in exact fractions.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from kpi import texts
from kpi.kinds import STAGES

SEED_SHOW_RATE = 0.2  # "1 of 5 invited candidates attends" (seed 001)
SMALL_SAMPLE = 20  # below this many invited, a rate is flagged as unreliable
GROUPINGS = {"source": "source", "vacancy": "vacancy", "recruiter": "recruiter",
             "month": "strftime(responded_on, '%Y-%m')"}
NO_VALUE = "—"


@dataclass
class Funnel:
    counts: dict[str, int]  # stage -> candidates who reached it
    days_to_hire: float | None = None  # median days from response to start

    def conversion(self, stage: str) -> float | None:
        i = STAGES.index(stage)
        return ratio(self.counts[stage], self.counts[STAGES[i - 1]]) if i else None

    @property
    def attendance_rate(self) -> float | None:
        return ratio(self.counts["attended"], self.counts["invited"])

    @property
    def hired_per_responded(self) -> float | None:
        return ratio(self.counts["hired"], self.counts["responded"])

    @property
    def attendance_interval(self) -> tuple[float, float] | None:
        return wilson(self.counts["attended"], self.counts["invited"])

    @property
    def small_sample(self) -> bool:
        return self.counts["invited"] < SMALL_SAMPLE


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """95 % Wilson score interval: honest for small samples and rates near 0 or 1."""
    if not n:
        return None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _filters(source=None, vacancy=None, recruiter=None) -> tuple[str, list]:
    where, params = [], []
    for column, value in (("source", source), ("vacancy", vacancy), ("recruiter", recruiter)):
        if value is not None:
            where.append(f"{column} IS NOT DISTINCT FROM ?")
            params.append(None if value == NO_VALUE else value)
    return (" AND ".join(where) or "true"), params


_COUNTS = ", ".join(f"count(*) FILTER (WHERE reached >= {i}) AS {s}" for i, s in enumerate(STAGES))


def funnel(con, by: str | None = None, **filters) -> tuple[Funnel, dict[str, Funnel]]:
    """The funnel overall and, with `by`, per source, vacancy, recruiter or response month."""
    where, params = _filters(**filters)
    days = ("median(date_diff('day', responded_on, hired_on)) FILTER "
            "(WHERE reached = 6 AND hired_on IS NOT NULL AND responded_on IS NOT NULL)")
    overall = con.execute(f"SELECT {_COUNTS}, {days} FROM candidates WHERE {where}",
                          params).fetchall()[0]
    groups = {}
    if by:
        key = GROUPINGS[by]  # whitelisted expression, never user text
        for row in con.execute(
                f"SELECT coalesce({key}, ?) AS g, {_COUNTS}, {days} FROM candidates "
                f"WHERE {where} GROUP BY g ORDER BY g", [NO_VALUE, *params]).fetchall():
            groups[row[0]] = _funnel(row[1:])
    return _funnel(overall), groups


def _funnel(row) -> Funnel:
    *counts, days = row
    return Funnel(dict(zip(STAGES, counts)), None if days is None else float(days))


def options(con) -> dict[str, list[str]]:
    """The sources, vacancies and recruiters present, for filters."""
    return {column: [v for (v,) in con.execute(
        f"SELECT DISTINCT coalesce({column}, ?) AS v FROM candidates ORDER BY v",
        [NO_VALUE]).fetchall()] for column in ("source", "vacancy", "recruiter")}


def measured_show_rate(con, **filters) -> tuple[float | None, int, int]:
    """attended / invited for the chosen candidates: (rate or None, attended, invited)."""
    overall, _ = funnel(con, **filters)
    return overall.attendance_rate, overall.counts["attended"], overall.counts["invited"]


@dataclass
class PlanningRate:
    rate: float
    source: str  # "given", "data", "default" (nobody invited yet), "zero" (nobody came)
    attended: int = 0
    invited: int = 0


def planning_rate(con, given: float | None = None, **filters) -> PlanningRate:
    """The show rate the slot planner uses, the page and `slots` alike: the user's, else
    the measured one, else the seeds' 1 in 5 (also when nobody has come yet: a rate of 0
    would plan infinitely many bookings)."""
    if given is not None:
        return PlanningRate(given, "given")
    rate, attended, invited = measured_show_rate(con, **filters)
    if rate is None:
        return PlanningRate(SEED_SHOW_RATE, "default", attended, invited)
    if rate == 0:
        return PlanningRate(SEED_SHOW_RATE, "zero", attended, invited)
    return PlanningRate(rate, "data", attended, invited)


# --- the slot planner -------------------------------------------------------------------------

@dataclass
class Plan:
    attendees: int
    show_rate: float
    confidence: float
    average_bookings: int  # ceil(k / p)
    bookings: int  # smallest n with P(X >= k) >= c
    probability: float  # P(X >= k) at n
    capacity: int  # how many the interviewer can see at once
    p_over_capacity: float  # P(X > capacity) at n
    distribution: list[float]  # P(X = i), i = 0..n


MAX_BOOKINGS = 2000  # more bookings than this for one slot is not a plan but a wrong rate


def log_pmf(i: int, n: int, p: float) -> float:
    """log P(Binomial(n, p) = i) by lgamma: comb(2000, 1000) ** float and 0.05 ** 2000
    overflow or vanish as floats; their logarithms do not. Assumes 0 < p < 1."""
    return (math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * math.log(p) + (n - i) * math.log1p(-p))


def distribution(n: int, p: float) -> list[float]:
    """P(X = i), i = 0..n; sums to 1 within about 1e-12 for n up to MAX_BOOKINGS."""
    if p >= 1:
        return [0.0] * n + [1.0]
    return [math.exp(log_pmf(i, n, p)) for i in range(n + 1)]


def at_least(k: int, n: int, p: float) -> float:
    """P(Binomial(n, p) >= k), summing the upper tail itself, so a small tail keeps its
    digits instead of being 1 minus something close to 1."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p >= 1:
        return 1.0
    return min(1.0, math.fsum(math.exp(log_pmf(i, n, p)) for i in range(k, n + 1)))


def _at_least_exact(k: int, n: int, p: Fraction) -> Fraction:
    """The same in exact fractions, in integers over one denominator b ** n (p = a / b):
    Horner's rule over i < k, so the cost grows with k, not with k big powers."""
    if k <= 0:
        return Fraction(1)
    a, b = p.numerator, p.denominator
    q, below, power, comb = b - a, 0, 1, 1  # power = a ** i, comb = C(n, i)
    for i in range(min(k, n + 1)):
        below = below * q + comb * power  # sum of C(n, j) a^j q^(i-j)
        power, comb = power * a, comb * (n - i) // (i + 1)
    terms = min(k, n + 1)
    return 1 - Fraction(below * q ** (n - terms + 1), b ** n)


def _first_enough(k: int, p: float, confidence: float) -> int:
    """The smallest n with P(X >= k) >= confidence in floats, in one pass: going from n to
    n + 1 bookings adds p * P(X_n = k - 1) to the tail, and P(X = k - 1) moves by the
    ratio (n + 1) / (n + 2 - k) * (1 - p), kept in logs so it never overflows."""
    if p >= 1:
        return k
    tail = math.exp(k * math.log(p))  # P(X_k >= k) = p^k; underflow to 0 is harmless
    log_edge = math.log(k) + (k - 1) * math.log(p) + math.log1p(-p)  # P(X_k = k - 1)
    n = k
    while tail < confidence - 1e-9:
        if n >= MAX_BOOKINGS:
            raise ValueError("too_many")
        tail += p * math.exp(log_edge)
        n += 1
        log_edge += math.log(n) - math.log(n - k + 1) + math.log1p(-p)
    return n


def plan(attendees: int, show_rate: float, confidence: float = 0.9,
         capacity: int | None = None) -> Plan:
    """How many to invite so that, with probability `confidence`, `attendees` come.
    ValueError("too_many") when that is over MAX_BOOKINGS (a show rate of 1e-7 would
    otherwise mean 23 million bookings and minutes of arithmetic)."""
    if attendees < 1:
        raise ValueError("attendees")
    if not 0 < show_rate <= 1:
        raise ValueError("show_rate")
    if not 0 < confidence < 1:
        raise ValueError("confidence")
    if attendees > MAX_BOOKINGS:
        raise ValueError("too_many")
    k, p = attendees, show_rate
    average = math.ceil(Fraction(str(p)) ** -1 * k)
    n = _first_enough(k, p, confidence)  # float scan, then exact confirmation
    exact_p, exact_c = Fraction(str(p)), Fraction(str(confidence))
    while _at_least_exact(k, n, exact_p) < exact_c:
        if n >= MAX_BOOKINGS:
            raise ValueError("too_many")
        n += 1
    while n > k and _at_least_exact(k, n - 1, exact_p) >= exact_c:
        n -= 1
    capacity = capacity if capacity is not None else k
    return Plan(k, p, confidence, average, n, at_least(k, n, p), capacity,
                at_least(capacity + 1, n, p), distribution(n, p))


def group_table(groups: dict[str, "Funnel"], by: str) -> tuple[list[dict], dict[str, str]]:
    """One row per group, best attendance first, and its column titles: the page's table,
    its download and `funnel --csv` are this one table."""
    rows = []
    for name, f in sorted(groups.items(), key=lambda g: -(g[1].attendance_rate or 0)):
        low_high = f.attendance_interval
        rows.append({"group": name, "responded": f.counts["responded"], "invited": f.counts["invited"],
                     "attended": f.counts["attended"], "attendance": f.attendance_rate,
                     "interval_low": low_high[0] if low_high else None,
                     "interval_high": low_high[1] if low_high else None,
                     "hired": f.counts["hired"], "hire_rate": f.hired_per_responded,
                     "flag": texts.HIRE_SMALL_SAMPLE if f.small_sample else ""})
    header = texts.HIRE_GROUP_COLUMNS | {"group": texts.HIRE_BY[by], "flag": texts.HIRE_FLAG}
    return rows, header


def to_json(overall: Funnel, groups: dict[str, Funnel]) -> dict:
    """The `funnel --json` shape of shared/cli.md."""

    def one(f: Funnel) -> dict:
        return {"counts": f.counts, "attendance_rate": f.attendance_rate,
                "hired_per_responded": f.hired_per_responded,
                "conversions": {s: f.conversion(s) for s in STAGES[1:]},
                "attendance_interval": f.attendance_interval, "small_sample": f.small_sample,
                "median_days_to_hire": f.days_to_hire}

    result = {"stages": list(STAGES), "overall": one(overall)}
    if groups:
        result["groups"] = {name: one(f) for name, f in groups.items()}
    return result


def plan_json(p: Plan, rate_source: str) -> dict:
    """The `slots --json` shape of shared/cli.md."""
    return {"show_rate": p.show_rate, "attendees": p.attendees, "confidence": p.confidence,
            "average_bookings": p.average_bookings, "bookings": p.bookings,
            "probability": p.probability, "capacity": p.capacity,
            "p_more_than_capacity": p.p_over_capacity, "rate_source": rate_source}
