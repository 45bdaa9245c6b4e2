"""When debtors pay (kpi.forecast.payments): payment history from snapshots, Kaplan-Meier,
own or pooled lateness, expected payment dates and the inflow by week. Hand-made snapshots,
every figure worked out in the comments; one generated history with a known lateness."""

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from kpi import receivables as R
from kpi import store
from kpi.forecast import payments as P
from tests.conftest import ROOT

D = dt.date
S0, S1, S2, S3 = D(2026, 10, 1), D(2026, 10, 11), D(2026, 10, 21), D(2026, 10, 31)


def put(con, as_of, rows):
    """rows: (client, document, doc_date, due_date, deferral_days, outstanding)."""
    incoming = pa.table({name: list(column) for name, column in zip(
        ("client", "document", "doc_date", "due_date", "deferral_days", "outstanding"), zip(*rows))}
        | {"as_of": [as_of] * len(rows)}, schema=pa.schema([
            ("client", pa.string()), ("document", pa.string()), ("doc_date", pa.date32()),
            ("due_date", pa.date32()), ("deferral_days", pa.int32()), ("outstanding", pa.float64()),
            ("as_of", pa.date32())]))
    con.register("incoming", incoming)
    con.execute("""INSERT INTO receivables SELECT 1, row_number() OVER (), as_of, client, 'Иванов И.И.',
                   document, doc_date, due_date, deferral_days, outstanding, NULL FROM incoming""")
    con.unregister("incoming")


# Snapshots every 10 days: a document gone by the next one is paid 5 days after the one it
# was last seen in (01.10 -> 06.10, 11.10 -> 16.10, 21.10 -> 26.10).
#   X (pays 10 days late): X1 due 26.09 seen 01.10, paid 06.10: 10 days; X2 (26.09 + 10 days'
#     deferral = due 06.10) seen 11.10, paid 16.10: 10; X3 due 16.10 seen 21.10, paid 26.10: 10.
#     Each entered 5 days late (first seen - due = 5). X4 due 28.10, open at 31.10.
#   Y (pays 20 days late): Y1 due 26.09 seen 01.10 and 11.10, paid 16.10: 20, entered at 5;
#     Y2 due 06.10 seen 11.10 and 21.10, paid 26.10: 20, entered at 5; Y3 due 06.10 seen
#     01.10, 11.10, 21.10, paid 26.10: 20, entered at -5. Y4 due 20.10, open at 31.10.
#   Z (new, nothing paid): Z1 due 29.10 (1000), an advance (-300), Z2 with no term (50).
HISTORY = {
    S0: [("X", "X1", D(2026, 9, 1), D(2026, 9, 26), None, 100),
         ("Y", "Y1", D(2026, 9, 1), D(2026, 9, 26), None, 100),
         ("Y", "Y3", D(2026, 9, 1), D(2026, 10, 6), None, 100)],
    S1: [("X", "X2", D(2026, 9, 26), None, 10, 100),
         ("Y", "Y1", D(2026, 9, 1), D(2026, 9, 26), None, 100),
         ("Y", "Y2", D(2026, 9, 1), D(2026, 10, 6), None, 100),
         ("Y", "Y3", D(2026, 9, 1), D(2026, 10, 6), None, 100)],
    S2: [("X", "X3", D(2026, 9, 1), D(2026, 10, 16), None, 100),
         ("Y", "Y2", D(2026, 9, 1), D(2026, 10, 6), None, 100),
         ("Y", "Y3", D(2026, 9, 1), D(2026, 10, 6), None, 100)],
    S3: [("X", "X4", D(2026, 10, 1), D(2026, 10, 28), None, 1000),
         ("Y", "Y4", D(2026, 10, 1), D(2026, 10, 20), None, 400),
         ("Z", "Z1", D(2026, 10, 1), D(2026, 10, 29), None, 1000),
         ("Z", "Аванс", D(2026, 10, 30), None, 0, -300),
         ("Z", "Z2", D(2026, 10, 1), None, None, 50)],
}


