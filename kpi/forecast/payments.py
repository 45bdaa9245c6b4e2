"""When a debtor will pay: payment history read from the receivables snapshots, a
Kaplan-Meier estimate of how late documents are paid, and from it each debtor's expected
payment date and the expected inflow by week.

**Payment history.** The store keeps one set of rows per snapshot date (`as_of`): loading a
snapshot of the same date again replaces it whole, and deleting an import deletes its rows
(kpi.store), so every row in `receivables` belongs to a live import and each snapshot date
is told once. A document (matched as in `kpi.receivables.compare`: client, document number,
document date) with a debt in snapshot s1 and missing from the next snapshot s2 was paid
between the two; we do not know the day, so we take the **midpoint**, s1 + ceil((s2 - s1) / 2)
days (a whole day: the later one when the gap is odd; s2 itself for daily snapshots). Its
**lateness** = payment date - due date in days (negative: paid early), the due date as
`kpi.receivables` reads it (`DUE_SQL`: the due date, else document date + deferral). A
document with neither has no term and no lateness: it is left out of the history and of the
forecast (the ageing shows it apart, as "no term").

A document still open at the last snapshot is a **censored** observation: paid later than
(last snapshot - due), day unknown. A document is watched only from the first snapshot it
appears in (one issued and paid between two snapshots is never seen), so it enters the
risk set at (first snapshot - due): Kaplan-Meier with delayed entry. Ignoring either would
make debtors look faster than they are: long-unpaid documents would be dropped, and the
quick payers seen only once would count as if every quick payment were seen.

**Per client.** A client with at least `MIN_PAID` paid documents is forecast from its own
history; otherwise from the pooled history of all clients (of the whole department: a
manager's view forecasts its own clients from the department's experience), when that has
at least `MIN_PAID` paid documents; otherwise there is too little data and the answer is
None. Only the snapshots up to the one forecast from are read: what happened after it is
not known on that day.

**Forecast.** A document `d` days overdue on the as-of day (`d` <= 0: not yet due) is unpaid
then, so its lateness T > d: its expected payment date is due + the median of T given T > d,
and its chance to be paid in a week is P(T in the week | T > d). Beyond the latest paid
lateness the history has seen, Kaplan-Meier knows nothing: a document overdue longer than
anything paid gets no date (None) and adds nothing to the inflow.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from kpi.formatting import json_money
from kpi.receivables import DUE_SQL, pick_snapshot

MIN_PAID = 3  # paid documents a distribution needs: a client's own, else the pooled one
WEEKS = 4  # the expected inflow covers this many ISO weeks after the as-of date
OWN, POOLED = "own", "pooled"
_HALF = math.log(0.5) + 1e-9  # survival at or below one half (rounding of the log sums aside)
SPAN = 1 << 20  # each stratum's days lie within SPAN / 4 of its key: strata never overlap


@dataclass
class Lateness:
    """Kaplan-Meier estimates of the lateness distribution, one per stratum (stratum 0 alone
    unless asked: the forecast keeps the pooled history and each client's own as strata, to
    answer every document at once). At each lateness at which documents of a stratum were
    paid (days), the hazard = paid that day / at risk that day. P(T > t | T > d) is the
    product of (1 - hazard) over the paid days in (d, t]: kept as running sums of
    log(1 - hazard) and of the days on which everyone at risk paid (hazard 1: survival 0)."""

    keys: np.ndarray  # stratum x SPAN + lateness of each paid day, ascending
    hazards: np.ndarray
    paid: int  # paid documents it stands on (all strata)
    open: int  # documents still open at the last snapshot (censored)
    _logs: np.ndarray = field(init=False, repr=False)
    _sure: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        sure = self.hazards >= 1
        self._logs = np.concatenate([[0.0], np.cumsum(np.log1p(-np.where(sure, 0.0, self.hazards)))])
        self._sure = np.concatenate([[0], np.cumsum(sure)])

    @property
    def times(self) -> np.ndarray:
        return self.keys - _stratum(self.keys) * SPAN

    def _index(self, t, stratum):
        """How many paid days come before (stratum, t], the days of lower strata included."""
        return np.searchsorted(self.keys, _key(t, stratum), side="right")

    def survival(self, t, after=-math.inf, stratum=0):
        """P(T > t | T > after); 1 for t <= after. Scalars or arrays (broadcast)."""
        i, j = self._index(after, stratum), self._index(np.maximum(t, after), stratum)
        s = np.where(self._sure[j] > self._sure[i], 0.0, np.exp(self._logs[j] - self._logs[i]))
        return float(s) if np.ndim(s) == 0 else s

    def medians(self, after, stratum=0) -> np.ndarray:
        """For each `after`, the smallest lateness t > after with P(T > t | T > after) <= 1/2;
        NaN where the history never gets there (too many still open, or nothing paid later)."""
        after, stratum = np.broadcast_arrays(np.asarray(after, dtype=float), np.asarray(stratum))
        i = self._index(after, stratum)
        first_sure = np.searchsorted(self._sure, self._sure[i], side="right")
        first_half = np.searchsorted(-self._logs, -self._logs[i] - _HALF, side="left")
        j = np.minimum(np.minimum(first_sure, first_half) - 1, len(self.keys))  # the paid day
        key = np.append(self.keys, np.inf)[j]
        return np.where(_stratum(key) == stratum, key - stratum * SPAN, np.nan)

    def median(self, after=-math.inf, stratum=0) -> float | None:
        value = float(self.medians(np.array([after]), stratum)[0])
        return None if math.isnan(value) else value


def _key(t, stratum):
    return np.asarray(stratum) * SPAN + np.clip(t, -SPAN / 4, SPAN / 4)


def _stratum(key):
    return np.floor((np.asarray(key) + SPAN / 2) / SPAN)


def kaplan_meier(exit_days, paid, entry_days=None, strata=None) -> Lateness:
    """Kaplan-Meier with delayed entry, in a few lines of numpy. Each document: `exit_days`
    its lateness when `paid`, else the lateness it was known to exceed (censored); entry the
    lateness it was first seen unpaid at (it is at risk on day t when entry < t <= exit).
    Censored on the day of a payment counts as still at risk that day. `strata`: a whole
    number per document, one estimate per value."""
    paid = np.asarray(paid, dtype=bool)
    strata = np.zeros(paid.shape) if strata is None else np.asarray(strata)
    exits = _key(np.asarray(exit_days, dtype=float), strata)
    entries = _key(np.full(paid.shape, -np.inf) if entry_days is None else np.asarray(entry_days, dtype=float),
                   strata)
    keys, events = np.unique(exits[paid], return_counts=True)
    # at risk on day t: entered before t, minus those gone before t (entry <= exit for all;
    # the documents of lower strata count in both and cancel out)
    at_risk = (np.searchsorted(np.sort(entries), keys, side="left")
               - np.searchsorted(np.sort(exits), keys, side="left"))
    hazards = events / np.maximum(at_risk, 1)
    return Lateness(keys, hazards, int(paid.sum()), int((~paid).sum()))


def snapshot_dates(con, snapshot: dt.date | None) -> list[dt.date]:
    """The department's snapshot dates up to `snapshot`, oldest first."""
    return [d for (d,) in con.execute(
        "SELECT DISTINCT as_of FROM department_receivables WHERE as_of <= ? ORDER BY as_of",
        [snapshot]).fetchall()] if snapshot else []


