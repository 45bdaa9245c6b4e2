"""`python -m kpi`: the command-line face of the engine (contract: shared/cli.md).

Exit status 0 on success, 2 on a refused input or bad arguments, with the reason on
stderr in the reader's language (`--lang ru|kk|en`, Russian by default); never a traceback
for a user's mistake. Help texts and readable output are in that language too; `--json`
is the same in every language.
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from kpi import (access, calendar, forecast, funnel, i18n, importer, meetings, overview, reading,
                 receivables, sales, settings, store, texts)
from kpi.export import excel_csv
from kpi.formatting import fmt_money, fmt_number, fmt_ratio
from kpi.mapping import from_file
from kpi.reading import FileRefused
from kpi.forecast import payments
from kpi.kinds import KINDS

REFUSED = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits with 2 too; keep its message short
        self.print_usage(sys.stderr)
        print(texts.CLI_ERROR.format(message=message), file=sys.stderr)
        sys.exit(REFUSED)


def _date(text: str) -> dt.date:
    """A day the data can have, as `_month`: 9999-12-31 would overflow the forecasts' weeks."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(texts.CLI_BAD_DATE.format(text=text)) from None
    if not 1990 <= day.year <= 2100:
        raise argparse.ArgumentTypeError(texts.DATE_OUT_OF_RANGE.format(
            low=i18n.date(dt.date(1990, 1, 1)), high=i18n.date(dt.date(2100, 12, 31))))
    return day


def _month(text: str) -> dt.date:
    """A month the data can have: 9999-12 would overflow the calendar, 0001-01 is a typo."""
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(texts.CLI_BAD_MONTH.format(text=text)) from None
    if not 1990 <= month.year <= 2100:
        raise argparse.ArgumentTypeError(texts.CLI_MONTH_OUT_OF_RANGE.format(text=text))
    return month


def _edges(text: str) -> tuple[int, ...]:
    try:
        return receivables.parse_edges(text)
    except ValueError:
        raise argparse.ArgumentTypeError(texts.CLI_BAD_BUCKETS.format(text=text)) from None