@pytest.fixture
def hand():
    with store.connect() as con:
        for as_of, rows in HISTORY.items():
            put(con, as_of, rows)


def forecast(as_of=None):
    with store.reader() as con:
        return P.forecast(con, as_of)


def seen_documents(snapshot) -> dict[str, dict]:
    with store.reader() as con:
        columns = P.history(con, snapshot)
    return {doc: {k: columns[k][i] for k in columns} for i, doc in enumerate(columns["document"])}


def day(value) -> dt.date | None:
    """A date column's value (numpy datetime64, masked when NULL) as a date."""
    return None if value is np.ma.masked else value.astype("datetime64[D]").item()


def test_midpoint_of_whole_days(store_file):
    # A seen 01.10, gone 04.10: 3 days, ceil(1.5) = 2 -> paid 03.10; B seen 04.10, gone 05.10
    # (daily snapshots): paid 05.10, the day it is gone; C open at 05.10.
    with store.connect() as con:
        put(con, D(2026, 10, 1), [("К", "A", D(2026, 9, 1), D(2026, 10, 1), None, 10)])
        put(con, D(2026, 10, 4), [("К", "B", D(2026, 9, 1), D(2026, 10, 1), None, 10),
                                  ("К", "C", D(2026, 9, 1), D(2026, 10, 1), None, 10)])
        put(con, D(2026, 10, 5), [("К", "C", D(2026, 9, 1), D(2026, 10, 1), None, 10)])
    seen = seen_documents(D(2026, 10, 5))
    assert day(seen["A"]["paid_on"]) == D(2026, 10, 3) and seen["A"]["exit"] == 2
    assert day(seen["B"]["paid_on"]) == D(2026, 10, 5) and seen["B"]["exit"] == 4
    assert day(seen["C"]["paid_on"]) is None and not seen["C"]["paid"] and seen["C"]["exit"] == 4


def test_a_document_gone_between_snapshots_is_paid_at_the_midpoint(hand):
    seen = seen_documents(S3)
    x2 = seen["X2"]  # due = 26.09 + 10 days' deferral = 06.10, as kpi.receivables reads it
    assert (day(x2["due"]), day(x2["paid_on"]), x2["exit"], x2["entry"]) == (D(2026, 10, 6), D(2026, 10, 16), 10, 5)
    y3 = seen["Y3"]  # last seen 21.10, gone 31.10: paid 26.10 = due 06.10 + 20; first seen 01.10 = -5
    assert (day(y3["paid_on"]), y3["exit"], y3["entry"]) == (D(2026, 10, 26), 20, -5)
    x4 = seen["X4"]  # open at the last snapshot: censored at 31.10 - 28.10 = 3
    assert (day(x4["paid_on"]), x4["exit"]) == (None, 3)
    # the advance is no debt and Z2 has no term: neither is in the history
    assert "Аванс" not in seen and "Z2" not in seen
    assert sum(bool(o["paid"]) for o in seen.values()) == 6


