"""Held client meetings per manager per ISO week, against a weekly target.

Definitions (shared/domain.md): only held meetings count; weeks run Monday to Sunday; a
month's weeks are the ISO weeks whose Thursday falls in it, and each counts all seven days;
a week not fully covered by loaded data is incomplete (not a low count); the average over a
period divides by all its weeks, zero weeks included.

Coverage: an activities import owns whole months (a re-import replaces them), so its data
covers from the first day of its first month to the last day anything was held in it.
Planned meetings dated in the future do not extend the coverage.
"""

import datetime as dt
from dataclasses import dataclass, field

from kpi import texts
from kpi.sales import ATTENTION_N, DEPARTMENT, EVERYONE_UP_TO, NO_TEAM, ends
from kpi.store import dicts, get_meta, set_meta

DEFAULT_TARGET = 5  # one meeting a working day, the seeds' B2B benchmark
_TARGET_SETTING = "meetings_weekly_target"
CLIENT_WINDOW_DAYS = 30  # "met or called in the last 30 days"
CLIENT_BASE_DAYS = 90  # a manager's clients: those they sold to in the last 90 days


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def month_weeks(month: dt.date) -> list[dt.date]:
    """Mondays of the ISO weeks whose Thursday falls in the month."""
    first = month.replace(day=1)
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    weeks = []
    while thursday.month == first.month:
        weeks.append(thursday - dt.timedelta(days=3))
        thursday += dt.timedelta(days=7)
    return weeks


def weeks_between(first_monday: dt.date, last_monday: dt.date) -> list[dt.date]:
    count = (last_monday - first_monday).days // 7 + 1
    return [first_monday + dt.timedelta(weeks=i) for i in range(max(count, 0))]


def month_of_week(monday: dt.date) -> dt.date:
    return (monday + dt.timedelta(days=3)).replace(day=1)


@dataclass
class ManagerWeeks:
    manager: str
    per_week: dict[str, int]  # held meetings per week label
    cancelled: int = 0
    planned: int = 0
    calls: int = 0
    client_coverage: float | None = None  # share of the manager's clients met or called
    clients: int = 0

    @property
    def held(self) -> int:
        return sum(self.per_week.values())


@dataclass
class Report:
    weeks: list[dt.date]  # Mondays
    incomplete: set[dt.date]
    target: int
    managers: list[ManagerWeeks]
    covered_until: dt.date | None
    labels: dict[dt.date, str] = field(default_factory=dict)

    @property
    def complete_weeks(self) -> list[dt.date]:
        return [w for w in self.weeks if w not in self.incomplete]

    def avg_per_week(self, m: ManagerWeeks) -> float | None:
        """Held meetings / the period's weeks, zero weeks included (the contract's figure)."""
        return m.held / len(self.weeks) if self.weeks else None

    def avg_per_complete_week(self, m: ManagerWeeks) -> float | None:
        """The same over complete weeks only: what is judged against the target."""
        complete = self.complete_weeks
        if not complete:
            return None
        return sum(m.per_week[self.labels[w]] for w in complete) / len(complete)

    @property
    def department_avg_per_complete_week(self) -> float | None:
        """Held meetings over complete weeks per manager and week: the department's figure
        judged against the per-manager target."""
        complete = self.complete_weeks
        if not complete or not self.managers:
            return None
        held = sum(m.per_week[self.labels[w]] for m in self.managers for w in complete)
        return held / len(complete) / len(self.managers)

    def below_target(self, m: ManagerWeeks) -> bool:
        avg = self.avg_per_complete_week(m)
        return avg is not None and avg < self.target


def coverage(con) -> list[tuple[dt.date, dt.date]]:
    """Day ranges the loaded activity data covers, one per import: a department fact (a
    manager's quiet week is a covered week with no meetings, not a gap in the data)."""
    return [(start, end) for start, end in con.execute(
        """SELECT CAST(date_trunc('month', min(happened_at)) AS DATE),
                  CAST(max(happened_at) FILTER (WHERE state = 'held') AS DATE)
           FROM department_activities GROUP BY import_id ORDER BY 1""").fetchall() if end is not None]