# One row per document with a debt and a term in the department's snapshots up to $snapshot:
# when first and last seen, paid on the midpoint to the next snapshot (NULL: still open at
# $snapshot), entry = first seen - due, exit = paid - due, or $snapshot - due while open.
_HISTORY = f"""
WITH dates AS (
    SELECT as_of, lead(as_of) OVER (ORDER BY as_of) AS next FROM (
        SELECT DISTINCT as_of FROM department_receivables WHERE as_of <= $snapshot)),
docs AS (
    SELECT client, document, doc_date, min(as_of) AS first_seen, max(as_of) AS last_seen,
           arg_max({DUE_SQL}, as_of) AS due
    FROM department_receivables WHERE as_of <= $snapshot AND outstanding > 0
    GROUP BY client, document, doc_date),
paid AS (
    SELECT docs.*, last_seen + CAST(ceil((next - last_seen) / 2) AS INTEGER) AS paid_on
    FROM docs JOIN dates ON dates.as_of = docs.last_seen WHERE due IS NOT NULL)
SELECT client, document, due, paid_on, paid_on IS NOT NULL AS paid, first_seen - due AS entry,
       coalesce(paid_on, CAST($snapshot AS DATE)) - due AS exit
FROM paid ORDER BY client, doc_date, document
"""


