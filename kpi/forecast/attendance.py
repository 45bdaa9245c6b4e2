"""Who will come to the interview: a show chance for each invited candidate, the exact
distribution of how many come, and a replay of the history that measures how well the
chances were calibrated.

The history. A candidate is a row of the stored `candidates` table. The store keeps one
row per candidate: an import replaces the response months it covers (kpi.store, as
kpi.funnel counts them), so a later export of the same month replaces the earlier one. A
candidate without a response date is filed under the month of the export's date instead,
and could then sit in two exports of different months: of those, only the rows of the
latest export date are read (`_LATEST`).

The interview day is `coalesce(interview_on, invited_on)`: many job-board and ATS exports
carry only the date of the invitation, no interview date, and then the invitation's day
stands for the interview's. A candidate invited (reached >= invited) whose interview day
lies before the export's date has a known outcome: attended = reached >= attended. One
whose day is on or after the export's date and who has not (yet) come is left out: the
export cannot know whether they will. So is one with no date at all.

The model. A logistic regression on one-hot features (source, vacancy, weekday of the
interview day, days from invitation to interview in buckets, "unknown" when the export
has no interview date), L2-regularised (a normal prior of variance 1 / L2 on each
coefficient; on the intercept the Jeffreys prior, half a past candidate who came and half
one who did not, as in the overall rate: without it a history where everyone came, or
nobody, would send the intercept to infinity and every chance to 1 or 0), fitted with
SciPy's L-BFGS on the log-loss of the past outcomes, counted per distinct feature row.
Every level has its own column, none is a reference: a level the history has never seen
(a new source) adds nothing, and its candidate gets what the other features say.

Confirmation is not a column of that regression. The store keeps the furthest stage a
candidate reached, and a later stage implies the earlier ones (shared/domain.md): every
past attendee reads as confirmed, whether or not they confirmed before the day, so in the
history "not confirmed" would mean "did not come" by construction, and a regression would
give every unconfirmed invitee a chance near 0. Instead there are two fits of the same
features: one on all past invited candidates (the chance of an invitee whose
confirmation is still open) and one on those who confirmed (the chance once a candidate
has confirmed). The backtest scores the first: before the day, whether a candidate will
confirm is not known either.

Fallbacks, per fit: with fewer than MIN_MODEL known outcomes the regression is not fitted
and everyone gets the overall rate, the posterior mean of a Beta-binomial with the
Jeffreys prior, (attended + 1/2) / (invited + 1). With fewer than MIN_RATE there is too
little data: no chance at all, said rather than guessed (a confirmed candidate then gets
the chance of an invited one, if that has one). Each answer carries its `Basis`: how many
past candidates and which of "model", "overall_rate", "too_little".

The model speaks no language: it returns numbers and codes. `basis_text` words the basis
for the reader, the same on the page and in the CLI.
"""

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from kpi.kinds import STAGES

INVITED, CONFIRMED, ATTENDED = (STAGES.index(s) for s in ("invited", "confirmed", "attended"))
MIN_MODEL = 30  # known outcomes below which the overall rate replaces the regression
MIN_RATE = 10  # known outcomes below which there is no chance at all
L2 = 1.0  # the penalty on each coefficient (the intercept is free)
# days from invitation to interview: 0, 1, 2-3, 4-7, 8 and more; "unknown" without both dates
LEAD_BUCKETS = ((0, "0"), (1, "1"), (2, "2-3"), (4, "4-7"), (8, "8+"))
UNKNOWN = "unknown"
BLOCKS = ("source", "vacancy", "weekday", "lead")
NO_VALUE = "—"  # a missing source or vacancy is a level of its own (as in kpi.funnel)
_EPOCH = dt.date(1970, 1, 1)  # a Thursday: ISO weekday = (days since it + 3) % 7 + 1

# The latest export's rows of each candidate; see the module's docstring.
_LATEST = """
    SELECT source, vacancy, invited_on, interview_on, reached, as_of,
           coalesce(interview_on, invited_on) AS day
    FROM candidates
    QUALIFY as_of = max(as_of) OVER (PARTITION BY candidate, vacancy, responded_on)"""
