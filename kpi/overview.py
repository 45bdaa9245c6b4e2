"""The director's overview: one row per manager across the KPIs, teams and the department,
each figure from the KPI module that owns it (sales, receivables, meetings), coloured
against thresholds that are a setting.

Roll-ups follow the department's rules: fulfilment = sum(fact) / sum(plan); overdue share =
sum(overdue) / sum(debt); meetings per week = held / (weeks x managers listed), a
per-manager average comparable with the per-manager target. Never a mean of percentages.
"""

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from kpi import calendar, meetings, receivables, sales, texts
from kpi.formatting import json_money as money
from kpi.store import get_meta, set_meta

LEVELS = ("ok", "watch", "behind")
_THRESHOLDS_KEY = "overview_thresholds"


@dataclass(frozen=True)
class Thresholds:
    """Where green turns amber and amber red. Fulfilment (the forecast while the month is
    open) is ok from `sales_ok`, watch from `sales_watch`; the overdue share is ok up to
    `overdue_ok`, watch up to `overdue_watch`; meetings per week are ok from the target,
    watch from `meetings_watch` of it."""

    sales_ok: float = 1.0
    sales_watch: float = 0.9
    overdue_ok: float = 0.10
    overdue_watch: float = 0.25
    meetings_watch: float = 0.8


def saved_thresholds(con) -> Thresholds:
    text = get_meta(con, _THRESHOLDS_KEY)
    return Thresholds(**json.loads(text)) if text else Thresholds()


def save_thresholds(con, thresholds: Thresholds) -> None:
    set_meta(con, _THRESHOLDS_KEY, json.dumps(asdict(thresholds)))


@dataclass
class Row:
    """One manager, team or the department."""

    name: str
    team: str | None
    fact: Decimal = Decimal(0)
    plan: Decimal | None = None
    forecast: Decimal | None = None
    debt: Decimal | None = None  # None: no receivables snapshot for the month
    overdue: Decimal | None = None
    over_limit: Decimal | None = None
    held: int | None = None  # None: no activities cover the month
    weeks: int = 0  # the month's weeks (per manager), for the per-week average
    held_complete: int | None = None
    complete_weeks: int = 0
    status: dict = field(default_factory=dict)

    @property
    def fulfilment(self) -> float | None:
        return sales.ratio(self.fact, self.plan)

    @property
    def forecast_fulfilment(self) -> float | None:
        return sales.ratio(self.forecast, self.plan) if self.forecast is not None else None

    @property
    def overdue_share(self) -> float | None:
        return float(self.overdue / self.debt) if self.debt else None

    @property
    def meetings_per_week(self) -> float | None:
        return self.held / self.weeks if self.held is not None and self.weeks else None

    @property
    def meetings_per_complete_week(self) -> float | None:
        if self.held_complete is None or not self.complete_weeks:
            return None
        return self.held_complete / self.complete_weeks


@dataclass
class Overview:
    month: dt.date
    closed: bool
    receivables_as_of: dt.date | None
    meetings_covered: bool
    target: int
    thresholds: Thresholds
    managers: list[Row]
    teams: list[Row]
    department: Row
    previous: Row | None = None  # the department a month earlier


def overview(con, month: dt.date, *, target: int | None = None, today: dt.date | None = None,
             country: str = calendar.DEFAULT_COUNTRY, thresholds: Thresholds | None = None,
             with_previous: bool = True) -> Overview:
    month = month.replace(day=1)
    target = target or meetings.saved_target(con)
    thresholds = thresholds or saved_thresholds(con)
    plan = sales.month_report(con, month, today=today, country=country, slippage=False,
                              chances=False)
    rows = {f.name: Row(f.name, f.team, f.fact, f.plan, f.forecast) for f in plan.managers}

    snapshot = receivables.pick_snapshot(con, calendar.month_end(month))
    if snapshot is not None:
        debt = receivables.report(con, snapshot)
        for name, ageing in debt.by_manager.items():
            row = rows.setdefault(name, Row(name, None))
            row.debt, row.overdue = ageing.total, ageing.overdue
            row.over_limit = debt.over_limit_by_manager.get(name, Decimal(0))

    weeks = meetings.month_weeks(month)
    meets = meetings.report(con, weeks, target, clients=False)
    last_day = weeks[-1] + dt.timedelta(days=6)
    covered = any(start <= last_day and end >= weeks[0] for start, end in meetings.coverage(con))
    if covered:
        for m in meets.managers:
            row = rows.setdefault(m.manager, Row(m.manager, None))
            row.held, row.weeks = m.held, len(weeks)
            row.held_complete = sum(m.per_week[meets.labels[w]] for w in meets.complete_weeks)
            row.complete_weeks = len(meets.complete_weeks)
    managers = sorted(rows.values(), key=lambda r: r.name)
    for row in managers:
        row.team = row.team or plan_team(plan, row.name)
        _fill_gaps(row, snapshot is not None, covered, len(weeks), len(meets.complete_weeks))
    teams = [_roll_up(team, [r for r in managers if r.team == team])
             for team in sorted({r.team for r in managers})]
    department = _roll_up(sales.DEPARTMENT, managers)
    for row in [*managers, *teams, department]:
        row.status = status(row, thresholds, target, plan.closed)
    previous = None
    if with_previous:
        before = (month - dt.timedelta(days=1)).replace(day=1)
        previous = overview(con, before, target=target, today=today, country=country,
                            thresholds=thresholds, with_previous=False).department
    return Overview(month, plan.closed, snapshot, covered, target, thresholds, managers, teams,
                    department, previous)


