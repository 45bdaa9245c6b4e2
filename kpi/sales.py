"""Sales-plan fulfilment: fact vs plan per manager, team and department, with the forecast.

Definitions (shared/domain.md): fact = net of sales and returns by document date; a group's
fulfilment = sum(fact) / sum(plan), never a mean of percentages; no plan or a zero plan
gives no fulfilment (None), not 0 and not infinity. Active clients = clients with net
positive sales in the month; new clients = first positive sale in the whole loaded history.

Under a user's scope (kpi.access) `sales` holds the rows they may see; the first sale of a
client and the usual month-start share are department facts and read `department_sales`.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from kpi import calendar, texts
from kpi.forecast import sales as forecast_sales
from kpi.formatting import json_money as money
from kpi.store import dicts

# Codes, not words (the reader's words are texts.group_name): a manager without a team, and the
# whole department's row. Brackets keep them apart from any team name a file can hold.
NO_TEAM = "(no team)"
DEPARTMENT = "(department)"
EARLY_DAYS = 3  # "first three working days": where deals pushed from last month land
FORECAST_MIN_DAYS = 3  # a forecast from one or two days is noise
# A manager's early share is flagged when it is both this much above the usual share...
EARLY_FLAG_MARGIN = 0.15
# ...and this many times it.
EARLY_FLAG_RATIO = 1.5


@dataclass
class Figures:
    """One manager, team or the department in one month."""

    name: str
    team: str
    fact: Decimal
    plan: Decimal | None
    active_clients: int
    plan_active: int | None
    new_clients: int
    plan_new: int | None
    early_fact: Decimal = Decimal(0)
    forecast: Decimal | None = None
    required_per_day: Decimal | None = None
    early_flag: bool = False
    # kpi.forecast.sales: P(month-end fact >= plan) (1.0 once reached; None: closed month, no
    # plan, too little data), the 80 % range of the month-end fact, and what it stands on
    plan_chance: float | None = None
    forecast_low: Decimal | None = None
    forecast_high: Decimal | None = None
    chance_basis: str | None = None  # "own", "department" (the seller's history is short), "too_little"
    chance_months: int = 0  # past months the chance stands on

    @property
    def fulfilment(self) -> float | None:
        return ratio(self.fact, self.plan)

    @property
    def active_fulfilment(self) -> float | None:
        return ratio(self.active_clients, self.plan_active)

    @property
    def new_fulfilment(self) -> float | None:
        return ratio(self.new_clients, self.plan_new)

    @property
    def forecast_fulfilment(self) -> float | None:
        return ratio(self.forecast, self.plan) if self.forecast is not None else None

    @property
    def early_share(self) -> float | None:
        return float(self.early_fact / self.fact) if self.fact > 0 else None


@dataclass
class MonthReport:
    month: dt.date
    country: str
    closed: bool  # the month is over: figures are final, no forecast
    data_through: dt.date  # the last day the loaded sales cover in this month
    working_days: int
    working_days_elapsed: int
    early_until: dt.date  # last of the month's first three working days
    usual_early_share: float | None  # the department's share over all loaded months
    managers: list[Figures]
    teams: list[Figures]
    department: Figures
    notes: list[str] = field(default_factory=list)

    @property
    def forecast_ready(self) -> bool:
        return not self.closed and self.working_days_elapsed >= FORECAST_MIN_DAYS

    @property
    def remaining_working_days(self) -> int:
        return self.working_days - self.working_days_elapsed

    @property
    def unplanned(self) -> tuple[Decimal, list[str]]:
        """The fact of managers without a plan: in the department's fact, in nobody's plan."""
        names = [m for m in self.managers if not m.plan and m.fact]
        return sum((m.fact for m in names), Decimal(0)), [m.name for m in names]


def ratio(numerator, denominator) -> float | None:
    if denominator is None or denominator == 0 or numerator is None:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def months(con) -> list[dt.date]:
    """Months with sales or plans, latest first."""
    rows = con.execute(
        """SELECT DISTINCT CAST(date_trunc('month', doc_date) AS DATE) AS m FROM sales
           UNION SELECT month FROM plans ORDER BY m DESC""").fetchall()
    return [m for (m,) in rows]


_MANAGERS_SQL = """
WITH m AS (SELECT * FROM sales WHERE doc_date >= $start AND doc_date < $next),
fact AS (SELECT manager, sum(amount) AS fact,
                sum(amount) FILTER (WHERE CAST(doc_date AS DATE) <= $early_until) AS early
         FROM m GROUP BY manager),
