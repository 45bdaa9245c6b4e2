"""Speed and memory at a large distributor's size, as ratios to a baseline in the same run.

    .venv/bin/python bench/bench.py [--rows 1000000] [--managers 300]

Baseline: DuckDB's own read_csv of the same rows as a clean UTF-8 file, grouped by manager
and month: the floor any importer on this stack can reach. We report our times as multiples
of it, so the numbers compare across machines; peak RSS is read from the OS.
"""

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kpi import importer, reading, sales, store  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_rows(n: int, managers: int):
    rng = random.Random(1)
    names = [f"Менеджер{i:03d} А.Б." for i in range(managers)]
    start = dt.datetime(2026, 1, 1)
    for i in range(n):
        at = start + dt.timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
        yield at, f"Р-{i:07d}", names[i % managers], f"Клиент {rng.randrange(20000)}", \
            rng.randrange(1000, 50_000_000) / 100


def one_c_csv(rows) -> bytes:
    """The hard case: Windows-1251, ';', NBSP thousands, decimal comma, title and totals."""
    lines = ["Продажи за период", "Дата;Документ;Менеджер;Контрагент;Сумма"]
    for at, doc, manager, client, amount in rows:
        money = f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")
        lines.append(f"{at:%d.%m.%Y %H:%M:%S};{doc};{manager};{client};{money}")
    lines.append("Итого;;;;0")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def plain_csv(rows) -> bytes:
    lines = ["doc_date,document,manager,client,amount"]
    lines += [f"{at:%Y-%m-%d %H:%M:%S},{doc},{manager},{client},{amount:.2f}"
              for at, doc, manager, client, amount in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--managers", type=int, default=300)
    args = parser.parse_args()
    rows = list(make_rows(args.rows, args.managers))
    work = Path(tempfile.mkdtemp())
    plain = work / "plain.csv"
    plain.write_bytes(plain_csv(rows))
    data = one_c_csv(rows)
    del rows
    print(f"{args.rows:,} sales documents, {args.managers} managers; 1C file {len(data) / 1e6:.0f} MB")

    con = duckdb.connect()
    _, baseline_import = timed(lambda: con.execute(
        f"CREATE TABLE b AS SELECT * FROM read_csv('{plain}')").fetchall())
    _, baseline_query = timed(lambda: con.execute(
        "SELECT manager, date_trunc('month', doc_date), sum(amount) FROM b GROUP BY ALL").fetchall())
    con.close()
    print(f"baseline: DuckDB read_csv {baseline_import:.2f} s, group by {baseline_query * 1000:.0f} ms;"
          f" peak RSS {rss_mb():.0f} MB")

    db = work / "bench.duckdb"
    with store.connect(db) as con:  # three years at once: past the 32 MB an upload may be
        reading.save_upload_limit(con, 1024)
    inspection, t_inspect = timed(lambda: importer.inspect(data, "sales.csv", db=db))
    assert isinstance(inspection, importer.Inspection), inspection
    print(f"inspect (decode, parse, validate): {t_inspect:.2f} s = {t_inspect / baseline_import:.1f}x"
          f" baseline; peak RSS {rss_mb():.0f} MB")
    _, t_commit = timed(lambda: importer.commit(inspection, db=db))
    print(f"commit (one transaction):           {t_commit:.2f} s = {t_commit / baseline_import:.1f}x"
          f" baseline; peak RSS {rss_mb():.0f} MB")
    total = t_inspect + t_commit
    print(f"import in all:                      {total:.2f} s = {total / baseline_import:.1f}x baseline")

    with store.reader(db) as con:
        month = dt.date(2026, 6, 1)
        sales.month_report(con, month, today=dt.date(2026, 12, 1))  # warm the file cache
        _, t_report = timed(lambda: sales.month_report(con, month, today=dt.date(2026, 12, 1)))
        _, t_trend = timed(lambda: sales.trend(con))
    print(f"sales month report (300 managers):  {t_report * 1000:.0f} ms = "
          f"{t_report / baseline_query:.1f}x baseline group by")
    print(f"sales trend, all months:            {t_trend * 1000:.0f} ms = "
          f"{t_trend / baseline_query:.1f}x baseline group by")
    print(f"peak RSS of the whole run: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