# Dates as days since 1970-01-01 (-1: no lead, the export has no interview date).
_KNOWN = f"""
    SELECT coalesce(source, '{NO_VALUE}') AS source, coalesce(vacancy, '{NO_VALUE}') AS vacancy,
           date_diff('day', DATE '1970-01-01', day) AS day,
           coalesce(date_diff('day', invited_on, interview_on), -1) AS lead,
           reached >= {CONFIRMED} AS confirmed, reached >= {ATTENDED} AS attended
    FROM ({_LATEST})
    WHERE reached >= {INVITED} AND day IS NOT NULL AND (day < as_of OR reached >= {ATTENDED})
    ORDER BY day"""


# --- features -----------------------------------------------------------------------------------

def lead_labels(lead_days: np.ndarray) -> np.ndarray:
    """Days from invitation to interview in buckets; "unknown" for -1 (no interview date:
    the interview day is then the invitation's) or a negative count (a typing error)."""
    lead_days = np.asarray(lead_days, dtype=np.int64)
    starts = np.array([s for s, _ in LEAD_BUCKETS])
    names = np.array([n for _, n in LEAD_BUCKETS] + [UNKNOWN])
    index = np.searchsorted(starts, lead_days, side="right") - 1
    return names[np.where(lead_days < 0, len(LEAD_BUCKETS), index)]


def weekday_labels(days: np.ndarray) -> np.ndarray:
    """ISO weekday ("1" Monday .. "7" Sunday) of days counted from 1970-01-01; "unknown"
    for a missing day (marked by None in `days`)."""
    out = np.full(len(days), UNKNOWN, dtype=object)
    for i, d in enumerate(days):
        if d is not None:
            out[i] = str((d + 3) % 7 + 1)
    return out


def _history_features(columns: dict) -> dict[str, np.ndarray]:
    days = columns["day"].astype(np.int64)
    return {"source": columns["source"].astype(str), "vacancy": columns["vacancy"].astype(str),
            "weekday": ((days + 3) % 7 + 1).astype(str), "lead": lead_labels(columns["lead"])}


def row_features(rows: list[dict]) -> dict[str, np.ndarray]:
    """The model's features of candidate rows (the candidates export's fields)."""

    def days(d):
        return None if d is None else (d - _EPOCH).days

    leads = [days(r["interview_on"]) - days(r["invited_on"])
             if r.get("interview_on") and r.get("invited_on") else -1 for r in rows]
    return {"source": np.array([r.get("source") or NO_VALUE for r in rows], dtype=str),
            "vacancy": np.array([r.get("vacancy") or NO_VALUE for r in rows], dtype=str),
            "weekday": weekday_labels([days(r.get("interview_on") or r.get("invited_on")) for r in rows]).astype(str),
            "lead": lead_labels(np.array(leads, dtype=np.int64))}


# --- fitting --------------------------------------------------------------------------------------

@dataclass
class Basis:
    """How sure a chance is: on how many past candidates with a known outcome, how many of
    them came, and which fit gave it ("model", "overall_rate" or "too_little")."""

    invited: int
    attended: int
    model: str

    def to_json(self) -> dict:
        return {"invited": self.invited, "attended": self.attended, "model": self.model}


@dataclass
class Fit:
    basis: Basis
    rate: float | None  # the overall Jeffreys rate (None: too little data)
    coef: np.ndarray | None = None  # the regression's: intercept first, then per column


def jeffreys_rate(attended: int, invited: int) -> float:
    """The posterior mean of the show rate under a Beta(1/2, 1/2) prior."""
    return (attended + 0.5) / (invited + 1)


class Encoding:
    """Each block's levels as integer codes, and as columns of one design matrix (column 0
    is the intercept)."""

    def __init__(self, features: dict[str, np.ndarray]):
        self.levels, self.codes, self.sizes, self.offsets = {}, [], [], []
        offset = 1
        for block in BLOCKS:
            values, inverse = np.unique(features[block], return_inverse=True)
            self.levels[block] = {str(v): i for i, v in enumerate(values)}
            self.codes.append(inverse.reshape(-1))
            self.sizes.append(len(values))
            self.offsets.append(offset)
            offset += len(values)
        self.width = offset
        self.codes = np.stack(self.codes, axis=1) if self.codes[0].size else np.zeros((0, len(BLOCKS)), int)

    def columns(self, features: dict[str, np.ndarray]) -> np.ndarray:
        """The design columns of new rows (-1 for a level never seen)."""
        out = np.full((len(features[BLOCKS[0]]), len(BLOCKS)), -1, dtype=np.int64)
        for j, block in enumerate(BLOCKS):
            levels = self.levels[block]
            out[:, j] = [self.offsets[j] + levels[v] if v in levels else -1 for v in features[block]]
        return out