active AS (SELECT manager, count(*) AS n FROM
             (SELECT manager, client, sum(amount) AS net FROM m GROUP BY manager, client)
           WHERE net > 0 GROUP BY manager),
firsts AS (SELECT client, arg_min(manager, doc_date) AS manager, min(doc_date) AS first_at
           FROM department_sales WHERE amount > 0 GROUP BY client),
new AS (SELECT manager, count(*) AS n FROM firsts
        WHERE first_at >= $start AND first_at < $next GROUP BY manager),
plan AS (SELECT manager, sum(plan_amount) AS plan, sum(plan_active) AS plan_active,
                sum(plan_new) AS plan_new FROM plans WHERE month = $start GROUP BY manager),
plan_teams AS (SELECT manager, arg_max(team, month) AS team FROM plans
               WHERE team IS NOT NULL AND month <= $start GROUP BY manager),
any_team AS (SELECT manager, arg_max(team, month) AS team FROM plans
             WHERE team IS NOT NULL GROUP BY manager),
names AS (SELECT manager FROM fact UNION SELECT manager FROM plan)
SELECT n.manager, coalesce(o.team, t.team, a.team, $no_team), coalesce(f.fact, 0), p.plan,
       coalesce(ac.n, 0), p.plan_active, coalesce(nw.n, 0), p.plan_new, coalesce(f.early, 0)
FROM names n
LEFT JOIN fact f USING (manager) LEFT JOIN plan p USING (manager)
LEFT JOIN active ac USING (manager) LEFT JOIN new nw USING (manager)
LEFT JOIN plan_teams t USING (manager) LEFT JOIN any_team a USING (manager)
LEFT JOIN teams o USING (manager)
ORDER BY n.manager
"""

_DEPARTMENT_CLIENTS_SQL = """
WITH m AS (SELECT * FROM sales WHERE doc_date >= $start AND doc_date < $next)
SELECT (SELECT count(*) FROM (SELECT client, sum(amount) AS net FROM m GROUP BY client)
        WHERE net > 0),
       (SELECT count(*) FROM (SELECT client, arg_min(manager, doc_date) AS manager,
                                     min(doc_date) AS first_at FROM department_sales
                              WHERE amount > 0 GROUP BY client)
        WHERE first_at >= $start AND first_at < $next
          AND manager IN (SELECT manager FROM sales)),
       (SELECT max(CAST(doc_date AS DATE)) FROM m)
"""


def month_report(con, month: dt.date, *, today: dt.date | None = None,
                 country: str = calendar.DEFAULT_COUNTRY, slippage: bool = True,
                 chances: bool = True) -> MonthReport:
    """`slippage=False` leaves out the department's usual share of the first working days
    (a scan of every loaded month), for callers that show no slippage (the overview);
    `chances=False` the chance to close the plan and the range (a year of daily sales)."""
    start = month.replace(day=1)
    end = calendar.month_end(start)
    next_start = end + dt.timedelta(days=1)
    today = today or dt.date.today()
    work_days = calendar.working_days(start, country)
    early_until = work_days[min(EARLY_DAYS, len(work_days)) - 1]
    params = {"start": start, "next": next_start, "early_until": early_until}
    managers = [Figures(*row) for row in con.execute(
        _MANAGERS_SQL, params | {"no_team": NO_TEAM}).fetchall()]
    dept_active, dept_new, last_doc = con.execute(
        _DEPARTMENT_CLIENTS_SQL, {"start": start, "next": next_start}).fetchall()[0]

    closed = today > end
    data_through = end if closed else min(today, last_doc or today)
    elapsed = sum(1 for d in work_days if d <= data_through)
    report = MonthReport(
        month=start, country=country, closed=closed, data_through=data_through,
        working_days=len(work_days), working_days_elapsed=elapsed, early_until=early_until,
        usual_early_share=usual_early_share(con, country) if slippage else None,
        managers=managers, teams=[],
        department=_total(DEPARTMENT, NO_TEAM, managers, dept_active, dept_new))
    teams = sorted({m.team for m in managers})
    report.teams = [_total(team, team, [m for m in managers if m.team == team]) for team in teams]
    for figures in [*managers, *report.teams, report.department]:
        _add_forecast(figures, report)
        figures.early_flag = _early_stands_out(figures, report.usual_early_share)
    if chances:
        forecast_sales.add_chances(con, report)
    return report


def _total(name, team, members: list[Figures], active=None, new=None) -> Figures:
    """Sum of the members' figures; plans sum over those who have one (None if nobody has)."""

    def plan_sum(attr):
        values = [getattr(m, attr) for m in members if getattr(m, attr) is not None]
        return sum(values) if values else None

    return Figures(
        name=name, team=team, fact=sum((m.fact for m in members), Decimal(0)),
        plan=plan_sum("plan"),
        # the department counts distinct clients (one served by two managers is one client)
        active_clients=active if active is not None else sum(m.active_clients for m in members),
        plan_active=plan_sum("plan_active"),
        new_clients=new if new is not None else sum(m.new_clients for m in members),
        plan_new=plan_sum("plan_new"),
        early_fact=sum((m.early_fact for m in members), Decimal(0)))