def _language(argv: list[str]) -> str:
    """`--lang kk` or `--lang=kk` (or an abbreviation argparse would take, `--la kk`) before
    the parser is built: its help texts are in that language. What follows `--` is data."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if len(name) > 2 and "--lang".startswith(name):
            return value if eq else (argv[i + 1] if i + 1 < len(argv) else i18n.DEFAULT)
    return i18n.DEFAULT


def build_parser() -> argparse.ArgumentParser:
    """The parser with its help texts in the current language (`i18n.set_language` first)."""
    parser = _Parser(prog="python -m kpi", description=texts.CLI_DESCRIPTION)
    parser.add_argument("--db", help=texts.CLI_HELP_DB.format(default=store.DEFAULT_DB))
    parser.add_argument("--as", dest="login", metavar="LOGIN", help=texts.CLI_HELP_AS)
    parser.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT,
                        help=texts.CLI_HELP_LANG)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = commands.add_parser("import", help=texts.CLI_HELP_IMPORT)
    p.add_argument("--kind", choices=list(KINDS), help=texts.CLI_HELP_KIND)
    p.add_argument("--as-of", type=_date, help=texts.CLI_HELP_IMPORT_AS_OF)
    p.add_argument("--won-stages", type=lambda t: [w.strip() for w in t.split(",") if w.strip()],
                   help=texts.CLI_HELP_WON_STAGES)
    p.add_argument("--mapping", type=Path, help=texts.CLI_HELP_MAPPING)
    p.add_argument("--strict", action="store_true", help=texts.CLI_HELP_STRICT)
    p.add_argument("--confirm", action="store_true", help=texts.CLI_HELP_CONFIRM)
    p.add_argument("--max-mb", type=int, help=texts.CLI_HELP_MAX_MB)
    p.add_argument("files", nargs="+", type=Path)

    p = commands.add_parser("sales", help=texts.CLI_HELP_SALES)
    p.add_argument("--month", type=_month, help=texts.CLI_HELP_MONTH)
    p.add_argument("--country", choices=list(calendar.COUNTRIES), help=texts.CLI_HELP_COUNTRY)
    p.add_argument("--today", type=_date, help=texts.CLI_HELP_TODAY)
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help=texts.CLI_HELP_CSV)

    p = commands.add_parser("receivables", help=texts.CLI_HELP_RECEIVABLES)
    p.add_argument("--as-of", type=_date, help=texts.CLI_HELP_REC_AS_OF)
    p.add_argument("--buckets", type=_edges, default=receivables.DEFAULT_EDGES,
                   help=texts.CLI_HELP_BUCKETS)
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help=texts.CLI_HELP_CSV)

    p = commands.add_parser("meetings", help=texts.CLI_HELP_MEETINGS)
    p.add_argument("--month", type=_month, help=texts.CLI_HELP_MONTH)
    p.add_argument("--target", type=int, help=texts.CLI_HELP_TARGET)
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help=texts.CLI_HELP_CSV)

    p = commands.add_parser("funnel", help=texts.CLI_HELP_FUNNEL)
    p.add_argument("--by", choices=list(funnel.GROUPINGS), help=texts.CLI_HELP_BY)
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help=texts.CLI_HELP_CSV)

    p = commands.add_parser("slots", help=texts.CLI_HELP_SLOTS)
    p.add_argument("--attendees", type=int, help=texts.CLI_HELP_ATTENDEES)  # or --invited
    p.add_argument("--invited", type=Path, metavar="FILE", help=texts.ATTEND_CLI_HELP_INVITED)
    p.add_argument("--show-rate", type=float, help=texts.CLI_HELP_SHOW_RATE)
    p.add_argument("--confidence", type=float, default=0.9, help=texts.CLI_HELP_CONFIDENCE)
    p.add_argument("--capacity", type=int, help=texts.CLI_HELP_CAPACITY)
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("overview", help=texts.CLI_HELP_OVERVIEW)
    p.add_argument("--month", type=_month, help=texts.CLI_HELP_MONTH)
    p.add_argument("--target", type=int, help=texts.CLI_HELP_TARGET)
    p.add_argument("--today", type=_date, help=texts.CLI_HELP_TODAY)
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help=texts.CLI_HELP_OVERVIEW_CSV)

    p = commands.add_parser("forecast", help=texts.CLI_HELP_FORECAST)
    p.add_argument("--backtest", action="store_true", required=True, help=texts.CLI_HELP_BACKTEST)
    p.add_argument("--country", choices=list(calendar.COUNTRIES), help=texts.CLI_HELP_COUNTRY)
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("imports", help=texts.CLI_HELP_IMPORTS)
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("delete-import", help=texts.CLI_HELP_DELETE_IMPORT)
    p.add_argument("import_id", type=int)

    p = commands.add_parser("user", help=texts.CLI_HELP_USER)
    users = p.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    u = users.add_parser("add", help=texts.CLI_HELP_USER_ADD)
    u.add_argument("user_login", metavar="LOGIN")
    u.add_argument("--role", required=True, choices=access.ROLES)
    u.add_argument("--manager", help=texts.CLI_HELP_USER_MANAGER)
    u.add_argument("--team", help=texts.CLI_HELP_USER_TEAM)
    u = users.add_parser("passwd", help=texts.CLI_HELP_USER_PASSWD)
    u.add_argument("user_login", metavar="LOGIN")
    u = users.add_parser("disable", help=texts.CLI_HELP_USER_DISABLE)
    u.add_argument("user_login", metavar="LOGIN")
    u = users.add_parser("list", help=texts.CLI_HELP_USER_LIST)
    u.add_argument("--json", action="store_true")
    return parser


# The area of the product each command belongs to (kpi.access.AREAS): outside the role,
# the command is refused, not run on empty data.
AREA = {"overview": "overview", "sales": "sales", "receivables": "receivables", "meetings": "meetings", "funnel": "hiring",
        "slots": "hiring", "imports": "history", "delete-import": "history", "import": "upload"}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    i18n.set_language(_language(argv))  # help and argument errors already in the reader's language
    args = build_parser().parse_args(argv)
    i18n.set_language(args.lang)
    try:
        args.scope = access.scope_of(args.db, args.login) if args.login else access.ADMIN
        if args.command == "user" and args.scope.role != "director":
            raise access.Forbidden(texts.FORBIDDEN.format(login=args.login, role=texts.ROLE_TITLES[args.scope.role]))
        if args.command in AREA:
            args.scope.require(AREA[args.command])
        return COMMANDS[args.command](args)
    except (store.StoreBusy, store.StoreUnusable, access.Forbidden, store.NoSuchImport) as e:
        print(str(e), file=sys.stderr)
        return REFUSED
    except BrokenPipeError:  # `... | head` closed the pipe: it has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


def cmd_import(args) -> int:
    status = 0
    mapping = None
    if args.mapping:
        try:
            mapping = from_file(args.mapping)
        except FileRefused as e:
            print(str(e), file=sys.stderr)
            return REFUSED
    with store.reader(args.db) as con:
        limit = args.max_mb or reading.upload_limit_mb(con)
    for path in args.files:
        try:
            reading.check_size(path.stat().st_size, limit)  # before a byte is read
            data = path.read_bytes()
        except FileRefused as e:
            print(texts.IMPORT_REFUSED.format(file=path, reason=e), file=sys.stderr)
            status = REFUSED
            continue
        except OSError as e:
            print(texts.IMPORT_REFUSED.format(file=path, reason=e.strerror), file=sys.stderr)
            status = REFUSED
            continue
        result = importer.inspect(data, path.name, kind=args.kind, as_of=args.as_of,
                                  won_stages=args.won_stages, mapping=mapping, db=args.db,
                                  limit_mb=limit)
        if isinstance(result, importer.Refusal):
            print(texts.IMPORT_REFUSED.format(file=path, reason=result.reason), file=sys.stderr)
            status = REFUSED
            continue
        if args.strict and result.problems:
            reason = "\n".join(result.problem_lines)
            print(texts.IMPORT_REFUSED.format(file=path, reason=reason), file=sys.stderr)
            status = REFUSED
            continue
        try:
            stored = importer.commit(result, db=args.db, confirmed=args.confirm)
        except FileRefused as e:
            print(texts.IMPORT_REFUSED.format(file=path, reason=e), file=sys.stderr)
            status = REFUSED
            continue
        print(texts.IMPORT_LINE.format(file=path, kind=stored.kind, period=stored.period_text,
                                       stored=stored.rows_stored, refused=stored.rows_refused))
        if result.grouping:
            print(f"  {texts.GROUPING_READ.format(levels=', '.join(result.grouping))}")
        for line in [*result.problem_lines, *result.confirm, *stored.notes]:
            print(f"  {line}")
        if result.unused:
            print(f"  {texts.UNUSED_COLUMNS.format(columns=', '.join(f'«{h}»' for h in result.unused))}")
    return status


def cmd_imports(args) -> int:
    with access.reader(args.db, args.scope) as con:
        rows = store.list_imports(con)
    if args.json:  # the note as keys and values: the same in every language
        rows = [r | {"note": texts.note_items(r["note"])} for r in rows]
        print(json.dumps({"imports": rows}, ensure_ascii=False, default=str))
        return 0
    for r in rows:
        period = i18n.date(r["as_of"]) if r["as_of"] else \
            f"{i18n.date(r['period_from'])}–{i18n.date(r['period_to'])}"
        rows_text = texts.CLI_IMPORTS_ROWS.format(stored=r["rows_stored"], refused=r["rows_refused"])
        print(f"{r['id']:>4}  {i18n.date(r['imported_at'])} {r['imported_at']:%H:%M}  {r['kind']:<11} "
              f"{period}  {rows_text}  {r['file_name']}")
    return 0


def cmd_delete_import(args) -> int:
    with access.reader(args.db, args.scope) as con:
        visible = {r["id"]: r["kind"] for r in store.list_imports(con) if r["deleted_at"] is None}
    if args.import_id not in visible:
        raise store.NoSuchImport(texts.NO_SUCH_IMPORT.format(id=args.import_id))
    if not args.scope.may_import(visible[args.import_id]):
        raise access.Forbidden(texts.FORBIDDEN.format(login=args.login, role=texts.ROLE_TITLES[args.scope.role]))
    with store.connect(args.db) as con:
        store.delete_import(con, args.import_id, args.scope.login)
    return 0


def cmd_user(args) -> int:
    try:
        if args.user_command == "list":
            users = access.list_users(args.db)
            if args.json:
                print(json.dumps({"users": users}, ensure_ascii=False))
            for u in [] if args.json else users:
                print(f"{u['login']:<20} {u['role']:<10} {u['manager'] or u['team'] or '':<24} "
                      f"{'' if u['active'] else texts.CLI_USER_DISABLED}")
        elif args.user_command == "disable":
            access.disable_user(args.db, args.user_login)
        elif args.user_command == "passwd":
            access.set_password(args.db, args.user_login, _password())
        else:
            access.add_user(args.db, args.user_login, args.role, _password(), args.manager, args.team)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return REFUSED
    return 0


def _password() -> str:
    """From the terminal (asked twice), or one line of stdin for scripts."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(texts.CLI_PASSWORD)
        if first != getpass.getpass(texts.CLI_PASSWORD_AGAIN):
            raise ValueError(texts.PASSWORD_MISMATCH)
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise ValueError(texts.PASSWORD_EMPTY)
    return line