def fit(encoding: Encoding, rows: np.ndarray, attended: np.ndarray,
        start: np.ndarray | None = None) -> Fit:
    """The fit for the past outcomes of `rows` (indexes into the encoding), or the fallback
    the amount of data allows. `start`: coefficients to start from (last month's)."""
    n, k = len(rows), int(np.sum(attended[rows]))
    if n < MIN_RATE:
        return Fit(Basis(n, k, "too_little"), None)
    rate = jeffreys_rate(k, n)
    if n < MIN_MODEL:
        return Fit(Basis(n, k, "overall_rate"), rate)
    # one design row per distinct combination of levels, with its count and attendees
    key = np.ravel_multi_index(tuple(encoding.codes[rows].T), encoding.sizes)
    combos, inverse = np.unique(key, return_inverse=True)
    trials = np.bincount(inverse, minlength=len(combos)).astype(float)
    successes = np.bincount(inverse, weights=attended[rows].astype(float), minlength=len(combos))
    local = np.unravel_index(combos, encoding.sizes)
    design = np.zeros((len(combos), encoding.width))
    design[:, 0] = 1
    for j, codes in enumerate(local):
        design[np.arange(len(combos)), encoding.offsets[j] + codes] = 1
    penalty = np.full(encoding.width, L2)
    penalty[0] = 0

    def loss(beta):
        eta = design @ beta
        value = np.sum(trials * np.logaddexp(0, eta) - successes * eta) + 0.5 * np.sum(penalty * beta ** 2)
        gradient = design.T @ (trials * _sigmoid(eta) - successes) + penalty * beta
        # the Jeffreys prior on the intercept: half a success and half a failure
        value += np.logaddexp(0, beta[0]) - 0.5 * beta[0]
        gradient[0] += _sigmoid(np.array([beta[0]]))[0] - 0.5
        return value, gradient

    if start is None:
        start = np.zeros(encoding.width)
        start[0] = math.log(rate / (1 - rate))
    found = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    return Fit(Basis(n, k, "model"), rate, found.x)


def _sigmoid(eta: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * eta))  # = 1 / (1 + exp(-eta)), without overflow


def predict(one: Fit, columns: np.ndarray) -> np.ndarray | None:
    if one.rate is None:
        return None
    if one.coef is None:
        return np.full(len(columns), one.rate)
    eta = np.full(len(columns), one.coef[0])
    for j in range(columns.shape[1]):
        known = columns[:, j] >= 0
        eta[known] += one.coef[columns[known, j]]
    return _sigmoid(eta)


@dataclass
class Model:
    encoding: Encoding
    invited: Fit  # any invited candidate, confirmation still open
    confirmed: Fit  # a candidate who has confirmed

    @property
    def basis(self) -> Basis:
        return self.invited.basis

    def chances(self, features: dict[str, np.ndarray], confirmed) -> np.ndarray | None:
        """The show chance of each row; None when there is too little data."""
        columns = self.encoding.columns(features)
        chance = predict(self.invited, columns)
        if chance is None:
            return None
        after = predict(self.confirmed, columns)
        confirmed = np.asarray(confirmed, dtype=bool)
        if after is not None:
            chance = np.where(confirmed, after, chance)
        return chance


def history(con) -> dict[str, np.ndarray]:
    """The past invited candidates with a known outcome, by interview day (days since
    1970-01-01): source, vacancy, day, lead, confirmed, attended."""
    columns = con.execute(_KNOWN).fetchnumpy()
    return {k: np.asarray(v) for k, v in columns.items()}


