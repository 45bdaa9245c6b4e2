"""`python -m kpi`: the command-line face of the engine (contract: shared/cli.md).

Exit status 0 on success, 2 on a refused input or bad arguments, with the reason on
stderr in Russian; never a traceback for a user's mistake.
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from kpi import (access, calendar, funnel, i18n, importer, meetings, overview, reading,
                 receivables, sales, settings, store, texts)
from kpi.export import excel_csv
from kpi.formatting import fmt_money, fmt_ratio
from kpi.mapping import from_file
from kpi.reading import FileRefused
from kpi.kinds import KINDS

REFUSED = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits with 2 too; keep its message short
        self.print_usage(sys.stderr)
        print(f"ошибка: {message}", file=sys.stderr)
        sys.exit(REFUSED)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ожидалась дата ГГГГ-ММ-ДД, а не «{text}»") from None


def _month(text: str) -> dt.date:
    """A month the data can have: 9999-12 would overflow the calendar, 0001-01 is a typo."""
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ожидался месяц ГГГГ-ММ, а не «{text}»") from None
    if not 1990 <= month.year <= 2100:
        raise argparse.ArgumentTypeError(f"ожидался месяц между 1990-01 и 2100-12, а не «{text}»")
    return month


def _edges(text: str) -> tuple[int, ...]:
    try:
        return receivables.parse_edges(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ожидались возрастающие целые числа дней через запятую, например 30,60,90, а не «{text}»"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m kpi", description="Показатели клиентского отдела и подбора.")
    parser.add_argument("--db", help=f"файл базы DuckDB (по умолчанию $KPI_DB или {store.DEFAULT_DB})")
    parser.add_argument("--as", dest="login", metavar="LOGIN",
                        help="ответить так, как увидит этот пользователь (его роль и доступ)")
    parser.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT,
                        help="язык читаемого вывода: ru, kk, en (--json от него не зависит)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = commands.add_parser("import", help="загрузить выгрузки")
    p.add_argument("--kind", choices=list(KINDS), help="вид выгрузки (иначе по заголовкам)")
    p.add_argument("--as-of", type=_date, help="дата среза дебиторки или кандидатов")
    p.add_argument("--won-stages", type=lambda t: [w.strip() for w in t.split(",") if w.strip()],
                   help="этапы сделок CRM, означающие продажу, через запятую "
                        "(по умолчанию «Успешно реализовано», «Сделка успешна», …)")
    p.add_argument("--mapping", type=Path, help="JSON-файл сопоставления столбцов "
                   "(для выгрузок, которые не распознаются сами; см. README)")
    p.add_argument("--strict", action="store_true",
                   help="не сохранять файл, если в нём есть хоть одна ошибочная строка")
    p.add_argument("--confirm", action="store_true",
                   help="сохранить файл, который нужно проверить (например, с незакрытой "
                        "кавычкой, прочитанной как обычный символ)")
    p.add_argument("--max-mb", type=int, help="наибольший размер файла в МБ для этой загрузки "
                   "(по умолчанию настройка базы, 32 МБ; память при чтении — около 25 размеров файла)")
    p.add_argument("files", nargs="+", type=Path)

    p = commands.add_parser("sales", help="выполнение плана продаж за месяц")
    p.add_argument("--month", type=_month, help="месяц ГГГГ-ММ (по умолчанию последний загруженный)")
    p.add_argument("--country", choices=list(calendar.COUNTRIES),
                   help="производственный календарь для прогноза")
    p.add_argument("--today", type=_date, help="считать сегодняшней эту дату (для прогноза)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help="главная таблица как CSV для Excel (как кнопка на странице)")

    p = commands.add_parser("receivables", help="дебиторская задолженность по срокам")
    p.add_argument("--as-of", type=_date, help="на какую дату считать просрочку "
                   "(по умолчанию дата последнего среза)")
    p.add_argument("--buckets", type=_edges, default=receivables.DEFAULT_EDGES,
                   help="границы корзин в днях, например 30,60,90")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help="главная таблица как CSV для Excel (как кнопка на странице)")

    p = commands.add_parser("meetings", help="проведённые встречи по неделям")
    p.add_argument("--month", type=_month, help="месяц ГГГГ-ММ (по умолчанию последний загруженный)")
    p.add_argument("--target", type=int, help="цель встреч в неделю (по умолчанию сохранённая, иначе 5)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help="главная таблица как CSV для Excel (как кнопка на странице)")

    p = commands.add_parser("funnel", help="воронка собеседований")
    p.add_argument("--by", choices=list(funnel.GROUPINGS), help="разбивка")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help="главная таблица как CSV для Excel (как кнопка на странице)")

    p = commands.add_parser("slots", help="сколько приглашать на слот")
    p.add_argument("--attendees", type=int, required=True, help="сколько кандидатов нужно на слот")
    p.add_argument("--show-rate", type=float, help="доля пришедших из приглашённых (иначе по данным)")
    p.add_argument("--confidence", type=float, default=0.9, help="уверенность, например 0.9")
    p.add_argument("--capacity", type=int, help="сколько интервьюер примет за раз (по умолчанию = attendees)")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("overview", help="обзор: все показатели по менеджерам за месяц")
    p.add_argument("--month", type=_month, help="месяц ГГГГ-ММ (по умолчанию последний загруженный)")
    p.add_argument("--target", type=int, help="цель встреч в неделю (по умолчанию сохранённая, иначе 5)")
    p.add_argument("--today", type=_date, help="считать сегодняшней эту дату (для прогноза)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help="таблица менеджеров как CSV для Excel")

    p = commands.add_parser("imports", help="история загрузок")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("delete-import", help="удалить загрузку и её строки")
    p.add_argument("import_id", type=int)

    p = commands.add_parser("user", help="пользователи и их роли")
    users = p.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    u = users.add_parser("add", help="завести пользователя (пароль спрашивается)")
    u.add_argument("user_login", metavar="LOGIN")
    u.add_argument("--role", required=True, choices=access.ROLES)
    u.add_argument("--manager", help="для роли manager: имя менеджера в данных")
    u.add_argument("--team", help="для роли head: отдел")
    u = users.add_parser("passwd", help="сменить пароль (все сеансы закрываются)")
    u.add_argument("user_login", metavar="LOGIN")
    u = users.add_parser("disable", help="отключить пользователя")
    u.add_argument("user_login", metavar="LOGIN")
    u = users.add_parser("list", help="список пользователей")
    u.add_argument("--json", action="store_true")
    return parser


# The area of the product each command belongs to (kpi.access.AREAS): outside the role,
# the command is refused, not run on empty data.
AREA = {"overview": "overview", "sales": "sales", "receivables": "receivables", "meetings": "meetings", "funnel": "hiring",
        "slots": "hiring", "imports": "history", "delete-import": "history", "import": "upload"}


def main(argv=None) -> int:
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
    if args.json:
        print(json.dumps({"imports": rows}, ensure_ascii=False, default=str))
        return 0
    for r in rows:
        period = r["as_of"] or f"{r['period_from']}..{r['period_to']}"
        print(f"{r['id']:>4}  {r['imported_at']:%d.%m.%Y %H:%M}  {r['kind']:<11} {period}  "
              f"{r['rows_stored']} стр. (отклонено {r['rows_refused']})  {r['file_name']}")
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
                      f"{'' if u['active'] else 'отключён'}")
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

        first = getpass.getpass("Пароль: ")
        if first != getpass.getpass("Ещё раз: "):
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
    print(f"План продаж, {importer.month_name(report.month)}")
    rows = [*report.managers, *report.teams, report.department]
    width = max([len(r.name) for r in rows] + [10])
    print(f"{'':<{width}}  {'факт':>16}  {'план':>16}  {'выполнение':>10}")
    for r in rows:
        print(f"{r.name:<{width}}  {fmt_money(r.fact):>16}  {fmt_money(r.plan):>16}  "
              f"{fmt_ratio(r.fulfilment):>10}")
    return 0


def cmd_receivables(args) -> int:
    with access.reader(args.db, args.scope) as con:
        report = receivables.report(con, args.as_of, args.buckets)
    if args.json:
        print(json.dumps(receivables.to_json(report), ensure_ascii=False))
        return 0
    if args.csv:
        return _csv(*receivables.manager_table(report))
    if report.snapshot is None:
        print("Дебиторская задолженность не загружена.")
        return 0
    print(f"Дебиторская задолженность на {report.as_of:%d.%m.%Y} (срез {report.snapshot:%d.%m.%Y})")
    keys = report.keys
    width = max([len(m) for m in report.by_manager] + [12])
    print(f"{'':<{width}}" + "".join(f"{k:>14}" for k in [*keys, "всего", "просрочено"]))
    for name, a in [*report.by_manager.items(), ("Итого", report.totals)]:
        print(f"{name:<{width}}" + "".join(f"{fmt_money(v):>14}" for v in
                                            [*a.buckets.values(), a.total, a.overdue]))
    return 0


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
    print(f"Встречи в неделю, {importer.month_name(month)} (цель {target}; * неполная неделя)")
    width = max([len(m.manager) for m in report.managers] + [10])
    print(f"{'':<{width}}" + "".join(f"{label:>10}" for label in labels) + f"{'в среднем':>11}")
    for m in report.managers:
        avg = report.avg_per_complete_week(m)
        print(f"{m.manager:<{width}}" + "".join(f"{n:>10}" for n in m.per_week.values())
              + f"{'—' if avg is None else f'{avg:.1f}'.replace('.', ','):>11}")
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
    print(f"Обзор, {importer.month_name(report.month)}")
    rows, columns = overview.manager_table(report)
    print("  ".join(f"{columns[k]:>14}" for k in ("name", "fulfilment", "overdue_share", "meetings_per_week")))
    for r in rows:
        per_week = "—" if r["meetings_per_week"] is None else f"{r['meetings_per_week']:.1f}".replace(".", ",")
        print(f"{r['name']:>14}  {fmt_ratio(r['fulfilment']):>14}  "
              f"{fmt_ratio(r['overdue_share'], none='—'):>14}  {per_week:>14}")
    return 0


def cmd_funnel(args) -> int:
    with access.reader(args.db, args.scope) as con:
        overall, groups = funnel.funnel(con, args.by or ("source" if args.csv else None))
    if args.json:
        print(json.dumps(funnel.to_json(overall, groups), ensure_ascii=False))
        return 0
    if args.csv:
        return _csv(*funnel.group_table(groups, args.by or "source"))
    print("Воронка: " + " → ".join(f"{texts.STAGE_TITLES[s]} {overall.counts[s]}" for s in funnel.STAGES))
    print(f"Явка (пришли / приглашены): {fmt_ratio(overall.attendance_rate, none='—')}")
    for name, f in groups.items():
        print(f"  {name}: явка {fmt_ratio(f.attendance_rate, none='—')} "
              f"({f.counts['attended']} из {f.counts['invited']}), "
              f"вышли {f.counts['hired']} из {f.counts['responded']}")
    return 0


def cmd_slots(args) -> int:
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


COMMANDS = {"overview": cmd_overview, "user": cmd_user, "sales": cmd_sales, "funnel": cmd_funnel, "slots": cmd_slots, "meetings": cmd_meetings, "receivables": cmd_receivables, "import": cmd_import, "imports": cmd_imports, "delete-import": cmd_delete_import}