def _csv(rows, columns) -> int:
    sys.stdout.buffer.write(excel_csv(rows, columns))
    sys.stdout.flush()
    return 0


def cmd_sales(args) -> int:
    with access.reader(args.db, args.scope) as con:
        month = args.month or calendar.default_month(sales.months(con)) or dt.date.today().replace(day=1)
        report = sales.month_report(con, month, today=args.today,
                                    country=args.country or settings.country(con))
    if args.json:
        print(json.dumps(sales.to_json(report), ensure_ascii=False))
        return 0
    if args.csv:
        return _csv(*sales.manager_table(report))
    print(texts.CLI_SALES_TITLE.format(month=i18n.month(report.month)))
    rows = [*report.managers, *report.teams, report.department]
    names = [texts.group_name(r.name) for r in rows]
    width = max([len(n) for n in names] + [10])
    ratio = max(10, len(texts.CLI_FULFILMENT))
    chance = max(10, len(texts.SALES_CHANCE)) if report.forecast_ready else 0
    print(f"{'':<{width}}  {texts.CLI_FACT:>16}  {texts.CLI_PLAN:>16}  {texts.CLI_FULFILMENT:>{ratio}}"
          + (f"  {texts.SALES_CHANCE:>{chance}}  {texts.SALES_CHART_RANGE}" if chance else ""))
    for name, r in zip(names, rows):
        print(f"{name:<{width}}  {fmt_money(r.fact):>16}  {fmt_money(r.plan):>16}  "
              f"{fmt_ratio(r.fulfilment):>{ratio}}"
              + (f"  {fmt_ratio(r.plan_chance, digits=0, none='—'):>{chance}}  "
                 f"{fmt_money(r.forecast_low)} – {fmt_money(r.forecast_high)}"
                 if chance and r.forecast_low is not None else ""))
    return 0


