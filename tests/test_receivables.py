"""Receivables ageing on a hand-made snapshot; every figure worked out in the comments."""

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from kpi import receivables as R
from kpi import store
from tests.conftest import ROOT
from tests.helpers import load

D = Decimal
AS_OF = dt.date(2026, 10, 31)

# Days overdue = 31.10.2026 - due date.
SNAPSHOT = """Задолженность покупателей
На дату: 31.10.2026
Контрагент;Менеджер;Документ;Дата документа;Срок оплаты;Отсрочка (дней);Сумма долга;Кредитный лимит
А;Иванов И.И.;Д0;01.10.2026;31.10.2026;;100;
А;Иванов И.И.;Д1;01.10.2026;30.10.2026;;200;
А;Иванов И.И.;Д30;01.09.2026;01.10.2026;;300;
А;Иванов И.И.;Д31;01.09.2026;30.09.2026;;400;
А;Иванов И.И.;Д60;01.08.2026;01.09.2026;;500;
А;Иванов И.И.;Д61;01.08.2026;31.08.2026;;600;
А;Иванов И.И.;Д90;01.07.2026;02.08.2026;;700;
А;Иванов И.И.;Д91;01.07.2026;01.08.2026;;800;
К;Петров П.П.;К1;20.10.2026;30.11.2026;;1000;800
К;Петров П.П.;Аванс;28.10.2026;;0;-300;800
Л;Петров П.П.;Л1;20.10.2026;30.11.2026;;500;500
М;Петров П.П.;М1;20.10.2026;30.11.2026;;900;600
Н;Петров П.П.;Н1;01.10.2026;;10;1000;
О;Петров П.П.;О1;01.10.2026;;;50;
"""


@pytest.fixture
def snapshot(store_file):
    load(SNAPSHOT.encode(), "debt.csv")


def report(**kw):
    with store.reader() as con:
        return R.report(con, **kw)


def test_buckets_with_inclusive_edges(snapshot):
    rep = report()
    assert rep.snapshot == rep.as_of == AS_OF
    assert rep.totals.buckets == {
        "not_due": D(2500),  # Д0 (0 days) 100 + К1 1000 + Л1 500 + М1 900 (not yet due)
        "1-30": D(1500),  # Д1 (1 day) 200 + Д30 (30) 300 + Н1 1000 (01.10 + 10 days = 11.10: 20 days)
        "31-60": D(900),  # Д31 400 + Д60 500
        "61-90": D(1300),  # Д61 600 + Д90 700
        "over_90": D(800),  # Д91
    }
    assert rep.totals.no_term == D(50)  # О1: neither a due date nor a deferral
    # the buckets and the no-term group add up to the total: 2500+1500+900+1300+800+50
    assert rep.totals.total == D(7050)
    assert rep.totals.overdue == D(4500)  # 1500 + 900 + 1300 + 800
    assert rep.totals.overdue_share == pytest.approx(4500 / 7050)


def test_per_manager(snapshot):
    rep = report()
    ivanov, petrov = rep.by_manager["Иванов И.И."], rep.by_manager["Петров П.П."]
    assert (ivanov.total, ivanov.overdue) == (D(3600), D(3500))  # everything but Д0 is overdue
    assert (petrov.total, petrov.overdue, petrov.no_term) == (D(3450), D(1000), D(50))


def test_advances_are_reported_and_netted_for_the_credit_limit(snapshot):
    rep = report()
    assert (rep.negative_sum, rep.negative_count) == (D(-300), 1)
    # К: 1000 > 800 before netting its -300 advance, 700 after: not over.
    # Л: 500 at a 500 limit: not over. М: 900 - 600 = 300 over.
    assert rep.over_limit == {"М": D(300)}
    assert rep.over_limit_by_manager == {"Петров П.П.": D(300)}