def test_kaplan_meier_step_with_one_censored_document():
    # lateness 2, 4, 4 paid; 5 still open (censored); 7 paid.
    # t=2: at risk 5, paid 1: S = 4/5 = 0.8; t=4: at risk 4, paid 2: S = 0.8 x 2/4 = 0.4;
    # the open one leaves after 5; t=7: at risk 1, paid 1: S = 0.
    km = P.kaplan_meier([2, 4, 4, 5, 7], [True, True, True, False, True])
    assert list(km.times) == [2, 4, 7] and (km.paid, km.open) == (4, 1)
    assert km.survival(2) == pytest.approx(0.8)
    assert km.survival(4) == pytest.approx(0.4)
    assert km.survival(6) == pytest.approx(0.4)
    assert km.survival(7) == 0
    assert km.median() == 4  # first S <= 0.5
    # given unpaid after 4: S(7 | T > 4) = 0 -> 7; given unpaid after 2: S(4 | 2) = 2/4 -> 4
    assert km.median(after=4) == 7 and km.median(after=2) == 4
    # dropping the open document would make them faster: 2, 4, 4, 7 -> t=7 hazard 1/1 too,
    # but t=4: 2/3 -> S(4 | 2) = 1/3. With it, S(4 | 2) = 1/2: the long-unpaid one counts.
    assert P.kaplan_meier([2, 4, 4, 7], [True] * 4).survival(4, after=2) == pytest.approx(1 / 3)
    # delayed entry: the open one first seen at 3 is not at risk at 2: t=2 hazard 1/4, S = 0.75;
    # t=4: at risk 4 (4, 4, 5, 7), paid 2: S = 0.375
    late = P.kaplan_meier([2, 4, 4, 5, 7], [True, True, True, False, True], [0, 0, 0, 3, 0])
    assert late.survival(2) == pytest.approx(0.75) and late.survival(4) == pytest.approx(0.375)
    # strata: the same documents as stratum 1 beside another history (stratum 0) answer alike
    both = P.kaplan_meier([2, 4, 4, 5, 7, 1, 9], [True, True, True, False, True, True, False],
                          strata=[1, 1, 1, 1, 1, 0, 0])
    assert both.survival(4, stratum=1) == pytest.approx(0.4) and both.median(after=4, stratum=1) == 7
    assert both.survival(4, stratum=0) == pytest.approx(0.5) and both.median(stratum=0) == 1
    assert both.median(after=1, stratum=0) is None  # stratum 0 never paid after 1


def test_a_client_paying_10_days_late_is_expected_10_days_after_due(hand):
    result = forecast()
    assert result.snapshot == result.as_of == S3
    # X has 3 paid documents, all 10 days late: X4 due 28.10 -> 07.11
    assert result.basis["X"] == P.Basis(P.OWN, 3, 3)
    assert result.payment["X"] == D(2026, 11, 7)
    # Y: own, always 20 days late: Y4 due 20.10 (11 days overdue at 31.10) -> 09.11
    assert result.payment["Y"] == D(2026, 11, 9)


def test_pooled_fallback_for_a_client_without_enough_history(hand):
    result = forecast()
    # Z paid nothing: the pooled history of X and Y, 6 paid documents.
    # Pooled Kaplan-Meier: t=10: at risk X1-X3 (entered at 5) and Y1-Y3 (entered at 5, 5, -5):
    # 6, paid 3 -> S = 1/2; t=20: at risk Y1-Y3, paid 3 -> S = 0.
    # Z1 due 29.10 (2 days overdue): S(10 | T > 2) = 1/2 -> median 10 -> 08.11.
    assert result.basis["Z"] == P.Basis(P.POOLED, 6, 0)
    assert result.payment["Z"] == D(2026, 11, 8)
    # 4 snapshots, 6 paid; open at 31.10: X4, Y4, Z1 (Z2 has no term, the advance is no debt)
    assert (result.snapshots, result.paid, result.open) == (4, 6, 3)


def test_inflow_by_week(hand):
    result = forecast()
    # as-of Saturday 31.10: the weeks are W44 (only Sunday 01.11 after as-of), W45 (02-08.11),
    # W46 (09-15.11), W47 (16-22.11).
    # X4 1000 paid 07.11 for sure (own: always 10 days late) -> W45
    # Z1 1000 pooled, 2 days overdue: 1/2 at 10 days (08.11, W45), 1/2 at 20 (18.11, W47)
    # Y4 400 paid 09.11 (own: 20 days late) -> W46. The advance and the no-term Z2: nothing.
    assert result.inflow == {"2026-W44": Decimal("0.00"), "2026-W45": Decimal("1500.00"),
                             "2026-W46": Decimal("400.00"), "2026-W47": Decimal("500.00")}
    # by basis over the 4 weeks: own X4 + Y4 = 1400, pooled Z1 500 + 500 = 1000
    assert result.inflow_by_source == {P.OWN: Decimal("1400.00"), P.POOLED: Decimal("1000.00")}
    assert result.spans[0] == (D(2026, 11, 1), D(2026, 11, 1))
    with store.reader() as con:
        assert P.expected_inflow(con) == result.inflow
        assert P.expected_payment(con) == result.payment