def model(con) -> Model:
    """The show-chance model from everything stored."""
    past = history(con)
    encoding = Encoding(_history_features(past))
    attended = past["attended"].astype(bool)
    everyone = np.arange(len(attended))
    return Model(encoding, fit(encoding, everyone, attended),
                 fit(encoding, np.flatnonzero(past["confirmed"]), attended))


# --- the distribution of how many come ------------------------------------------------------------

def poisson_binomial(chances) -> np.ndarray:
    """P(exactly i of them come), i = 0..n, when each comes independently with their own
    chance: the distribution is built one candidate at a time (a convolution with
    [1 - p, p]), exact up to rounding, not one rate for all."""
    dist = np.ones(1)
    for p in chances:
        dist = np.concatenate([dist * (1 - p), [0.0]]) + np.concatenate([[0.0], dist * p])
    return dist


def quantile(dist: np.ndarray, q: float) -> int:
    """The smallest count whose cumulative probability reaches q."""
    return int(min(len(dist) - 1, np.searchsorted(np.cumsum(dist), q - 1e-12)))


def more_than(dist, capacity: int) -> float:
    """P(more than `capacity` come), summing the upper tail itself (the whole of it for a
    negative capacity: a negative slice start would count from the end)."""
    start = max(capacity + 1, 0)
    return float(min(1.0, math.fsum(dist[start:]))) if start < len(dist) else 0.0


@dataclass
class Chances:
    candidates: list[dict]  # candidate, source, vacancy, day, confirmed, show_chance, known
    basis: Basis
    confirmed_basis: Basis
    distribution: list[float] | None  # P(i come), i = 0..n; None with too little data
    expected: float | None
    capacity: int | None
    p_more_than_capacity: float | None
    range_80: tuple[int, int] | None  # [q10, q90] of the distribution
    call_order: list[int]  # indexes of the unconfirmed candidates, lowest chance first

    @property
    def call_first(self) -> list[str]:
        return [self.candidates[i]["candidate"] for i in self.call_order]


def show_chances(con, invited_rows: list[dict], capacity: int | None = None,
                 fitted: Model | None = None) -> Chances:
    """The show chance of each invited candidate (rows with the candidates export's fields:
    candidate, source, vacancy, invited_on, interview_on, reached, refused), how many will
    come, the chance of more than `capacity`, and whom to call first to confirm.

    A row that already says the outcome counts as known: one marked as attended has chance
    1, one who refused (and did not come) 0. `fitted`: a model already fitted on the same
    store."""
    fitted = fitted or model(con)
    confirmed = [(r.get("reached") or 0) >= CONFIRMED for r in invited_rows]
    raw = fitted.chances(row_features(invited_rows), confirmed)
    people = []
    for i, r in enumerate(invited_rows):
        known = 1.0 if (r.get("reached") or 0) >= ATTENDED else 0.0 if r.get("refused") else None
        chance = known if known is not None else (None if raw is None else float(raw[i]))
        people.append({"candidate": r.get("candidate"), "source": r.get("source"),
                       "vacancy": r.get("vacancy"),
                       "day": r.get("interview_on") or r.get("invited_on"),
                       "confirmed": confirmed[i], "show_chance": chance, "known": known is not None})
    if raw is None:
        return Chances(people, fitted.basis, fitted.confirmed.basis, None, None, capacity, None, None, [])
    chances = [p["show_chance"] for p in people]
    dist = poisson_binomial(chances)
    to_call = sorted((i for i, p in enumerate(people) if not p["confirmed"] and not p["known"]),
                     key=lambda i: (people[i]["show_chance"], i))
    return Chances(
        people, fitted.basis, fitted.confirmed.basis, [float(x) for x in dist],
        float(math.fsum(chances)), capacity,
        None if capacity is None else more_than(dist, capacity),
        (quantile(dist, 0.1), quantile(dist, 0.9)), to_call)


def to_json(result: Chances) -> dict:
    """The `slots --invited --json` shape of shared/cli.md, with `confirmed` per candidate,
    `range_80`, `call_first` and `basis` added."""
    return {"candidates": [{"candidate": p["candidate"], "show_chance": p["show_chance"],
                            "confirmed": p["confirmed"]} for p in result.candidates],
            "expected_attendees": result.expected, "distribution": result.distribution,
            "capacity": result.capacity, "p_more_than_capacity": result.p_more_than_capacity,
            "range_80": list(result.range_80) if result.range_80 else None,
            "call_first": result.call_first,
            "basis": result.basis.to_json() | {"confirmed": result.confirmed_basis.to_json()}}


