"""Receivables ageing as of a date: buckets, overdue, over the credit limit, advances.

Definitions (shared/domain.md): due = due date, else document date + deferral days; days
overdue = as-of - due; buckets by days overdue with inclusive edges (<= 0 not due, 1-30,
31-60, 61-90, over 90 by default). Buckets hold the debts (positive balances); advances and
credit notes (negative balances) are reported on their own, never dropped, and net against
the client's debt for the credit-limit check. Rows with neither a due date nor a deferral
go to "no_term" rather than being guessed.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from kpi import texts
from kpi.formatting import json_money as money
from kpi.sales import ATTENTION_N, DEPARTMENT, EVERYONE_UP_TO, NO_TEAM, ends
from kpi.store import dicts, get_meta, set_meta

DEFAULT_EDGES = (30, 60, 90)
NO_TERM = "no_term"
NOT_DUE = "not_due"

# A document's due date: its due date, else its date + the deferral; NULL with neither (no
# term). The one definition: kpi.forecast.payments reads documents' due dates by it too.
DUE_SQL = "coalesce(due_date, doc_date + deferral_days)"

# One row per document of the chosen snapshot, with its due date, age and bucket index:
# -2 no term, -1 not due, k = the number of edges below the days overdue.
_ROWS = f"""
WITH r AS (
    SELECT *, {DUE_SQL} AS due FROM receivables
    WHERE as_of = $snapshot),
aged AS (SELECT *, CAST($as_of AS DATE) - due AS days FROM r)
SELECT *, CASE WHEN due IS NULL THEN -2 WHEN days <= 0 THEN -1
               ELSE len(list_filter($edges, lambda e: e < days)) END AS bucket