def _add_forecast(f: Figures, report: MonthReport) -> None:
    if not report.forecast_ready:
        return
    f.forecast = f.fact / report.working_days_elapsed * report.working_days
    if f.plan is not None and report.remaining_working_days > 0:
        f.required_per_day = max(Decimal(0), (f.plan - f.fact) / report.remaining_working_days)


def _early_stands_out(f: Figures, usual: float | None) -> bool:
    share = f.early_share
    if share is None or usual is None or f.early_fact <= 0:
        return False
    return share >= usual + EARLY_FLAG_MARGIN and share >= usual * EARLY_FLAG_RATIO


def usual_early_share(con, country: str = calendar.DEFAULT_COUNTRY) -> float | None:
    """The department's share of a month's fact booked in its first three working days,
    over every loaded month: the baseline a manager's month-edge slippage is judged by."""
    loaded = [m for (m,) in con.execute(
        "SELECT DISTINCT CAST(date_trunc('month', doc_date) AS DATE) FROM department_sales").fetchall()]
    if not loaded:
        return None
    cutoffs = [calendar.working_days(m, country)[EARLY_DAYS - 1] for m in loaded]
    early, total = con.execute(
        """WITH cut AS (SELECT unnest(?::DATE[]) AS month, unnest(?::DATE[]) AS cutoff)
           SELECT sum(amount) FILTER (WHERE CAST(doc_date AS DATE) <= cutoff), sum(amount)
           FROM department_sales JOIN cut ON CAST(date_trunc('month', doc_date) AS DATE) = cut.month""",
        [loaded, cutoffs]).fetchall()[0]
    return float(early / total) if total and early is not None else None


def documents(con, month: dt.date, manager: str | None = None,
              until: dt.date | None = None) -> list[dict]:
    """The documents behind a fact: every sale and return of the month (or of its first days).
    `deal`: the row is a won CRM deal (its document is the deal's id), not a 1C document."""
    start = month.replace(day=1)
    next_start = calendar.month_end(start) + dt.timedelta(days=1)
    return dicts(con.execute(
        """SELECT doc_date, document, manager, client, amount, is_return,
                  import_id IN (SELECT id FROM imports WHERE kind = 'deals') AS deal
           FROM sales WHERE doc_date >= ? AND doc_date < ? AND (? IS NULL OR manager = ?)
             AND (? IS NULL OR CAST(doc_date AS DATE) <= ?)
           ORDER BY doc_date, document""",
        [start, next_start, manager, manager, until, until]))


def trend(con) -> list[dict]:
    """Fact and plan per manager per month, over every loaded month."""
    return dicts(con.execute(
        """WITH f AS (SELECT CAST(date_trunc('month', doc_date) AS DATE) AS month, manager,
                             sum(amount) AS fact FROM sales GROUP BY ALL),
                p AS (SELECT month, manager, sum(plan_amount) AS plan FROM plans GROUP BY ALL)
           SELECT month, manager, coalesce(fact, 0) AS fact, plan
           FROM f FULL JOIN p USING (month, manager) ORDER BY month, manager"""))


def trend_series(con, manager: str | None = None, until: dt.date | None = None) -> list[dict]:
    """Fact and plan per month for one manager or the department (sums over managers; a
    plan only where someone had one), up to `until`'s month: the sales trend chart."""
    until = (until or dt.date.today()).replace(day=1)
    months: dict[dt.date, dict] = {}
    for r in trend(con):
        if r["month"] > until or (manager and r["manager"] != manager):
            continue
        row = months.setdefault(r["month"], {"month": r["month"], "fact": Decimal(0), "plan": None})
        row["fact"] += r["fact"]
        if r["plan"] is not None:
            row["plan"] = (row["plan"] or Decimal(0)) + r["plan"]
    return [months[m] for m in sorted(months)]