def cmd_receivables(args) -> int:
    with access.reader(args.db, args.scope) as con:
        report = receivables.report(con, args.as_of, args.buckets)
        if args.csv:
            return _csv(*receivables.manager_table(report))
        forecast = payments.forecast(con, report.as_of, report.snapshot)
    if args.json:
        print(json.dumps(receivables.to_json(report, forecast), ensure_ascii=False))
        return 0
    if report.snapshot is None:
        print(texts.CLI_REC_NO_DATA)
        return 0
    print(texts.CLI_REC_TITLE.format(as_of=i18n.date(report.as_of), snapshot=i18n.date(report.snapshot)))
    headers = [*map(receivables.bucket_title, report.keys), texts.CLI_REC_TOTAL, texts.CLI_REC_OVERDUE]
    column = max([14] + [len(h) + 2 for h in headers])
    rows = [*report.by_manager.items(), (texts.DEPARTMENT_LABEL, report.totals)]
    width = max([len(name) for name, _ in rows] + [12])
    print(f"{'':<{width}}" + "".join(f"{h:>{column}}" for h in headers))
    for name, a in rows:
        print(f"{name:<{width}}" + "".join(f"{fmt_money(v):>{column}}" for v in
                                            [*a.buckets.values(), a.total, a.overdue]))
    _print_inflow(forecast)
    return 0


def _print_inflow(forecast) -> None:
    """The four weeks' expected inflow under the ageing table, or why there is none."""
    from kpi.forecast import payments

    print()
    if not forecast.enough:
        print(texts.PAY_TOO_LITTLE.format(paid=forecast.paid, min=payments.MIN_PAID))
        return
    print(texts.PAY_CLI_INFLOW.format(paid=forecast.paid, snapshots=forecast.snapshots))
    titles = [texts.WEEK_TITLE.format(week=first.isocalendar()[1], start=i18n.day_month(first),
                                      end=i18n.day_month(last)) for first, last in forecast.spans]
    titles.append(texts.PAY_INFLOW_TOTAL)
    width = max(len(t) for t in titles)
    amounts = [*forecast.inflow.values(), sum(forecast.inflow.values())]
    for title, amount in zip(titles, amounts):
        print(f"  {title:<{width}}  {fmt_money(amount):>16}")