def months(con) -> list[dt.date]:
    rows = con.execute("""SELECT DISTINCT CAST(date_trunc('month', happened_at) AS DATE) AS m
                          FROM activities ORDER BY m DESC""").fetchall()
    return [m for (m,) in rows]


def report(con, weeks: list[dt.date], target: int = DEFAULT_TARGET,
           reference: dt.date | None = None, clients: bool = True) -> Report:
    """`clients=False` leaves out the share of clients met (a scan of all sales), which the
    overview does not show."""
    labels = {w: week_label(w) for w in weeks}
    ranges = coverage(con)
    covered_until = max((end for _, end in ranges), default=None)

    def covered(day: dt.date) -> bool:
        return any(start <= day <= end for start, end in ranges)

    incomplete = {w for w in weeks
                  if not all(covered(w + dt.timedelta(days=i)) for i in range(7))}
    managers = {m: ManagerWeeks(m, dict.fromkeys(labels.values(), 0)) for (m,) in
                con.execute("SELECT DISTINCT manager FROM activities ORDER BY manager").fetchall()}
    if weeks:
        start, end = weeks[0], weeks[-1] + dt.timedelta(days=7)
        for manager, monday, activity, state, n in con.execute(
                """SELECT manager, CAST(date_trunc('week', happened_at) AS DATE), activity, state,
                          count(*)
                   FROM activities WHERE happened_at >= ? AND happened_at < ? GROUP BY ALL""",
                [start, end]).fetchall():
            m = managers[manager]
            if activity == "meeting" and state == "held" and monday in labels:
                m.per_week[labels[monday]] += n
            elif activity == "meeting" and state == "cancelled":
                m.cancelled += n
            elif activity == "meeting" and state == "planned":
                m.planned += n
            elif activity == "call" and state == "held":
                m.calls += n
    reference = reference or (min(weeks[-1] + dt.timedelta(days=6), covered_until)
                              if weeks and covered_until else covered_until)
    if reference is not None and clients:
        for manager, bought, touched in client_coverage(con, reference):
            if manager in managers:
                managers[manager].clients = bought
                managers[manager].client_coverage = touched / bought if bought else None
    return Report(weeks, incomplete, target, list(managers.values()), covered_until, labels)


# Client names as the same key in 1C and the CRM: case, ё, quotes and spaces ignored.
_CLIENT_KEY = """lower(regexp_replace(replace(client, 'ё', 'е'), '[\\s"«»'']+', '', 'g'))"""


def client_coverage(con, reference: dt.date) -> list[tuple[str, int, int]]:
    """Per manager: clients bought from them in the 90 days to `reference`, and how many of
    those they met or called (held) in the last 30 days. Names are compared loosely: case,
    ё, quotes and spaces do not matter, since 1C and the CRM type them differently."""
    return con.execute(
        f"""WITH base AS (SELECT DISTINCT manager, {_CLIENT_KEY} AS c FROM sales
                         WHERE CAST(doc_date AS DATE) BETWEEN $ref - $base_days AND $ref),
                touched AS (SELECT DISTINCT manager, {_CLIENT_KEY} AS c FROM activities
                            WHERE state = 'held' AND activity IN ('meeting', 'call')
                              AND CAST(happened_at AS DATE) BETWEEN $ref - $days AND $ref)
           SELECT b.manager, count(*), count(t.c) FROM base b
           LEFT JOIN touched t USING (manager, c) GROUP BY b.manager ORDER BY 1""",
        {"ref": reference, "days": CLIENT_WINDOW_DAYS, "base_days": CLIENT_BASE_DAYS}
    ).fetchall()


def meetings_of(con, manager: str, weeks: list[dt.date]) -> list[dict]:
    """Every meeting of the manager in the weeks, with client and status."""
    if not weeks:
        return []
    return dicts(con.execute(
        """SELECT happened_at, client, type_text, status_text, state, subject FROM activities
           WHERE manager = ? AND activity = 'meeting' AND happened_at >= ? AND happened_at < ?
           ORDER BY happened_at""",
        [manager, weeks[0], weeks[-1] + dt.timedelta(days=7)]))