def test_only_the_history_known_on_the_day_is_read(hand):
    # On 11.10 only X1 has been paid (Y1 is still open then): 1 paid document, too little.
    result = forecast(S1)
    assert result.snapshot == S1 and result.paid == 1 and not result.enough
    assert set(result.payment.values()) == {None}
    assert set(result.inflow.values()) == {None}


def test_no_history_says_so(store_file):
    with store.connect() as con:
        put(con, S3, HISTORY[S3])
    result = forecast()
    assert result.paid == 0 and not result.enough
    assert result.payment == {"X": None, "Y": None, "Z": None}
    assert all(b.source is None for b in result.basis.values())
    cli = [sys.executable, "-m", "kpi", "--db", str(store_file), "receivables"]
    out = json.loads(subprocess.run([*cli, "--json"], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert out["expected_inflow"] == {"2026-W44": None, "2026-W45": None, "2026-W46": None, "2026-W47": None}
    assert out["expected_payment"] == {"X": None, "Y": None, "Z": None}
    assert out["payment_basis"]["paid_documents"] == 0
    text = subprocess.run([*cli[:3], "--lang", "en", *cli[3:]], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "Too little data to forecast payments" in text


def test_nothing_stored():
    result = forecast()
    assert (result.snapshot, result.inflow, result.payment) == (None, {}, {})


def test_receivables_json_gains_the_keys(hand, store_file):
    out = json.loads(subprocess.run(
        [sys.executable, "-m", "kpi", "--db", str(store_file), "receivables", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert out["expected_inflow"] == {"2026-W44": 0.0, "2026-W45": 1500.0, "2026-W46": 400.0, "2026-W47": 500.0}
    assert out["expected_payment"] == {"X": "2026-11-07", "Y": "2026-11-09", "Z": "2026-11-08"}
    assert out["payment_basis"]["clients"]["Z"] == {"basis": "pooled", "paid_documents": 6}
    assert out["totals"]["total"] == 2450.0  # the ageing is unchanged: 1000 + 400 + 1000 + 50


def test_generated_history_recovers_the_median_lateness(store_file):
    """Three documents a day for 300 days, due 14 days after issue, paid round(G) - 5 days
    late with G ~ Gamma(2, scale 10); weekly snapshots list what is unpaid. The true median
    lateness is the smallest k with P(G < k + 5.5) >= 1/2: Gamma's median 16.78 -> k = 12.
    Given 20 days overdue, the true median is the smallest k with
    P(G < k + 5.5 | G >= 25.5) >= 1/2."""
    rng = np.random.default_rng(16)
    gamma = stats.gamma(2, scale=10)
    true_median = next(k for k in range(-5, 100) if gamma.cdf(k + 5.5) >= 0.5)
    assert true_median == 12
    tail = gamma.sf(25.5)
    true_after_20 = next(k for k in range(21, 200) if 1 - gamma.sf(k + 5.5) / tail >= 0.5)
    start = D(2025, 1, 1)
    issued = [start + dt.timedelta(days=int(i // 3)) for i in range(900)]
    lateness = np.round(rng.gamma(2, 10, size=900)).astype(int) - 5
    docs = [(f"C{i % 40}", f"D{i}", d, d + dt.timedelta(days=14), int(late))
            for i, (d, late) in enumerate(zip(issued, lateness))]
    snapshots = [start + dt.timedelta(days=7 * w) for w in range(1, 46)]
    with store.connect() as con:
        for s in snapshots:
            put(con, s, [(c, doc, d, due, None, 100) for c, doc, d, due, late in docs
                         if d <= s < due + dt.timedelta(days=late)])
        pooled = P.estimate(P.history(con, snapshots[-1]))
    assert pooled.paid > 600
    # weekly snapshots put each payment within 3.5 days of the midpoint; 2 days of tolerance
    # (seeds 0-29: the median off by 2 days at most, the one after 20 days too, no bias)
    assert abs(pooled.median() - true_median) <= 2
    assert abs(pooled.median(after=20) - true_after_20) <= 3  # fewer documents in the tail