FROM aged
"""


def bucket_keys(edges=DEFAULT_EDGES) -> list[str]:
    """`not_due`, `1-30`, `31-60`, `61-90`, `over_90` for the default edges."""
    keys, low = [NOT_DUE], 1
    for edge in edges:
        keys.append(f"{low}-{edge}")
        low = edge + 1
    return keys + [f"over_{edges[-1]}"]


def parse_edges(text: str) -> tuple[int, ...]:
    """'30,60,90' -> (30, 60, 90); raises ValueError unless whole, positive and increasing."""
    edges = tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    if not edges or edges[0] < 1 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError(text)
    return edges


@dataclass
class Ageing:
    """Debt of one manager (or the total) split by bucket."""

    buckets: dict[str, Decimal]
    no_term: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), Decimal(0)) + self.no_term

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.buckets.items() if k != NOT_DUE), Decimal(0))

    @property
    def overdue_share(self) -> float | None:
        return float(self.overdue / self.total) if self.total else None


@dataclass
class Report:
    snapshot: dt.date | None  # the export the figures come from
    as_of: dt.date | None  # the day days overdue are counted to
    edges: tuple[int, ...]
    totals: Ageing
    by_manager: dict[str, Ageing]
    negative_sum: Decimal
    negative_count: int
    over_limit: dict[str, Decimal]  # client -> excess over its credit limit
    over_limit_by_manager: dict[str, Decimal] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return bucket_keys(self.edges)

    @property
    def over_limit_total(self) -> Decimal:
        return sum(self.over_limit.values(), Decimal(0))


def snapshots(con) -> list[dt.date]:
    return [d for (d,) in con.execute(
        "SELECT DISTINCT as_of FROM receivables ORDER BY as_of DESC").fetchall()]


def pick_snapshot(con, as_of: dt.date | None) -> dt.date | None:
    """The latest snapshot taken on or before `as_of` (the latest of all without it)."""
    rows = con.execute("SELECT max(as_of) FROM receivables WHERE ? IS NULL OR as_of <= ?",
                       [as_of, as_of]).fetchall()
    return rows[0][0]


def _params(snapshot, as_of, edges) -> dict:
    return {"snapshot": snapshot, "as_of": as_of or snapshot, "edges": list(edges)}


def report(con, as_of: dt.date | None = None, edges=DEFAULT_EDGES,
           snapshot: dt.date | None = None) -> Report:
    edges = tuple(edges)
    snapshot = snapshot or pick_snapshot(con, as_of)
    as_of = as_of or snapshot
    keys = bucket_keys(edges)
    empty = Report(snapshot, as_of, edges, Ageing(dict.fromkeys(keys, Decimal(0))), {},
                   Decimal(0), 0, {})
    if snapshot is None:
        return empty
    params = _params(snapshot, as_of, edges)
    by_manager: dict[str, Ageing] = {}
    totals = empty.totals
    for manager, bucket, amount in con.execute(
            f"SELECT manager, bucket, sum(outstanding) FROM ({_ROWS}) WHERE outstanding > 0 "
            "GROUP BY ALL ORDER BY ALL", params).fetchall():
        ageing = by_manager.setdefault(manager, Ageing(dict.fromkeys(keys, Decimal(0))))
        for target in (ageing, totals):
            if bucket == -2:
                target.no_term += amount
            else:
                target.buckets[keys[bucket + 1]] += amount
    negative_count, negative_sum = con.execute(
        f"SELECT count(*), coalesce(sum(outstanding), 0) FROM ({_ROWS}) WHERE outstanding < 0",
        params).fetchall()[0]
    # Managers with only advances still appear, with zero debt.
    for (manager,) in con.execute(f"SELECT DISTINCT manager FROM ({_ROWS})", params).fetchall():
        by_manager.setdefault(manager, Ageing(dict.fromkeys(keys, Decimal(0))))
    over = over_limit(con, snapshot)
    over_by_manager: dict[str, Decimal] = {}
    for row in over:
        over_by_manager[row["manager"]] = over_by_manager.get(row["manager"], Decimal(0)) + row["excess"]
    return Report(snapshot, as_of, edges, totals, dict(sorted(by_manager.items())),
                  negative_sum, negative_count, {r["client"]: r["excess"] for r in over},
                  over_by_manager)


OVER_LIMIT_SHOWN = 50  # the page's table: the largest excesses; the CSV has every client


def over_limit(con, snapshot: dt.date) -> list[dict]:
    """Clients whose net balance (advances netted) exceeds their credit limit; at the limit
    is not over. The client's manager is the one holding most of its debt."""
    cur = con.execute(
        """SELECT client, arg_max(manager, outstanding) AS manager, sum(outstanding) AS debt,
                  max(credit_limit) AS credit_limit, sum(outstanding) - max(credit_limit) AS excess
           FROM receivables WHERE as_of = ? GROUP BY client
           HAVING max(credit_limit) IS NOT NULL AND sum(outstanding) > max(credit_limit)
           ORDER BY excess DESC, client""", [snapshot])
    return dicts(cur)


def top_debtors(con, rep: Report, limit: int = 10, manager: str | None = None) -> list[dict]:
    """Clients by overdue debt, then by total debt."""
    cur = con.execute(
        f"""SELECT client, arg_max(manager, outstanding) AS manager,
                   sum(outstanding) FILTER (WHERE outstanding > 0) AS debt,
                   coalesce(sum(outstanding) FILTER (WHERE outstanding > 0 AND days > 0), 0) AS overdue,
                   max(days) FILTER (WHERE outstanding > 0) AS max_days,
                   max(credit_limit) AS credit_limit
            FROM ({_ROWS}) WHERE $manager IS NULL OR manager = $manager
            GROUP BY client HAVING sum(outstanding) FILTER (WHERE outstanding > 0) > 0
            ORDER BY overdue DESC, debt DESC, client LIMIT $limit""",
        _params(rep.snapshot, rep.as_of, rep.edges) | {"limit": limit, "manager": manager})
    return dicts(cur)