def cmd_meetings(args) -> int:
    with access.reader(args.db, args.scope) as con:
        month = args.month or calendar.default_month(meetings.months(con)) or dt.date.today().replace(day=1)
        target = args.target or meetings.saved_target(con)
        report = meetings.report(con, meetings.month_weeks(month), target)
    if args.json:
        print(json.dumps(meetings.to_json(report, month), ensure_ascii=False))
        return 0
    if args.csv:
        return _csv(*meetings.manager_table(report))
    labels = [report.labels[w] + ("*" if w in report.incomplete else "") for w in report.weeks]
    print(texts.CLI_MEET_TITLE.format(month=i18n.month(month), target=target))
    width = max([len(m.manager) for m in report.managers] + [10])
    average = max(11, len(texts.CLI_MEET_AVERAGE) + 2)
    print(f"{'':<{width}}" + "".join(f"{label:>10}" for label in labels)
          + f"{texts.CLI_MEET_AVERAGE:>{average}}")
    for m in report.managers:
        avg = report.avg_per_complete_week(m)
        print(f"{m.manager:<{width}}" + "".join(f"{n:>10}" for n in m.per_week.values())
              + f"{fmt_number(avg, 1):>{average}}")
    return 0


def cmd_overview(args) -> int:
    with access.reader(args.db, args.scope) as con:
        month = args.month or calendar.default_month(sales.months(con)) or dt.date.today().replace(day=1)
        report = overview.overview(con, month, target=args.target, today=args.today,
                                   country=settings.country(con))
        currency = settings.currency(con)
    if args.json:
        print(json.dumps(overview.to_json(report, currency), ensure_ascii=False))
        return 0
    if args.csv:
        return _csv(*overview.manager_table(report))
    print(texts.CLI_OVERVIEW_TITLE.format(month=i18n.month(report.month)))
    rows, columns = overview.manager_table(report)
    keys = ("name", "fulfilment", "overdue_share", "meetings_per_week")
    names = [texts.group_name(r["name"]) for r in rows]
    width = max([14, len(columns["name"])] + [len(n) for n in names])
    column = max([14] + [len(columns[k]) for k in keys[1:]])
    print(f"{columns['name']:>{width}}  " + "  ".join(f"{columns[k]:>{column}}" for k in keys[1:]))
    for name, r in zip(names, rows):
        print(f"{name:>{width}}  {fmt_ratio(r['fulfilment']):>{column}}  "
              f"{fmt_ratio(r['overdue_share'], none='—'):>{column}}  "
              f"{fmt_number(r['meetings_per_week'], 1):>{column}}")
    return 0


def cmd_funnel(args) -> int:
    with access.reader(args.db, args.scope) as con:
        overall, groups = funnel.funnel(con, args.by or ("source" if args.csv else None))
    if args.json:
        print(json.dumps(funnel.to_json(overall, groups), ensure_ascii=False))
        return 0
    if args.csv:
        return _csv(*funnel.group_table(groups, args.by or "source"))
    print(texts.CLI_FUNNEL.format(stages=" → ".join(f"{texts.STAGE_TITLES[s]} {overall.counts[s]}"
                                                   for s in funnel.STAGES)))
    print(texts.CLI_FUNNEL_ATTENDANCE.format(rate=fmt_ratio(overall.attendance_rate, none="—")))
    for name, f in groups.items():
        print("  " + texts.CLI_FUNNEL_GROUP.format(
            name=name, rate=fmt_ratio(f.attendance_rate, none="—"), attended=f.counts["attended"],
            invited=f.counts["invited"], hired=f.counts["hired"], responded=f.counts["responded"]))
    return 0


def cmd_slots(args) -> int:
    if (args.invited is None) == (args.attendees is None):  # one of the two questions
        print(texts.CLI_ERROR.format(message=texts.ATTEND_CLI_BOTH if args.invited
                                     else texts.ATTEND_CLI_NEED_ONE), file=sys.stderr)
        return REFUSED
    if args.invited is not None:
        return _slots_invited(args)
    with access.reader(args.db, args.scope) as con:
        planning = funnel.planning_rate(con, args.show_rate)
    rate, rate_source = planning.rate, planning.source
    try:
        plan = funnel.plan(args.attendees, rate, args.confidence, args.capacity)
    except ValueError as e:
        print(texts.SLOTS_BAD_INPUT[str(e)].format(rate=rate), file=sys.stderr)
        return REFUSED
    if args.json:
        print(json.dumps(funnel.plan_json(plan, rate_source), ensure_ascii=False))
        return 0
    print(texts.SLOTS_LINE.format(k=plan.attendees, rate=fmt_ratio(plan.show_rate),
                                  average=plan.average_bookings, n=plan.bookings,
                                  probability=fmt_ratio(plan.probability)))
    return 0


