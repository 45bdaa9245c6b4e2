"""The overview page's first render and rerun, on the sample company and on a large store,
as a ratio of the two (measured in one run; exits 0, asserts nothing).

    .venv/bin/python bench/page_speed.py [--rows 1000000]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import make_rows, one_c_csv  # noqa: E402
from kpi import importer, reading, samples, store  # noqa: E402


def render(db: Path) -> tuple[float, float]:
    """Seconds for the first run of the app's first page (Обзор) and for a rerun."""
    from streamlit.testing.v1 import AppTest

    os.environ["KPI_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    assert not at.exception, at.exception
    start = time.perf_counter()
    at.run()
    return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    sample = work / "sample.duckdb"
    samples.load_once(str(sample))
    large = work / "large.duckdb"
    with store.connect(large) as con:
        reading.save_upload_limit(con, 1024)
        store.set_meta(con, "samples_loaded", "yes")
    data = one_c_csv(make_rows(args.rows, 300))
    importer.commit(importer.inspect(data, "sales.csv", db=large), db=large)
    (s_first, s_rerun), (l_first, l_rerun) = render(sample), render(large)
    print(f"overview page, sample company: first {s_first:.2f} s, rerun {s_rerun:.2f} s")
    print(f"overview page, {args.rows:,} sales documents: first {l_first:.2f} s = {l_first / s_first:.1f}x, "
          f"rerun {l_rerun:.2f} s = {l_rerun / s_rerun:.1f}x")


if __name__ == "__main__":
    main()
