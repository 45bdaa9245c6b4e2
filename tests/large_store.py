"""A large company built by SQL in seconds: managers in teams, months of sales, plans, two
debt snapshots, activities and candidates, each kind as one import (so the store version and
the meetings coverage behave as after a real upload). For the page tests of a 40-manager
department and for looking at the pages with 300.

    .venv/bin/python -m tests.large_store PATH [--managers 300] [--months 36] [--sales 1000000]

Figures are deterministic (hashes of the row number, no random state); each manager has a
fixed "strength" so some are far behind plan, some far ahead, some rarely meet clients.
"""

import argparse
import datetime as dt
from pathlib import Path

from kpi import store

SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов",
            "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
            "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
            "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
            "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
            "Гусев", "Киселёв", "Ахметов", "Сәрсенов", "Нурланов", "Жумабаев", "Ильин"]
INITIALS = "АБВГДЕИКЛМНОПРСТ"
TEAMS = ["Москва Север", "Москва Юг", "Санкт-Петербург", "Казань", "Екатеринбург",
         "Новосибирск", "Ростов-на-Дону", "Самара", "Краснодар", "Ключевые клиенты"]


def manager_names(n: int) -> list[str]:
    names, i = [], 0
    while len(names) < n:
        surname = SURNAMES[i % len(SURNAMES)]
        first = INITIALS[(i // len(SURNAMES)) % len(INITIALS)]
        second = INITIALS[(i * 7 + i // len(SURNAMES)) % len(INITIALS)]
        name = f"{surname}{'а' if i % 3 == 2 and surname.endswith(('ов', 'ев', 'ин', 'ёв')) else ''} {first}.{second}."
        if name not in names:
            names.append(name)
        i += 1
    return names


# u(i, salt): a uniform number in [0, 1) from the row number, the same on every run
_U = "CREATE OR REPLACE MACRO u(i, salt) AS (hash(i * 7919 + salt) % 1000003) / 1000003.0"


def build(path, *, managers: int = 300, teams: int = 10, months: int = 36,
          sales: int = 1_000_000, receivables: int = 200_000, activities: int = 500_000,
          candidates: int = 100_000, last_day: dt.date = dt.date(2026, 11, 27)) -> Path:
    path = Path(path)
    names = manager_names(managers)
    team_of = [TEAMS[i % min(teams, len(TEAMS))] for i in range(managers)]
    last_month = last_day.replace(day=1)
    first_month = last_month
    for _ in range(months - 1):
        first_month = (first_month - dt.timedelta(days=1)).replace(day=1)
    days = (last_day - first_month).days + 1
    snapshots = [last_day - dt.timedelta(days=7), (last_month - dt.timedelta(days=1))]
    with store.connect(path) as con:
        store.set_meta(con, "samples_loaded", "yes")
        con.execute(_U)
        con.execute("CREATE OR REPLACE TEMP TABLE people AS SELECT *, 0.55 + 0.9 * u(k, 1) AS strength "
                    "FROM (SELECT unnest(?::TEXT[]) AS manager, unnest(?::TEXT[]) AS team, "
                    "unnest(range(?)) AS k)", [names, team_of, managers])

        def log(kind, rows, start, end, as_of=None):
            return con.execute(
                """INSERT INTO imports (file_name, sha256, kind, period_from, period_to, as_of,
                       rows_stored, rows_refused, imported_at, note)
                   VALUES (?, md5(?), ?, ?, ?, ?, ?, 0, current_localtimestamp(), '') RETURNING id""",
                [f"large_{kind}_{as_of or start}.csv", f"{kind}{as_of}{rows}", kind, start, end,
                 as_of, rows]).fetchall()[0][0]

        sid = log("sales", sales, first_month, last_day)
        # amounts scale with the manager's strength; 2 % are returns
        con.execute(
            """INSERT INTO sales SELECT $id, i + 2, $first + to_seconds(CAST(u(i, 2) * $days * 86400 AS BIGINT)),
                      'Р-' || i, p.manager, 'Клиент ' || (p.k * 60 + CAST(u(i, 3) * 60 AS INT)),
                      CAST(round((1000 + u(i, 4) * 99000) * p.strength * CASE WHEN u(i, 5) < 0.02 THEN -0.5 ELSE 1 END, 2)
                           AS DECIMAL(18, 2)), u(i, 5) < 0.02, NULL
               FROM range($n) r(i) JOIN people p ON p.k = i % $managers""",
            {"id": sid, "first": dt.datetime.combine(first_month, dt.time(9)), "days": days - 1,
             "n": sales, "managers": managers})
        # a plan per manager and month around the department's average fact, not theirs
        pid = log("plan", managers * months, first_month, last_day)
        con.execute(
            """INSERT INTO plans SELECT $id, row_number() OVER () + 1, m.month, p.manager,
                      CAST(round($avg * (0.9 + 0.3 * u(p.k * 100 + month(m.month), 6)), -3) AS DECIMAL(18, 2)),
                      40, 3, p.team
               FROM people p, (SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month) m""",
            {"id": pid, "first": first_month, "last": last_month,
             "avg": sales / months / managers * 50500})
        for as_of in snapshots:
            rid = log("receivables", receivables, as_of, as_of, as_of)
            con.execute(
                """INSERT INTO receivables SELECT $id, i + 2, $as_of, 'Клиент ' || (p.k * 60 + CAST(u(i, 7) * 60 AS INT)),
                          p.manager, 'Реализация ' || i, $as_of - CAST(u(i, 8) * 150 * (1.6 - p.strength) AS INT),
                          $as_of - CAST(u(i, 8) * 150 * (1.6 - p.strength) AS INT) + 30, NULL,
                          CAST(round(500 + u(i, 9) * 80000, 2) AS DECIMAL(18, 2)),
                          CASE WHEN u(p.k, 10) < 0.3 THEN 2000000 END
                   FROM range($n) r(i) JOIN people p ON p.k = i % $managers""",
                {"id": rid, "as_of": as_of, "n": receivables, "managers": managers})
        aid = log("activities", activities, first_month, last_day)
        # the weakest meet least: held meetings a week range about 2 to 7
        con.execute(
            """INSERT INTO activities SELECT $id, i + 2,
                      $first + to_seconds(CAST(u(i, 11) * $days * 86400 AS BIGINT)), p.manager,
                      'Клиент ' || (p.k * 60 + CAST(u(i, 12) * 60 AS INT)),
                      CASE WHEN u(i, 13) < 0.2 + 0.35 * p.strength THEN 'meeting' ELSE 'call' END,
                      CASE WHEN u(i, 13) < 0.2 + 0.35 * p.strength THEN 'Встреча' ELSE 'Звонок' END,
                      CASE WHEN u(i, 14) < 0.9 THEN 'held' ELSE 'cancelled' END,
                      CASE WHEN u(i, 14) < 0.9 THEN 'Состоялась' ELSE 'Отменена' END, NULL
               FROM range($n) r(i) JOIN people p ON p.k = i % $managers""",
            {"id": aid, "first": dt.datetime.combine(first_month, dt.time(9)), "days": days - 1,
             "n": activities, "managers": managers})
        cid = log("candidates", candidates, first_month, last_day, last_day)
        con.execute(
            """INSERT INTO candidates SELECT $id, i + 2, $as_of, 'Кандидат ' || i, 'Менеджер по продажам',
                      ['hh.ru', 'SuperJob', 'Авито Работа'][1 + i % 3], 'Орлова Е.В.',
                      $first + CAST(u(i, 15) * $days AS INT),
                      CAST(least(6, floor(-ln(1 - u(i, 16)) * 1.4)) AS SMALLINT), false,
                      NULL, NULL, NULL
               FROM range($n) r(i)""",
            {"id": cid, "as_of": last_day, "first": first_month, "days": days - 1, "n": candidates})
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--managers", type=int, default=300)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--receivables", type=int, default=200_000)
    parser.add_argument("--activities", type=int, default=500_000)
    parser.add_argument("--candidates", type=int, default=100_000)
    args = parser.parse_args()
    build(args.path, managers=args.managers, months=args.months, sales=args.sales,
          receivables=args.receivables, activities=args.activities, candidates=args.candidates)


if __name__ == "__main__":
    main()