@dataclass
class TrendPoint:
    month: dt.date
    fulfilment: float | None
    overdue_share: float | None
    meetings_per_week: float | None  # over complete weeks


def trend(con, months: list[dt.date], **options) -> list[TrendPoint]:
    """The department month by month, by the same rules as the month's overview."""
    points = []
    for month in months:
        d = overview(con, month, with_previous=False, **options).department
        points.append(TrendPoint(month, d.fulfilment, d.overdue_share, d.meetings_per_complete_week))
    return points


def plan_team(plan: sales.MonthReport, name: str) -> str:
    return next((f.team for f in plan.managers if f.name == name), sales.NO_TEAM)


def _fill_gaps(row: Row, has_debt: bool, covered: bool, weeks: int, complete: int) -> None:
    """A manager missing from one KPI's data has zero there, not 'unknown', once the data
    for the month is loaded; unknown (None) only when it is not."""
    if has_debt and row.debt is None:
        row.debt, row.overdue, row.over_limit = Decimal(0), Decimal(0), Decimal(0)
    if covered and row.held is None:
        row.held, row.weeks, row.held_complete, row.complete_weeks = 0, weeks, 0, complete


def _roll_up(name: str, members: list[Row]) -> Row:
    """Sums over sums: plans over those who have one; debt and meetings where loaded."""
    def total(attr):
        values = [getattr(m, attr) for m in members if getattr(m, attr) is not None]
        return sum(values) if values else None

    row = Row(name, name, fact=sum((m.fact for m in members), Decimal(0)), plan=total("plan"),
              forecast=total("forecast"), debt=total("debt"), overdue=total("overdue"),
              over_limit=total("over_limit"), held=total("held"), held_complete=total("held_complete"))
    with_meetings = [m for m in members if m.held is not None]
    row.weeks = sum(m.weeks for m in with_meetings)  # weeks x managers listed
    row.complete_weeks = sum(m.complete_weeks for m in with_meetings)
    return row


def status(row: Row, t: Thresholds, target: int, closed: bool) -> dict:
    """ok / watch / behind per KPI, or None where the figure is None."""
    pace = row.fulfilment if closed or row.forecast_fulfilment is None else row.forecast_fulfilment

    def above(value, ok, watch):
        return None if value is None else "ok" if value >= ok else "watch" if value >= watch else "behind"

    def below(value, ok, watch):
        return None if value is None else "ok" if value <= ok else "watch" if value <= watch else "behind"

    debt = below(row.overdue_share, t.overdue_ok, t.overdue_watch)
    if debt == "ok" and row.over_limit:  # over the credit limit is never fine
        debt = "watch"
    per_week = row.meetings_per_complete_week
    return {"sales": above(pace, t.sales_ok, t.sales_watch), "receivables": debt,
            "meetings": above(per_week, target, t.meetings_watch * target)}


def manager_table(ov: Overview) -> tuple[list[dict], dict[str, str]]:
    """The scorecard: one row per manager, those needing attention first, then the teams and
    the department; the page's table, its download and `overview --csv` are this table."""
    def attention(r: Row):  # most red, then most amber, then the weakest plan pace
        marks = list(r.status.values())
        pace = r.fulfilment if ov.closed or r.forecast_fulfilment is None else r.forecast_fulfilment
        return -marks.count("behind"), -marks.count("watch"), pace if pace is not None else 9, r.name

    managers = sorted(ov.managers, key=attention)
    rows = [{"name": r.name, "team": r.team if kind == "manager" else None, "fact": r.fact, "plan": r.plan,
             "fulfilment": r.fulfilment, "forecast_fulfilment": None if ov.closed else r.forecast_fulfilment,
             "overdue": r.overdue, "overdue_share": r.overdue_share, "over_limit": r.over_limit,
             "meetings_per_week": r.meetings_per_complete_week, "status": r.status,
             "kind": kind}
            for kind, group in (("manager", managers), ("team", ov.teams), ("department", [ov.department]))
            for r in group]
    return rows, texts.OVERVIEW_COLUMNS


def _figures(row: Row, closed: bool) -> dict:
    return {"team": row.team, "fact": money(row.fact), "plan": money(row.plan),
            "fulfilment": row.fulfilment,
            "forecast_fulfilment": None if closed else row.forecast_fulfilment,
            "overdue": money(row.overdue), "overdue_share": row.overdue_share,
            "over_limit": money(row.over_limit), "meetings_per_week": row.meetings_per_week,
            "meetings_per_complete_week": row.meetings_per_complete_week,
            "status": row.status}


def to_json(ov: Overview, currency: str = "RUB") -> dict:
    """The `overview --json` shape of shared/cli.md."""
    return {
        "month": f"{ov.month:%Y-%m}", "currency": currency,
        "receivables_as_of": ov.receivables_as_of.isoformat() if ov.receivables_as_of else None,
        "meetings_covered": ov.meetings_covered, "target": ov.target,
        "managers": {r.name: _figures(r, ov.closed) for r in ov.managers},
        "teams": {r.name: _figures(r, ov.closed) for r in ov.teams},
        "department": _figures(ov.department, ov.closed),
        "previous_month": {"department": _figures(ov.previous, True) if ov.previous else None},
    }


TREND_MONTHS = 12  # the overview's trend: the last year loaded


def trend_window(months: list[dt.date], size: int = TREND_MONTHS) -> list[dt.date]:
    """The loaded months the overview's trend shows, oldest first: the latest `size`. Each
    point is a whole overview, so three years of history would cost 36 of them."""
    return sorted(months)[-size:]
