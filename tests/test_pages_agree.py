"""Every page's headline figures are the CLI's: on the sample company, each page's cards
against the JSON of the command that owns the figure (one engine answer per figure)."""

import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from kpi.formatting import fmt_money_short, fmt_ratio
from tests.conftest import ROOT


def cli(db, *args):
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args, "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def one(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}".replace(".", ",")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The app on a store it filled with the sample company at first launch."""
    import os

    db = tmp_path_factory.mktemp("sample") / "kpi.duckdb"
    old = os.environ.get("KPI_DB")
    os.environ["KPI_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    yield db, at
    if old is None:
        del os.environ["KPI_DB"]
    else:
        os.environ["KPI_DB"] = old


@pytest.fixture(autouse=True)
def store_file(sample, monkeypatch):  # this module shares one sample store
    monkeypatch.setenv("KPI_DB", str(sample[0]))
    return sample[0]


def cards(at, page):
    at.switch_page(page).run()
    assert not at.exception, page
    return {m.label: m.value for m in at.metric}


def test_overview_cards_are_the_overview_command(sample):
    db, at = sample
    got = cards(at, "pages/overview.py")
    month = at.selectbox(key="overview_month").value
    d = cli(db, "overview", "--month", f"{month:%Y-%m}")["department"]
    assert got["Факт"] == fmt_money_short(d["fact"])
    assert got["Доля просрочки"] == fmt_ratio(d["overdue_share"], none="—")
    assert got["Встреч в неделю"] == one(d["meetings_per_complete_week"])


def test_sales_cards_are_the_sales_command(sample):
    db, at = sample
    got = cards(at, "pages/sales.py")
    month = at.selectbox(key="sales_month").value
    d = cli(db, "sales", "--month", f"{month:%Y-%m}")["department"]
    assert got["Факт"] == fmt_money_short(d["fact"]) and got["План"] == fmt_money_short(d["plan"])
    assert got["Выполнение"] == fmt_ratio(d["fulfilment"])


def test_receivables_cards_are_the_receivables_command(sample):
    db, at = sample
    got = cards(at, "pages/receivables.py")
    debt = cli(db, "receivables")
    assert got["Долг всего"] == fmt_money_short(debt["totals"]["total"])
    assert got["Просрочено"] == fmt_money_short(debt["totals"]["overdue"])
    assert got["Сверх кредитного лимита"] == fmt_money_short(debt["over_limit_total"])


def test_meetings_cards_are_the_meetings_command(sample):
    db, at = sample
    got = cards(at, "pages/meetings.py")
    month = at.selectbox(key="meet_month").value
    d = cli(db, "meetings", "--month", f"{month:%Y-%m}")["department"]
    assert got["Проведено встреч"] == str(d["held"])
    assert got["В среднем на менеджера в неделю"] == one(d["avg_per_manager_complete_week"])


def test_hiring_cards_are_the_funnel_and_slots_commands(sample):
    db, at = sample
    got = cards(at, "pages/hiring.py")
    funnel = cli(db, "funnel")["overall"]
    slots = cli(db, "slots", "--attendees", "5", "--confidence", "0.9")
    assert got["Пришли из приглашённых"] == fmt_ratio(funnel["attendance_rate"], none="—")
    assert got["Пригласить"] == str(slots["bookings"])