def saved_target(con) -> int:
    text = get_meta(con, _TARGET_SETTING)
    return int(text) if text and text.isdigit() and int(text) > 0 else DEFAULT_TARGET


def save_target(con, target: int) -> None:
    set_meta(con, _TARGET_SETTING, str(int(target)))


def manager_table(rep: Report) -> tuple[list[dict], dict[str, str]]:
    """One row per manager, lowest average over complete weeks first, and its column
    titles: the page's table, its download and `meetings --csv` are this one table."""
    managers = sorted(rep.managers, key=lambda m: (rep.avg_per_complete_week(m) is None,
                                                   rep.avg_per_complete_week(m) or 0))
    rows = [{"manager": m.manager, "avg": rep.avg_per_complete_week(m), "held": m.held,
             "cancelled": m.cancelled, "planned": m.planned, "calls": m.calls,
             "client_coverage": m.client_coverage, "below": rep.below_target(m)} for m in managers]
    return rows, texts.MEET_COLUMNS


def to_json(rep: Report, month: dt.date) -> dict:
    """The `meetings --json` shape of shared/cli.md."""
    held = sum(m.held for m in rep.managers)
    weeks = len(rep.weeks)
    return {
        "month": f"{month:%Y-%m}",
        "weeks": [rep.labels[w] for w in rep.weeks],
        "incomplete_weeks": [rep.labels[w] for w in rep.weeks if w in rep.incomplete],
        "target": rep.target,
        "by_manager": {m.manager: {
            "held": m.held, "avg_per_week": rep.avg_per_week(m), "per_week": m.per_week,
            "avg_per_complete_week": rep.avg_per_complete_week(m),
            "below_target": rep.below_target(m), "cancelled": m.cancelled,
            "planned": m.planned, "calls": m.calls, "client_coverage": m.client_coverage}
            for m in rep.managers},
        "department": {
            "held": held, "avg_per_week": held / weeks if weeks else None,
            "avg_per_manager_week": held / (weeks * len(rep.managers))
            if weeks and rep.managers else None,
            "avg_per_manager_complete_week": rep.department_avg_per_complete_week},
    }


def team_table(rep: Report, team_of: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """Meetings by team (`team_of`: kpi.sales.teams_of), lowest average first, then the
    department: the average is held meetings in complete weeks per manager and week, the
    department's rule applied to the team's managers; `below_average` when that is under the
    target."""
    complete = rep.complete_weeks
    groups: dict[str, list[ManagerWeeks]] = {}
    for m in rep.managers:
        groups.setdefault(team_of.get(m.manager, NO_TEAM), []).append(m)

    def row(name, members):
        held_complete = sum(m.per_week[rep.labels[w]] for m in members for w in complete)
        avg = held_complete / len(complete) / len(members) if complete and members else None
        return {"team": name, "managers": len(members), "avg": avg,
                "below_average": avg is not None and avg < rep.target,
                "held": sum(m.held for m in members),
                "below": sum(rep.below_target(m) for m in members),
                "cancelled": sum(m.cancelled for m in members)}

    rows = sorted((row(t, ms) for t, ms in groups.items()),
                  key=lambda r: (r["avg"] is None, r["avg"] or 0, r["team"]))
    rows.append(row(DEPARTMENT, rep.managers))
    return rows, texts.MEET_TEAM_COLUMNS


def attention(manager_rows: list[dict], n: int = ATTENTION_N, everyone_up_to: int = EVERYONE_UP_TO):
    """The heat map's rows out of manager_table's (lowest average first): the n who meet
    clients least and the n who meet them most; managers with no complete week are not
    ranked. Everyone in a small department."""
    return ends([r for r in manager_rows if r["avg"] is not None], n, n,
                unranked=[r for r in manager_rows if r["avg"] is None], everyone_up_to=everyone_up_to)
