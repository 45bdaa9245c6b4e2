"""Speed and memory at a large distributor's size (issue 14): one table of figures, each with
its baseline and target, every ratio against a baseline measured in the same run.

    .venv/bin/python bench/run.py [--scale 1.0] [--only import|queries|pages|growth]

The workload (bench/workload.py: 300 managers, 36 months, 1,000,000 sales documents, ...)
is written once per scale under bench/results/cache/. The table is printed and written to
bench/results/latest.md (or --out). The run measures and exits 0; it asserts nothing.

Each measurement runs in a process of its own, so a peak RSS (ru_maxrss) is that of one
import, one baseline or one app session, never the maximum of the whole run:

- import: each kind and format through the product's path (kpi.importer.inspect, then
  commit, into a fresh store whose upload limit is 4 GB). Floor: DuckDB's
  `CREATE TABLE t AS SELECT * FROM read_csv(...)` of the same rows from the plain UTF-8
  file. Baselines: a user's pandas script over the 1C sales CSV; for the .xlsx,
  python-calamine's bare read of the sheet.
- queries: the KPI answers the CLI gives (sales, receivables, meetings, funnel, overview)
  and the sales trend, on a store holding every kind (the 1C files imported), against the
  sales import floor.
- pages: every page of the app's navigation under Streamlit's AppTest, first render and a
  full rerun, on that store against the bundled sample company; the peak RSS of the
  process that served them all.
- growth: the 1C sales CSV import at 10k, 100k and 1M rows (times the scale); linear is
  met up to 5 % over 10x per 10x rows.

A single measurement is `bench/run.py --one import --kind sales --format 1c` (also
`--one floor|pandas|calamine|queries|pages|build`); it prints one JSON line.
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import workload as W  # noqa: E402

MARK = "BENCH-JSON "
GIB_MB = 1024
CHILD_TIMEOUT = 1800
FORMAT_TITLES = {"1c": "1C CSV", "plain": "plain CSV", "xlsx": "1C .xlsx"}


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def now() -> float:
    return time.perf_counter()


def one_line(text: str, limit: int = 300) -> str:
    """An error as one line of the table (DuckDB's messages span several)."""
    return " ".join(str(text).split())[:limit]


# --- measurements, each run in its own process (--one ...) ----------------------------

def fresh_store(db: Path) -> Path:
    from kpi import reading, store

    with store.connect(db) as con:
        reading.save_upload_limit(con, 4096)  # three years at once: past the default 32 MB
        store.set_meta(con, "samples_loaded", "yes")  # the app adds no sample company
    return db


def import_files(paths: list[Path], db: Path) -> dict:
    """The product's own path, as the CLI and the upload page take it: bytes, inspect, commit."""
    from kpi import importer

    out = {"inspect": 0.0, "commit": 0.0, "rows": 0, "refused": 0, "problems": [],
           "warnings": []}
    started = now()
    for path in paths:
        t = now()
        data = path.read_bytes()
        inspection = importer.inspect(data, path.name, db=db)
        out["inspect"] += now() - t
        if isinstance(inspection, importer.Refusal):
            return {"error": f"{path.name} refused: {inspection.reason[:300]}"}
        t = now()
        stored = importer.commit(inspection, db=db)
        out["commit"] += now() - t
        out["rows"] += stored.rows_stored
        out["refused"] += stored.rows_refused
        out["problems"] += inspection.problem_lines[:3]
        out["warnings"] += inspection.warnings + inspection.confirm
        del data, inspection, stored
    out["seconds"] = now() - started
    return out


def one_import(w: W.Workload, kind: str, fmt: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        db = fresh_store(folder / "kpi.duckdb")
        out = import_files(w.files(kind, fmt), db)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out | {"maxrss_mb": maxrss_mb()}


def one_floor(w: W.Workload, kind: str) -> dict:
    """DuckDB's own read of the same rows from the plain UTF-8 file(s) into a table."""
    import duckdb

    con = duckdb.connect()
    started = now()
    for i, path in enumerate(w.files(kind, "plain")):
        quoted = str(path).replace("'", "''")
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{quoted}')")
    seconds = now() - started
    rows = sum(con.execute(f"SELECT count(*) FROM t{i}").fetchall()[0][0]
               for i in range(len(w.files(kind, "plain"))))
    return {"seconds": seconds, "rows": rows, "maxrss_mb": maxrss_mb()}


def one_pandas(w: W.Workload) -> dict:
    """What a user writes today instead of the product: read the 1C file with pandas, drop
    the title lines and the totals row, group by manager and month."""
    import pandas as pd

    path = w.files("sales", "1c")[0]
    started = now()
    df = pd.read_csv(path, encoding="cp1251", sep=";", skiprows=w.title_lines,
                     thousands="\u00a0", decimal=",")
    df = df[df["Дата"] != "Итого"]
    if not pd.api.types.is_float_dtype(df["Сумма"]):
        # pandas' C parser takes a one-byte thousands mark only, and a no-break space is two
        # bytes in the UTF-8 it parses, so the amounts stay text; its Python engine takes it
        # but is several times slower, and read_csv of a StringIO is slower still.
        df["Сумма"] = pd.to_numeric(df["Сумма"].str.replace("\u00a0", "").str.replace(",", "."))
    df["Дата"] = pd.to_datetime(df["Дата"], dayfirst=True)
    report = df.groupby(["Менеджер", df["Дата"].dt.to_period("M")])["Сумма"].sum()
    seconds = now() - started
    if not pd.api.types.is_float_dtype(df["Сумма"]):
        return {"error": f"pandas read Сумма as {df['Сумма'].dtype}, not numbers"}
    return {"seconds": seconds, "rows": len(df), "groups": len(report), "maxrss_mb": maxrss_mb()}


def one_calamine(w: W.Workload) -> dict:
    from python_calamine import CalamineWorkbook

    path = w.files("sales", "xlsx")[0]
    started = now()
    with open(path, "rb") as f:
        rows = CalamineWorkbook.from_filelike(f).get_sheet_by_name("TDSheet").to_python()
    return {"seconds": now() - started, "rows": len(rows), "maxrss_mb": maxrss_mb()}


def one_build(w: W.Workload, db: Path) -> dict:
    """The full store: every kind's 1C files imported the product's way."""
    db.parent.mkdir(parents=True, exist_ok=True)
    fresh_store(db)
    out = {"seconds": 0.0, "kinds": {}}
    for kind in W.KINDS:
        result = import_files(w.files(kind, "1c"), db)
        if "error" in result:
            return {"error": f"{kind}: {result['error']}"}
        out["kinds"][kind] = result["seconds"]
        out["seconds"] += result["seconds"]
    return out | {"maxrss_mb": maxrss_mb()}


QUERIES = ["sales.month_report", "sales.month_report without chances", "sales.trend",
           "receivables.report", "meetings.report", "funnel.funnel by source", "overview.overview",
           # the forecasts (issue 16): reported, no target of their own
           "forecast.payments.forecast", "forecast.attendance.model", "forecast.backtest"]


def one_queries(db: Path) -> dict:
    """The KPI answers the CLI gives (kpi/cli.py), on the default month as it picks it."""
    from kpi import access, calendar, forecast, funnel, meetings, overview, receivables, sales, settings
    from kpi.forecast import attendance, payments

    out = {}
    with access.reader(db, access.ADMIN) as con:
        month = calendar.default_month(sales.months(con))
        meetings_month = calendar.default_month(meetings.months(con))
        country = settings.country(con)
        target = meetings.saved_target(con)
        cases = {
            "sales.month_report": lambda: sales.month_report(con, month, country=country),
            "sales.month_report without chances": lambda: sales.month_report(
                con, month, country=country, chances=False),
            "sales.trend": lambda: sales.trend(con),  # every month (what bench/bench.py timed)
            "receivables.report": lambda: receivables.report(con, None, receivables.DEFAULT_EDGES),
            "meetings.report": lambda: meetings.report(con, meetings.month_weeks(meetings_month),
                                                       target),
            "funnel.funnel by source": lambda: funnel.funnel(con, "source"),
            "overview.overview": lambda: overview.overview(con, month, country=country),
            "forecast.payments.forecast": lambda: payments.forecast(con, None),
            "forecast.attendance.model": lambda: attendance.model(con),
            "forecast.backtest": lambda: forecast.backtest(con, access.ADMIN, country),
        }
        for name in QUERIES:
            try:
                t = now()
                cases[name]()
                first = now() - t
                times = []
                for _ in range(3):
                    t = now()
                    cases[name]()
                    times.append(now() - t)
                out[name] = {"first": first, "seconds": statistics.median(times)}
            except Exception as e:  # a renamed function must show in the table, not stop it
                out[name] = {"error": f"{type(e).__name__}: {e}"[:300]}
        out["month"] = str(month)
        out["snapshot"] = str(receivables.pick_snapshot(con, None))
    return out


def app_pages() -> list[tuple[str, str]]:
    """(area, page file) in the order of the app's navigation (app.py's PAGES)."""
    text = (ROOT / "app.py").read_text()
    found = re.findall(r'"(\w+)":\s*\(\s*"\w+",\s*"(pages/\w+\.py)"', text)
    return found or [(p.stem, f"pages/{p.name}") for p in sorted((ROOT / "pages").glob("*.py"))
                     if p.stem != "common" and not p.stem.startswith("_")]


def one_pages(db: Path | None) -> dict:
    if db is not None:
        return _pages(db)
    from kpi import samples  # the bundled sample company, loaded before anything is timed

    folder = Path(tempfile.mkdtemp(prefix="bench-sample-"))
    try:
        samples.load_once(str(folder / "kpi.duckdb"))
        return _pages(folder / "kpi.duckdb")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _pages(db: Path) -> dict:
    """Every page: the first render after switching to it, then a full rerun."""
    os.environ["KPI_DB"] = str(db)
    # what every page imports, imported before the clock starts for either store
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    from streamlit.testing.v1 import AppTest

    import kpi.overview  # noqa: F401

    pages = []
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    for i, (area, path) in enumerate(app_pages()):
        page = {"page": area}
        try:
            if i:  # the first page is the one app.py opens on
                at.switch_page(path)
            for run in ("first", "rerun"):
                t = now()
                at.run()
                page[run] = now() - t
                if at.exception:
                    page["error"] = f"{run}: {at.exception[0].value}"[:300]
                    break
        except Exception as e:
            page["error"] = f"{type(e).__name__}: {e}"[:300]
        pages.append(page)
    return {"pages": pages, "maxrss_mb": maxrss_mb()}


def run_one(args) -> dict:
    w = W.ensure(args.scale) if args.one not in ("queries", "pages") else None
    if args.one == "import":
        return one_import(w, args.kind, args.format)
    if args.one == "floor":
        return one_floor(w, args.kind)
    if args.one == "pandas":
        return one_pandas(w)
    if args.one == "calamine":
        return one_calamine(w)
    if args.one == "build":
        return one_build(w, Path(args.db))
    if args.one == "queries":
        return one_queries(Path(args.db))
    if args.one == "pages":
        return one_pages(Path(args.db) if args.db else None)
    raise SystemExit(f"unknown measurement {args.one}")


def child(scale: float, what: str, **options) -> dict:
    """One measurement in a process of its own; {"error": ...} when it fails."""
    command = [sys.executable, str(Path(__file__).resolve()), "--scale", str(scale), "--one", what]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    env = {k: v for k, v in os.environ.items() if k != "KPI_DB"}
    started = now()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": f"no answer in {CHILD_TIMEOUT} s"}
    finally:
        print(f"  {what} {' '.join(str(v) for k, v in options.items() if k != 'db')}: "
              f"{now() - started:.1f} s", file=sys.stderr, flush=True)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            return _one_line_errors(json.loads(line[len(MARK):]))
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": one_line(f"exit {done.returncode}: {tail}")}


def _one_line_errors(result):
    if isinstance(result, dict):
        return {k: one_line(v) if k == "error" else _one_line_errors(v) for k, v in result.items()}
    if isinstance(result, list):
        return [_one_line_errors(v) for v in result]
    return result


# --- the table ------------------------------------------------------------------------

@dataclass
class Row:
    section: str
    figure: str
    measured: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: str = "—"


def secs(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s:.3f} s" if s < 1 else f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def mib(m: float | None) -> str:
    return "—" if m is None else f"{m:,.0f} MiB"


def times(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "—"
    r = a / b
    return f"{r:.3f}x" if r < 1 else f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def met(ok: bool | None) -> str:
    return "—" if ok is None else "yes" if ok else "NO"


def error_row(section: str, figure: str, result: dict) -> Row:
    return Row(section, figure, "ERROR", baseline="(see the notes)", met="ERROR")


def table(rows: list[Row]) -> str:
    head = Row("Section", "Figure", "Measured", "Baseline (same run)", "Ratio", "Target", "Met")
    cells = [[r.section, r.figure, r.measured, r.baseline, r.ratio, r.target, r.met]
             for r in [head, *rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(7)]
    right = {2, 4}  # numbers align right

    def line(c):
        return "| " + " | ".join(v.rjust(w) if i in right and c is not cells[0] else v.ljust(w)
                                 for i, (v, w) in enumerate(zip(c, widths))) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if i in right else "-")
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(cells[0]), rule] + [line(c) for c in cells[1:]])


def size_mb(paths: list[Path]) -> str:
    return f"{sum(p.stat().st_size for p in paths) / 1e6:.1f} MB"


# --- sections -------------------------------------------------------------------------

def section_import(w, scale, rows, notes, results) -> None:
    for kind in W.KINDS:
        floor = child(scale, "floor", kind=kind)
        results[("floor", kind)] = floor
        formats = ("1c", "plain", "xlsx") if kind == "sales" else ("1c", "plain")
        for fmt in formats:
            files = w.files(kind, fmt)
            n = w.rows("xlsx") if fmt == "xlsx" else w.rows(kind)
            per = f"{len(files)} x {n:,}" if len(files) > 1 else f"{n:,}"
            title = f"{kind}, {FORMAT_TITLES[fmt]} ({per} rows, {size_mb(files)})"
            result = child(scale, "import", kind=kind, format=fmt)
            results[("import", kind, fmt)] = result
            if fmt == "xlsx":
                base = child(scale, "calamine")
                results["calamine"] = base
                base_name, target, limit = "python-calamine bare read", "≤ 2x", 2.0
            else:
                base = floor
                base_name = "DuckDB read_csv of the plain file"
                target, limit = ("≤ 2.5x", 2.5) if fmt == "1c" else ("—", None)
            if "error" in result:
                rows.append(error_row("import", f"{title}", result))
                notes.append(f"import {kind} {fmt}: {result['error']}")
                continue
            s = result["seconds"]
            measured = f"{secs(s)} (inspect {result['inspect']:.2f} + commit {result['commit']:.2f})"
            if "error" in base:
                rows.append(Row("import", title, measured, f"{base_name}: ERROR"))
                notes.append(f"baseline for {kind} {fmt}: {base['error']}")
            else:
                ratio = s / base["seconds"]
                rows.append(Row("import", title, measured, f"{base_name} {secs(base['seconds'])}",
                                times(s, base["seconds"]), target,
                                met(None if limit is None else ratio <= limit)))
            if kind == "sales" and fmt == "1c":
                pandas = child(scale, "pandas")
                results["pandas"] = pandas
                if "error" in pandas:
                    rows.append(Row("import", f"{kind}, 1C CSV, against a user's pandas script",
                                    secs(s), "pandas script: ERROR"))
                    notes.append(f"pandas baseline: {pandas['error']}")
                else:
                    ratio = s / pandas["seconds"]
                    rows.append(Row("import", f"{kind}, 1C CSV, against a user's pandas script",
                                    secs(s), f"pandas read_csv + group by {secs(pandas['seconds'])}",
                                    times(s, pandas["seconds"]), "≤ 0.2x (5x faster)",
                                    met(ratio <= 0.2)))
            rss = result["maxrss_mb"]
            rows.append(Row("import", f"{kind}, {FORMAT_TITLES[fmt]}: peak RSS", mib(rss),
                            f"{'calamine' if fmt == 'xlsx' else 'read_csv'} process "
                            f"{mib(base.get('maxrss_mb'))}",
                            times(rss, base.get("maxrss_mb")), "< 1 GiB", met(rss < GIB_MB)))
            if result["rows"] + result["refused"] != n * len(files):
                notes.append(f"PROBLEM: import {kind} {fmt} stored {result['rows']:,} rows and "
                             f"refused {result['refused']:,} of {n * len(files):,}")
            if result["refused"]:
                notes.append(f"PROBLEM: import {kind} {fmt} refused {result['refused']} rows: "
                             + one_line("; ".join(result["problems"])))
            for warning in result["warnings"][:2]:
                notes.append(f"import {kind} {fmt} warned: {one_line(warning, 200)}")


def section_queries(scale, db, rows, notes, results) -> None:
    floor = results.get(("floor", "sales")) or child(scale, "floor", kind="sales")
    results[("floor", "sales")] = floor
    answer = child(scale, "queries", db=db)
    if "error" in answer:
        rows.append(error_row("queries", "KPI queries on the full store", answer))
        notes.append(f"queries: {answer['error']}")
        return
    have_floor = "error" not in floor
    base = f"sales import floor {secs(floor['seconds'])}" if have_floor else "floor: ERROR"
    for name in QUERIES:
        q = answer[name]
        if "error" in q:
            rows.append(error_row("queries", name, q))
            notes.append(f"query {name}: {q['error']}")
            continue
        ratio = q["seconds"] / floor["seconds"] if have_floor else None
        targeted = not name.startswith("forecast.")
        rows.append(Row("queries", f"{name} (warm median of 3; first {secs(q['first'])})",
                        secs(q["seconds"]), base, times(q["seconds"], floor.get("seconds")),
                        "≤ 0.10x" if targeted else "—",
                        met(None if ratio is None or not targeted else ratio <= 0.10)))
    notes.append(f"queries answered for the month {answer['month']}, receivables snapshot "
                 f"{answer['snapshot']}")


def section_pages(scale, db, rows, notes, results) -> None:
    sample = child(scale, "pages")
    full = child(scale, "pages", db=db)
    for name, result in (("sample company", sample), ("full store", full)):
        if "error" in result:
            notes.append(f"pages on the {name}: {result['error']}")
    if "error" in full:
        rows.append(error_row("pages", "every page on the full store", full))
        return
    by_page = {p["page"]: p for p in sample.get("pages", [])}
    for page in full["pages"]:
        base = by_page.get(page["page"], {})
        for name, run in (("sample", base), ("full store", page)):
            if "error" in run:
                notes.append(f"PROBLEM: page {page['page']} on the {name}: {run['error']}")
        for which in ("first", "rerun"):
            s, b = page.get(which), base.get(which)
            if s is None:
                rows.append(Row("pages", f"{page['page']}: {which} render", "ERROR", met="ERROR"))
                continue
            ratio = s / b if b else None
            if which == "first":
                ok, target = (None if ratio is None else ratio <= 3), "≤ 3x"
            else:
                ok, target = (None if ratio is None else ratio <= 3 and s < 1), "≤ 3x and < 1 s"
            rows.append(Row("pages", f"{page['page']}: {'first render' if which == 'first' else 'rerun'}",
                            secs(s), f"sample company {secs(b)}", times(s, b), target, met(ok)))
    rss = full["maxrss_mb"]
    rows.append(Row("memory", "app process serving every page, full store: peak RSS", mib(rss),
                    f"same on the sample company {mib(sample.get('maxrss_mb'))}",
                    times(rss, sample.get("maxrss_mb")), "< 1 GiB", met(rss < GIB_MB)))


def section_growth(w, scale, rows, notes, results) -> None:
    previous = None
    for label in W.GROWTH:
        n = w.rows(f"growth-{label}")
        result = results.get(("import", "sales", "1c")) if W.GROWTH[label] == 1 else None
        result = result or child(scale, "import", kind=f"growth-{label}", format="1c")
        figure = f"sales, 1C CSV, {n:,} rows ({label} at scale 1)"
        if "error" in result:
            rows.append(error_row("growth", figure, result))
            notes.append(f"growth {label}: {result['error']}")
            previous = None
            continue
        s = result["seconds"]
        if previous is None:
            rows.append(Row("growth", figure, secs(s)))
        else:
            n0, s0 = previous
            ratio = s / s0
            rows.append(Row("growth", figure, secs(s), f"{n0:,} rows {secs(s0)}", times(s, s0),
                            f"≤ ~{n / n0:.0f}x (linear)", met(ratio <= n / n0 * 1.05)))
        previous = (n, s)


# --- main -----------------------------------------------------------------------------

def git_state() -> str:
    def git(*args) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)

    try:
        head = git("rev-parse", "--short", "HEAD")
        if head.returncode:
            return "unknown (not a git checkout)"
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "kpi", "pages", "app.py")
        return head.stdout.strip() + (" + uncommitted changes to the product" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies every row count (0.01: 10,000 sales documents)")
    parser.add_argument("--only", choices=["import", "queries", "pages", "growth"])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        try:
            result = run_one(args)
        except Exception as e:
            traceback.print_exc()
            result = {"error": one_line(f"{type(e).__name__}: {e}")}
        print(MARK + json.dumps(result, default=str), flush=True)
        return 0

    started = now()
    when = dt.datetime.now()
    load_before = os.getloadavg()[0]
    w = W.ensure(args.scale)
    sections = [args.only] if args.only else ["import", "queries", "pages", "growth"]
    rows: list[Row] = []
    notes: list[str] = []
    results: dict = {}
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    try:
        if "import" in sections:
            print("import ...", file=sys.stderr, flush=True)
            section_import(w, args.scale, rows, notes, results)
        if "queries" in sections or "pages" in sections:
            print("building the full store ...", file=sys.stderr, flush=True)
            db = work / "kpi.duckdb"
            built = child(args.scale, "build", db=db)
            if "error" in built:
                notes.append(f"PROBLEM: the full store could not be built: {built['error']}")
            else:
                notes.append(f"full store (every kind's 1C files) built in {secs(built['seconds'])}: "
                             + ", ".join(f"{k} {secs(s)}" for k, s in built["kinds"].items()))
            if "queries" in sections:
                print("queries ...", file=sys.stderr, flush=True)
                section_queries(args.scale, db, rows, notes, results)
            if "pages" in sections:
                print("pages ...", file=sys.stderr, flush=True)
                section_pages(args.scale, db, rows, notes, results)
        if "growth" in sections:
            print("growth ...", file=sys.stderr, flush=True)
            section_growth(w, args.scale, rows, notes, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    took = now() - started
    import duckdb

    rowsum = w.manifest["rows"]
    header = (
        f"# bench/run.py, scale {W.scale_name(args.scale)}: {when:%Y-%m-%d %H:%M}, commit "
        f"{git_state()}\n\n"
        f"{os.cpu_count()} CPUs (load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end: above 0.5 something else shared the machine), "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}. "
        f"Workload: {W.MANAGERS} managers in {len(W.TEAMS)} teams, {W.MONTHS} months; "
        f"{rowsum['sales']:,} sales documents, {rowsum['plan']:,} plan rows, 2 x "
        f"{rowsum['receivables']:,} receivables rows, {rowsum['activities']:,} activities, "
        f"{rowsum['candidates']:,} candidates, {rowsum['xlsx']:,} .xlsx sales rows "
        f"({w.folder.relative_to(ROOT)}).\n"
        f"Ratio = measured / baseline, both in this run; each measurement in its own process "
        f"(peak RSS = that process's ru_maxrss). Targets from issue 14.")
    written = (f"including writing the workload ({w.manifest['seconds']} s)" if w.written
               else f"the workload was read from the cache (written in {w.manifest['seconds']} s)")
    footer = "".join(f"- {n}\n" for n in notes)
    footer = ("Notes:\n" + footer + "\n" if footer else "") + \
        f"The run took {int(took // 60)} min {took % 60:.0f} s, {written}."
    text = f"{header}\n\n{table(rows)}\n\n{footer}\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