def documents(con, rep: Report, manager: str | None = None, client: str | None = None,
              negative_only: bool = False, no_term_only: bool = False) -> list[dict]:
    """The documents behind the figures, oldest debt first, with days overdue and bucket."""
    cur = con.execute(
        f"""SELECT client, manager, document, doc_date, due, days, outstanding, credit_limit,
                   bucket FROM ({_ROWS})
            WHERE ($manager IS NULL OR manager = $manager) AND ($client IS NULL OR client = $client)
              AND (NOT $negative_only OR outstanding < 0) AND (NOT $no_term_only OR due IS NULL)
            ORDER BY days DESC NULLS LAST, client, document""",
        _params(rep.snapshot, rep.as_of, rep.edges) | {
            "manager": manager, "client": client, "negative_only": negative_only,
            "no_term_only": no_term_only})
    keys = rep.keys
    rows = dicts(cur)
    for row in rows:
        row["bucket"] = NO_TERM if row["bucket"] == -2 else keys[row["bucket"] + 1]
    return rows


def compare(con, rep: Report, previous: dt.date | None = None) -> dict[str, dict[str, Decimal]]:
    """Per manager, what changed since the previous snapshot: debt that became overdue,
    debt paid (gone or reduced), debt that moved into an older bucket. Each snapshot is
    aged as of its own date. A document is matched by client and document number."""
    previous = previous or con.execute(
        "SELECT max(as_of) FROM receivables WHERE as_of < ?", [rep.snapshot]).fetchall()[0][0]
    if previous is None or rep.snapshot is None:
        return {}
    now = _params(rep.snapshot, rep.snapshot, rep.edges)
    before = _params(previous, previous, rep.edges)
    rows = con.execute(
        f"""WITH cur AS ({_ROWS.replace('$', '$c_')}),
                 prev AS ({_ROWS.replace('$', '$p_')}),
                 pairs AS (
                    SELECT coalesce(c.manager, p.manager) AS manager,
                           c.outstanding AS out_now, c.days AS days_now, c.bucket AS bucket_now,
                           p.outstanding AS out_before, p.days AS days_before,
                           p.bucket AS bucket_before
                    FROM (SELECT * FROM cur WHERE outstanding > 0) c
                    FULL JOIN (SELECT * FROM prev WHERE outstanding > 0) p
                      ON c.client = p.client AND c.document IS NOT DISTINCT FROM p.document
                         AND c.doc_date = p.doc_date)
            SELECT manager,
                   coalesce(sum(out_now) FILTER (WHERE days_now > 0
                            AND (out_before IS NULL OR days_before IS NULL OR days_before <= 0)), 0),
                   coalesce(sum(greatest(out_before - coalesce(out_now, 0), 0)), 0),
                   coalesce(sum(out_now) FILTER (WHERE bucket_before >= 0
                            AND bucket_now > bucket_before), 0)
            FROM pairs GROUP BY manager ORDER BY manager""",
        {f"c_{k}": v for k, v in now.items()} | {f"p_{k}": v for k, v in before.items()}
    ).fetchall()
    return {"previous": previous} | {
        manager: {"new_overdue": new, "paid": paid, "moved_older": older}
        for manager, new, paid, older in rows}


def bucket_title(key: str) -> str:
    if key in texts.REC_BUCKET_TITLES:
        return texts.REC_BUCKET_TITLES[key]
    if key.startswith("over_"):
        return texts.REC_BUCKET_OVER.format(days=key.removeprefix("over_"))
    return texts.REC_BUCKET_RANGE.format(range=key.replace("-", "–"))


def manager_table(rep: Report) -> tuple[list[dict], dict[str, str]]:
    """One row per manager, most overdue first, and its column titles: the page's table,
    its download and `receivables --csv` are this one table."""
    keys = rep.keys
    rows = [{"manager": m, **{k: a.buckets[k] for k in keys}, "no_term": a.no_term,
             "total": a.total, "overdue": a.overdue, "overdue_share": a.overdue_share,
             "over_limit": rep.over_limit_by_manager.get(m)}
            for m, a in sorted(rep.by_manager.items(), key=lambda ma: -ma[1].overdue)]
    columns = ({"manager": texts.REC_MANAGER_COLUMNS["manager"]}
               | {k: bucket_title(k) for k in [*keys, "no_term"]}
               | {k: texts.REC_MANAGER_COLUMNS[k] for k in ("total", "overdue", "overdue_share", "over_limit")})
    return rows, columns