def to_json(report: MonthReport) -> dict:
    """The `sales --json` shape of shared/cli.md (money to kopecks, ratios unrounded)."""

    def figures(f: Figures) -> dict:
        return {"fact": money(f.fact), "plan": money(f.plan), "fulfilment": f.fulfilment,
                "active_clients": f.active_clients, "new_clients": f.new_clients,
                "team": f.team, "plan_active": f.plan_active, "plan_new": f.plan_new,
                "active_fulfilment": f.active_fulfilment, "new_fulfilment": f.new_fulfilment,
                "forecast": money(f.forecast), "forecast_fulfilment": f.forecast_fulfilment,
                "required_per_day": money(f.required_per_day),
                "early_share": f.early_share, "early_flag": f.early_flag,
                "plan_chance": f.plan_chance, "forecast_low": money(f.forecast_low),
                "forecast_high": money(f.forecast_high), "chance_basis": f.chance_basis,
                "chance_months": f.chance_months}

    department = figures(report.department)
    del department["team"]
    return {
        "month": f"{report.month:%Y-%m}",
        "managers": {m.name: figures(m) for m in report.managers},
        "department": department,
        "teams": {t.name: figures(t) for t in report.teams},
        "closed": report.closed, "data_through": report.data_through.isoformat(),
        "working_days": report.working_days,
        "working_days_elapsed": report.working_days_elapsed,
        "usual_early_share": report.usual_early_share,
    }


MEASURES = ("amount", "active", "new")  # the three KAM plans
PACE_OK, PACE_WATCH = 1.0, 0.9


def pace(f: Figures, report: MonthReport) -> float | None:
    """Where the month will end, as a share of plan: the final figure for a closed month,
    the forecast once three working days are in, else unknown."""
    if report.closed:
        return f.fulfilment
    return f.forecast_fulfilment if report.forecast_ready else None


def pace_level(value: float | None) -> str | None:
    if value is None:
        return None
    return "ok" if value >= PACE_OK else "watch" if value >= PACE_WATCH else "behind"


def manager_table(report: MonthReport) -> tuple[list[dict], dict[str, str]]:
    """The managers' revenue plan and its column titles: the page's download and
    `sales --csv` are this one table."""
    return rows(report, "amount", "managers"), texts.SALES_COLUMNS


def rows(report: MonthReport, measure: str = "amount", who: str = "managers") -> list[dict]:
    """Table rows for one of the three plans, worst first; those without a plan last."""
    items = {"managers": report.managers, "teams": [*report.teams, report.department]}[who]
    out = []
    for f in items:
        if measure == "amount":
            row = {"name": f.name, "team": f.team, "fact": f.fact, "plan": f.plan,
                   "fulfilment": f.fulfilment, "forecast": f.forecast,
                   "forecast_fulfilment": f.forecast_fulfilment,
                   "required_per_day": f.required_per_day, "pace": pace(f, report),
                   "early_share": f.early_share, "early_flag": f.early_flag,
                   "plan_chance": f.plan_chance, "forecast_low": f.forecast_low,
                   "forecast_high": f.forecast_high}
        else:
            fact, plan, ratio_ = ((f.active_clients, f.plan_active, f.active_fulfilment)
                                  if measure == "active" else
                                  (f.new_clients, f.plan_new, f.new_fulfilment))
            row = {"name": f.name, "team": f.team, "fact": fact, "plan": plan,
                   "fulfilment": ratio_, "pace": ratio_ if report.closed else None}
        row["level"] = pace_level(row["pace"])
        out.append(row)
    if who == "managers":
        out.sort(key=lambda r: (r["fulfilment"] is None,
                                r["pace"] if r["pace"] is not None else r["fulfilment"] or 0))
    return out


# --- a department of any size: teams, the managers who need attention, one name --------------

ATTENTION_N = 10  # managers at each end of a chart: its height does not grow with the department
EVERYONE_UP_TO = 25  # a department this small sees every manager on a chart


@dataclass
class Ends:
    """The managers a chart shows: everyone in a small department, else the two ends of a
    ranking (a director of 300 reads the worst and the best, not 300 bars). `worst` runs
    worst first, `best` best first; `total` counts every manager, ranked or not."""

    worst: list
    best: list
    total: int
    everyone: bool

    @property
    def shown(self) -> int:
        return len(self.worst) + len(self.best)