def _slots_invited(args) -> int:
    """`slots --invited FILE`: who of the invited will come (kpi.forecast.attendance). The
    file is read and checked as an import would be, and not stored; its refused rows are
    said on stderr (the JSON counts them: `rows_refused`)."""
    from kpi.forecast import attendance

    path = args.invited
    try:
        with store.reader(args.db) as con:
            reading.check_size(path.stat().st_size, reading.upload_limit_mb(con))
        data = path.read_bytes()
    except FileRefused as e:
        print(texts.IMPORT_REFUSED.format(file=path, reason=e), file=sys.stderr)
        return REFUSED
    except OSError as e:
        print(texts.IMPORT_REFUSED.format(file=path, reason=e.strerror), file=sys.stderr)
        return REFUSED
    found = importer.inspect(data, path.name, kind="candidates", db=args.db)
    if isinstance(found, importer.Refusal):
        print(texts.IMPORT_REFUSED.format(file=path, reason=found.reason), file=sys.stderr)
        return REFUSED
    with access.reader(args.db, args.scope) as con:
        result = attendance.show_chances(con, found.typed.rows.to_pylist(), args.capacity)
    said = [texts.ATTEND_CLI_READ.format(file=path, ok=found.rows_ok, refused=found.refused_rows),
            *(f"  {line}" for line in [*found.problem_lines, *found.confirm])]
    if args.json:
        if found.refused_rows or found.confirm:
            print("\n".join(said), file=sys.stderr)
        print(json.dumps(attendance.to_json(result) | {"rows_refused": found.refused_rows},
                         ensure_ascii=False))
        return 0
    print("\n".join(said))
    notes = {True: texts.ATTEND_NOTE_CONFIRMED}
    for p in result.candidates:
        note = (texts.ATTEND_KNOWN_CAME if p["show_chance"] == 1 else texts.ATTEND_KNOWN_REFUSED) \
            if p["known"] else notes.get(p["confirmed"])
        print(f"  {p['candidate']}: {fmt_ratio(p['show_chance'], none='—')}" + (f" ({note})" if note else ""))
    if result.distribution is not None:
        print(texts.ATTEND_EXPECTED_LINE.format(
            expected=fmt_number(result.expected, 1), n=len(result.candidates),
            share=fmt_ratio(0.8, 0), low=result.range_80[0], high=result.range_80[1]))
        print(texts.ATTEND_DIST_LINE.format(values=", ".join(
            f"{i} — {fmt_ratio(p)}" for i, p in enumerate(result.distribution))))
        if result.capacity is not None:
            print(texts.ATTEND_OVER_LINE.format(capacity=result.capacity,
                                                p=fmt_ratio(result.p_more_than_capacity)))
        print(texts.ATTEND_CALL_LINE.format(names=", ".join(result.call_first))
              if result.call_first else texts.ATTEND_CALL_NONE)
    print(attendance.basis_text(result))
    return 0


def cmd_forecast(args) -> int:
    """How well the forecasts would have done on the loaded history (issue 16)."""
    with access.reader(args.db, args.scope) as con:
        result = forecast.backtest(con, args.scope, args.country or settings.country(con))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for part, title, unit in (("sales", texts.CLI_BACKTEST_SALES, "months"),
                              ("attendance", texts.CLI_BACKTEST_ATTENDANCE, "days")):
        got = result[part]
        if got is None:
            continue
        print(title.format(n=got[unit], coverage=fmt_ratio(got["coverage_80"], none="—"),
                           brier=fmt_number(got["brier"], digits=3) if got["brier"] is not None else "—"))
    return 0


COMMANDS = {"forecast": cmd_forecast, "overview": cmd_overview, "user": cmd_user, "sales": cmd_sales, "funnel": cmd_funnel, "slots": cmd_slots, "meetings": cmd_meetings, "receivables": cmd_receivables, "import": cmd_import, "imports": cmd_imports, "delete-import": cmd_delete_import}