def test_other_bucket_edges(snapshot):
    rep = report(edges=(30, 60))
    # over 60: Д61 600 + Д90 700 + Д91 800
    assert rep.totals.buckets == {"not_due": D(2500), "1-30": D(1500), "31-60": D(900),
                                  "over_60": D(2100)}


def test_a_later_as_of_date_ages_the_same_snapshot(snapshot):
    rep = report(as_of=dt.date(2026, 11, 30))
    # 30 days on: К1, Л1, М1 fall due on 30.11 (0 days: still not due); Д0 is 30 days overdue
    assert rep.snapshot == AS_OF
    assert rep.totals.buckets["not_due"] == D(2400)  # 1000 + 500 + 900
    assert rep.totals.buckets["over_90"] == D(800 + 700 + 600)  # Д91 121, Д90 120, Д61 91 days


def test_documents_of_a_client_oldest_first(snapshot):
    rep = report()
    with store.reader() as con:
        docs = R.documents(con, rep, client="А")
    assert [(d["document"], d["days"], d["bucket"]) for d in docs][:3] == [
        ("Д91", 91, "over_90"), ("Д90", 90, "61-90"), ("Д61", 61, "61-90")]
    with store.reader() as con:
        assert [d["document"] for d in R.documents(con, rep, no_term_only=True)] == ["О1"]
        assert [d["document"] for d in R.documents(con, rep, negative_only=True)] == ["Аванс"]


def test_snapshot_comparison(store_file):
    load(SNAPSHOT.encode(), "debt.csv")
    load("""Контрагент;Менеджер;Документ;Дата документа;Срок оплаты;Сумма долга
Икс;Сидоров С.С.;П1;01.10.2026;20.10.2026;100
Икс;Сидоров С.С.;П2;01.10.2026;15.11.2026;200
Икс;Сидоров С.С.;П3;01.10.2026;15.10.2026;300
""".encode(), "debt_2026-10-30.csv")
    load("""Контрагент;Менеджер;Документ;Дата документа;Срок оплаты;Сумма долга
Икс;Сидоров С.С.;П1;01.10.2026;20.10.2026;60
Икс;Сидоров С.С.;П2;01.10.2026;15.11.2026;200
Икс;Сидоров С.С.;П4;01.11.2026;25.11.2026;400
""".encode(), "debt_2026-11-30.csv")
    rep = report()
    assert rep.snapshot == dt.date(2026, 11, 30)
    with store.reader() as con:
        changes = R.compare(con, rep)
    assert changes["previous"] == AS_OF  # the latest snapshot before 30.11 is 31.10
    with store.reader() as con:
        changes = R.compare(con, rep, previous=dt.date(2026, 10, 30))
    # П2 was not due (-16 days), now 15 days overdue: new; П4 is new and 5 days overdue: new
    # П3 300 gone: paid; П1 100 -> 60: 40 paid, and 60 moved from 1-30 (10 days) to 31-60 (41)
    assert changes["Сидоров С.С."] == {"new_overdue": D(600), "paid": D(340), "moved_older": D(60)}


def test_cli_receivables_json(snapshot, store_file):
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(store_file), "receivables",
                          "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["as_of"] == "2026-10-31"
    assert {k: out["totals"][k] for k in ("not_due", "1-30", "31-60", "61-90", "over_90",
                                          "total", "overdue")} == {
        "not_due": 2500.0, "1-30": 1500.0, "31-60": 900.0, "61-90": 1300.0, "over_90": 800.0,
        "total": 7050.0, "overdue": 4500.0}
    assert out["totals"]["overdue_share"] == pytest.approx(0.638298, abs=1e-6)
    assert out["negative_outstanding"] == {"sum": -300.0, "count": 1}
    assert out["over_limit"] == {"М": 300.0} and out["over_limit_total"] == 300.0
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(store_file), "receivables",
                          "--buckets", "30,60", "--json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert json.loads(run.stdout)["totals"]["over_60"] == 2100.0
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(store_file), "receivables",
                          "--buckets", "60,30", "--json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