def ends(ranked: list, worst: int = ATTENTION_N, best: int = ATTENTION_N, unranked: list = (),
         everyone_up_to: int = EVERYONE_UP_TO) -> Ends:
    """`ranked` runs worst first; `unranked` (no plan, no complete week) are shown only with
    everyone. When the two ends would meet, every ranked manager is shown, split between them."""
    total = len(ranked) + len(unranked)
    if total <= everyone_up_to:
        return Ends([*ranked, *unranked], [], total, True)
    if len(ranked) <= worst + best:
        cut = max(len(ranked) - best, (len(ranked) + 1) // 2) if best else len(ranked)
        return Ends(list(ranked[:cut]), list(reversed(ranked[cut:])), total, False)
    return Ends(list(ranked[:worst]), list(reversed(ranked[len(ranked) - best:])) if best else [],
                total, False)


def attention(manager_rows: list[dict], n: int = ATTENTION_N, everyone_up_to: int = EVERYONE_UP_TO) -> Ends:
    """The chart of `rows(report, measure, "managers")`: the n furthest behind plan (by the
    month's pace, the fulfilment when there is none) and the n furthest ahead; managers
    without a plan are not ranked."""
    ranked = [r for r in manager_rows if r["fulfilment"] is not None]
    return ends(ranked, n, n, unranked=[r for r in manager_rows if r["fulfilment"] is None],
                everyone_up_to=everyone_up_to)


def early_attention(report: MonthReport, n: int = 2 * ATTENTION_N,
                    everyone_up_to: int = EVERYONE_UP_TO) -> Ends:
    """The slippage chart: the managers with the largest share of the month's fact booked in
    its first three working days, largest first: the flagged ones come before any other."""
    shares = sorted((m for m in report.managers if m.early_share is not None),
                    key=lambda m: (-m.early_share, m.name))
    return ends(shares, n, 0, everyone_up_to=everyone_up_to)


def _loose(text) -> str:
    """A name as a search compares it: case, ё, spaces and dots ignored."""
    return "".join(str(text).lower().replace("ё", "е").replace(".", " ").split())


def find(rows: list[dict], text: str | None = "", teams=(), *, name: str = "name",
         team_of: dict[str, str] | None = None) -> list[dict]:
    """The rows of managers whose name holds `text` (`иванов ии` finds `Иванов И.И.`) and
    whose team is one of `teams` (any team when none is chosen); `team_of` gives the team
    where the rows do not hold one."""
    key = _loose(text or "")

    def team(r):
        return team_of.get(r[name], NO_TEAM) if team_of is not None else r.get("team")

    return [r for r in rows if key in _loose(r[name]) and (not teams or team(r) in teams)]


def teams_of(con, month: dt.date | None = None) -> dict[str, str]:
    """Every manager the user may see, in any table, with their team as the sales report
    resolves it for `month`: set by hand, else the Отдел of their plan (that month's or
    earlier, else any), else "Без отдела". For pages whose own data has no team (debt,
    meetings)."""
    start = (month or dt.date.today()).replace(day=1)
    return dict(con.execute(
        """WITH plan_teams AS (SELECT manager, arg_max(team, month) AS team FROM plans
                               WHERE team IS NOT NULL AND month <= $start GROUP BY manager),
                any_team AS (SELECT manager, arg_max(team, month) AS team FROM plans
                             WHERE team IS NOT NULL GROUP BY manager),
                names AS (SELECT manager FROM sales UNION SELECT manager FROM plans
                          UNION SELECT manager FROM receivables UNION SELECT manager FROM activities)
           SELECT n.manager, coalesce(o.team, t.team, a.team, $no_team) FROM names n
           LEFT JOIN plan_teams t USING (manager) LEFT JOIN any_team a USING (manager)
           LEFT JOIN teams o USING (manager) ORDER BY n.manager""",
        {"start": start, "no_team": NO_TEAM}).fetchall())


def team_names(team_of: dict[str, str]) -> list[str]:
    return sorted(set(team_of.values()))


def trend_managers(con) -> list[str]:
    """Everyone `trend` has a row for (a sale or a plan in any loaded month), by name: the
    trend chart's choice, without fetching the whole trend."""
    return [m for (m,) in con.execute(
        "SELECT manager FROM sales UNION SELECT manager FROM plans ORDER BY manager").fetchall()]