def history(con, snapshot: dt.date | None) -> dict[str, np.ndarray]:
    """The payment history known on `snapshot`, as columns (client, document, due, paid_on,
    paid, entry, exit), one row per document."""
    columns = con.execute(_HISTORY, {"snapshot": snapshot}).fetchnumpy()
    return {k: v if k == "paid_on" else np.asarray(v) for k, v in columns.items()}  # paid_on: masked when open


def estimate(seen: dict[str, np.ndarray]) -> Lateness:
    """Kaplan-Meier of the whole history (one stratum: all clients pooled)."""
    return kaplan_meier(seen["exit"], seen["paid"], seen["entry"])


@dataclass
class Basis:
    """What a client's forecast stands on: its own history or the pooled one (None: too
    little data), and how many paid documents that history has."""

    source: str | None
    paid: int
    own_paid: int  # the client's own paid documents (fewer than MIN_PAID: pooled)


@dataclass
class Forecast:
    snapshot: dt.date | None
    as_of: dt.date | None
    weeks: list[dt.date]  # the Mondays of the ISO weeks of the inflow
    inflow: dict[str, Decimal | None]  # "2026-W45" -> expected inflow; None: too little data
    payment: dict[str, dt.date | None]  # client -> expected date of its next payment
    basis: dict[str, Basis]
    snapshots: int = 0  # snapshots the history read
    paid: int = 0  # paid documents in the history
    open: int = 0  # documents open at the last snapshot read (censored)
    inflow_by_source: dict[str, Decimal] = field(default_factory=dict)  # own / pooled, 4 weeks

    @property
    def spans(self) -> list[tuple[dt.date, dt.date]]:
        """Each week's first and last day counted: the first week starts the day after as-of."""
        return [(max(m, self.as_of + dt.timedelta(days=1)), m + dt.timedelta(days=6)) for m in self.weeks]

    @property
    def enough(self) -> bool:
        """Whether the pooled history is enough to forecast anyone."""
        return self.paid >= MIN_PAID


def week_key(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_after(as_of: dt.date, n: int = WEEKS) -> list[dt.date]:
    """The Mondays of the n ISO weeks after `as_of`: the first is the week of the day after
    it (only its days after `as_of`: nothing is paid by as-of, the document being open)."""
    start = as_of + dt.timedelta(days=1)
    monday = start - dt.timedelta(days=start.weekday())
    return [monday + dt.timedelta(weeks=i) for i in range(n)]


def _cents(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))