def basis_text(result: Chances) -> str:
    """How sure the chances are, in the reader's language."""
    from kpi import texts
    from kpi.formatting import fmt_ratio

    b = result.basis
    if b.model == "too_little":
        return texts.ATTEND_BASIS_LITTLE.format(invited=b.invited, min=MIN_RATE)
    if b.model == "overall_rate":
        return texts.ATTEND_BASIS_RATE.format(invited=b.invited, attended=b.attended,
                                              rate=fmt_ratio(jeffreys_rate(b.attended, b.invited)))
    text = texts.ATTEND_BASIS_MODEL.format(invited=b.invited, attended=b.attended)
    if result.confirmed_basis.model != "model" and any(p["confirmed"] for p in result.candidates):
        text += " " + texts.ATTEND_BASIS_CONFIRMED_FEW.format(confirmed=result.confirmed_basis.invited)
    return text


def entered(candidate: str, source: str | None = None, vacancy: str | None = None,
            interview_on: dt.date | None = None, confirmed: bool = False) -> dict:
    """A candidate typed in by hand (the page's table), as an export's row."""
    return {"candidate": candidate, "source": source or None, "vacancy": vacancy or None,
            "invited_on": None, "interview_on": interview_on,
            "reached": CONFIRMED if confirmed else INVITED, "refused": False}


# --- calibration ----------------------------------------------------------------------------------

def backtest(con) -> dict:
    """Replay the history: each past interview day's attendance predicted from a fit on
    earlier days only (refitted once per calendar month, on the days before the month's
    first day), compared with what happened. The chance scored is an invited candidate's
    (confirmation still open; see the module's docstring).

    `brier`: the mean over candidates of (chance - attended)^2. `coverage_80`: the share
    of days whose actual number of attendees lies in [q10, q90] of that day's
    Poisson-binomial distribution, q10 the smallest count with P(X <= q10) >= 0.1 and q90
    the smallest with P(X <= q90) >= 0.9. The distribution is discrete: that range holds
    at least 80 % of its probability, often more (all of it for a day of one candidate),
    so a calibrated model covers a little over 80 % of days. Days with too little data
    before them get no prediction: they are counted in `skipped_days`, not scored."""
    past = history(con)
    empty = {"days": 0, "coverage_80": None, "brier": None, "candidates": 0, "skipped_days": 0}
    if not len(past["day"]):
        return empty
    encoding = Encoding(_history_features(past))
    attended = past["attended"].astype(bool)
    days = past["day"].astype(np.int64)
    months = (np.datetime64("1970-01-01") + days.astype("timedelta64[D]")).astype("datetime64[M]")
    chance = np.full(len(days), np.nan)
    columns = encoding.codes + np.array(encoding.offsets)
    previous = None
    for month in np.unique(months):
        first = (month.astype("datetime64[D]") - np.datetime64("1970-01-01")).astype(np.int64)
        cut = int(np.searchsorted(days, first))  # rows are by day: the earlier ones first
        one = fit(encoding, np.arange(cut), attended, previous)
        previous = one.coef
        inside = np.flatnonzero(months == month)
        predicted = predict(one, columns[inside])
        if predicted is not None:
            chance[inside] = predicted
    scored = ~np.isnan(chance)
    _, starts = np.unique(days, return_index=True)
    bounds = [*starts, len(days)]
    covered = n_days = skipped = 0
    for a, b in zip(bounds[:-1], bounds[1:]):
        if not scored[a]:
            skipped += 1
            continue
        dist = poisson_binomial(chance[a:b])
        came = int(np.sum(attended[a:b]))
        n_days += 1
        covered += quantile(dist, 0.1) <= came <= quantile(dist, 0.9)
    if not n_days:
        return empty | {"skipped_days": skipped}
    return {"days": n_days, "coverage_80": covered / n_days,
            "brier": float(np.mean((chance[scored] - attended[scored]) ** 2)),
            "candidates": int(np.sum(scored)), "skipped_days": skipped}