def to_json(rep: Report, forecast=None) -> dict:
    """The `receivables --json` shape of shared/cli.md; with `forecast` (kpi.forecast.payments.forecast's
    answer) also its keys (`expected_inflow`, `expected_payment`, `payment_basis`)."""

    def ageing(a: Ageing) -> dict:
        return ({k: money(v) for k, v in a.buckets.items()} | {
            "total": money(a.total), "overdue": money(a.overdue),
            "overdue_share": a.overdue_share, NO_TERM: money(a.no_term)})

    result = {
        "as_of": rep.as_of.isoformat() if rep.as_of else None,
        "snapshot": rep.snapshot.isoformat() if rep.snapshot else None,
        "totals": ageing(rep.totals),
        "by_manager": {m: ageing(a) for m, a in rep.by_manager.items()},
        "negative_outstanding": {"sum": money(rep.negative_sum), "count": rep.negative_count},
        "over_limit": {c: money(v) for c, v in rep.over_limit.items()},
        "over_limit_total": money(rep.over_limit_total),
    }
    if forecast is not None:
        from kpi.forecast import payments

        result |= payments.to_json(forecast)
    return result


_EDGES_SETTING = "receivables_bucket_edges"


def saved_edges(con) -> tuple[int, ...]:
    """The bucket edges the department chose last time (a setting kept in the store)."""
    text = get_meta(con, _EDGES_SETTING)
    try:
        return parse_edges(text) if text else DEFAULT_EDGES
    except ValueError:
        return DEFAULT_EDGES


def save_edges(con, edges: tuple[int, ...]) -> None:
    set_meta(con, _EDGES_SETTING, ",".join(str(e) for e in edges))


def team_table(rep: Report, team_of: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """The managers' table summed by team (`team_of`: kpi.sales.teams_of), most overdue
    first, then the department; shares are sums over sums. Column titles as manager_table's,
    the first one "Отдел"."""
    keys = rep.keys
    teams: dict[str, Ageing] = {}
    over: dict[str, Decimal] = {}
    for manager, ageing in rep.by_manager.items():
        team = team_of.get(manager, NO_TEAM)
        total = teams.setdefault(team, Ageing(dict.fromkeys(keys, Decimal(0))))
        for key in keys:
            total.buckets[key] += ageing.buckets[key]
        total.no_term += ageing.no_term
        if manager in rep.over_limit_by_manager:
            over[team] = over.get(team, Decimal(0)) + rep.over_limit_by_manager[manager]

    def row(name, a: Ageing, over_limit):
        return {"manager": name, **{k: a.buckets[k] for k in keys}, "no_term": a.no_term,
                "total": a.total, "overdue": a.overdue, "overdue_share": a.overdue_share,
                "over_limit": over_limit}

    rows = [row(t, a, over.get(t)) for t, a in sorted(teams.items(), key=lambda ta: (-ta[1].overdue, ta[0]))]
    rows.append(row(DEPARTMENT, rep.totals, rep.over_limit_total or None))
    _, columns = manager_table(rep)
    return rows, {"manager": texts.SALES_TEAM_NAME} | {k: v for k, v in columns.items() if k != "manager"}


def attention(manager_rows: list[dict], n: int = 2 * ATTENTION_N, everyone_up_to: int = EVERYONE_UP_TO):
    """The chart of manager_table's rows (most overdue first): the n with the most overdue
    debt, or everyone in a small department. Least overdue is no news: no other end."""
    return ends(manager_rows, n, 0, everyone_up_to=everyone_up_to)