def forecast(con, as_of: dt.date | None = None, snapshot: dt.date | None = None) -> Forecast:
    """The expected payment date of each debtor of the snapshot used for `as_of` (the one
    `receivables --as-of` uses: the latest on or before it), and the expected inflow by ISO
    week for the WEEKS weeks after the as-of date."""
    snapshot = snapshot or pick_snapshot(con, as_of)
    as_of = as_of or snapshot
    if snapshot is None:
        return Forecast(None, None, [], {}, {}, {})
    seen = history(con, snapshot)
    paid_by = dict(zip(*np.unique(seen["client"][seen["paid"]], return_counts=True)))
    pooled_paid = int(seen["paid"].sum())
    # the debts of this snapshot (through the user's scope): days overdue on as-of, NULL: no term;
    # ordered by client, so each client's documents are contiguous
    docs = con.execute(
        f"""SELECT client, CAST($as_of AS DATE) - {DUE_SQL} AS days, CAST(outstanding AS DOUBLE) AS amount
            FROM receivables WHERE as_of = $snapshot AND outstanding > 0 ORDER BY client""",
        {"as_of": as_of, "snapshot": snapshot}).fetchnumpy()
    clients = np.asarray(docs["client"])
    days = np.ma.filled(docs["days"], 0).astype(float)
    amount = np.asarray(docs["amount"], dtype=float)
    firsts, counts = np.unique(clients, return_index=True, return_counts=True)[1:]
    docs_of = {clients[s]: slice(s, s + n) for s, n in sorted(zip(firsts, counts))}

    # The strata: 0 the pooled history, 1, 2, ... the own history of each client with enough.
    result = Forecast(snapshot, as_of, weeks_after(as_of), {}, {}, {},
                      len(snapshot_dates(con, snapshot)), pooled_paid, int((~seen["paid"]).sum()))
    stratum = np.full(len(clients), -1)  # -1: not forecast (too little data, or no term)
    own: dict[str, int] = {}
    for client, rows in docs_of.items():
        mine = int(paid_by.get(client, 0))
        if mine >= MIN_PAID:
            own[client] = stratum[rows] = len(own) + 1
            result.basis[client] = Basis(OWN, mine, mine)
        elif pooled_paid >= MIN_PAID:
            stratum[rows] = 0
            result.basis[client] = Basis(POOLED, pooled_paid, mine)
        else:
            result.basis[client] = Basis(None, pooled_paid, mine)
    stratum[np.ma.getmaskarray(docs["days"])] = -1
    # the history once pooled (stratum 0), and again for each client with its own stratum
    strata = np.array([own.get(c, 0) for c in seen["client"]], dtype=int)
    mine = strata > 0
    lateness = kaplan_meier(
        np.concatenate([seen["exit"], seen["exit"][mine]]), np.concatenate([seen["paid"], seen["paid"][mine]]),
        np.concatenate([seen["entry"], seen["entry"][mine]]), np.concatenate([np.zeros(len(mine)), strata[mine]]))

    rows = stratum >= 0
    d, s = days[rows], stratum[rows]
    ahead = np.full(len(clients), np.nan)  # days after as-of of each document's median payment
    ahead[rows] = lateness.medians(d, s) - d
    # P(unpaid after each week's end | unpaid at as-of): the weeks follow each other, the
    # first starting the day after as-of
    offsets = [((first - as_of).days, (last - as_of).days) for first, last in result.spans]
    ends = np.array([offsets[0][0] - 1] + [last for _, last in offsets], dtype=float)
    unpaid = lateness.survival(d[:, None] + ends[None, :], after=d[:, None], stratum=s[:, None])
    paid = amount[rows, None] * (unpaid[:, :-1] - unpaid[:, 1:])
    inflow = paid.sum(axis=0)
    by_source = {OWN: float(paid[s > 0].sum()), POOLED: float(paid[s == 0].sum())}
    earliest = np.fmin.reduceat(ahead, [r.start for r in docs_of.values()]) if docs_of else []
    room = (dt.date.max - as_of).days  # a due date typed as 31.12.9999 has no payment date in the calendar
    for client, first in zip(docs_of, earliest):
        result.payment[client] = None if np.isnan(first) or first > room else \
            as_of + dt.timedelta(days=max(int(first), 1))
    enough = pooled_paid >= MIN_PAID
    result.inflow = {week_key(m): _cents(v) if enough else None for m, v in zip(result.weeks, inflow)}
    result.inflow_by_source = {k: _cents(v) for k, v in by_source.items()}
    return result


def expected_payment(con, as_of: dt.date | None = None) -> dict[str, dt.date | None]:
    """{client: the expected date of its next payment, or None}: the earliest of its open
    documents' conditional median payment dates."""
    return forecast(con, as_of).payment


def expected_inflow(con, as_of: dt.date | None = None) -> dict[str, Decimal | None]:
    """{"YYYY-Www": expected inflow} for the WEEKS ISO weeks after the as-of date: the sum
    over open documents of outstanding x P(paid that week | unpaid at as-of). Advances
    (negative balances) are no inflow."""
    return forecast(con, as_of).inflow


def to_json(result: Forecast) -> dict:
    """The keys `receivables --json` gains (shared/cli.md, "forecasts")."""
    return {
        "expected_inflow": {k: json_money(v) for k, v in result.inflow.items()},
        "expected_payment": {c: d.isoformat() if d else None for c, d in result.payment.items()},
        "payment_basis": {
            "snapshots": result.snapshots, "paid_documents": result.paid,
            "open_documents": result.open, "min_paid": MIN_PAID,
            "inflow_own": json_money(result.inflow_by_source.get(OWN)),
            "inflow_pooled": json_money(result.inflow_by_source.get(POOLED)),
            "clients": {c: {"basis": b.source, "paid_documents": b.paid}
                        for c, b in result.basis.items()}},
    }
