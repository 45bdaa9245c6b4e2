"""Funnel counts and the slot planner's binomial figures, worked out by hand."""

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from kpi import funnel as F
from kpi import store
from tests.conftest import ROOT
from tests.helpers import load

CANDIDATES = (
    "Кандидат,Вакансия,Источник,Рекрутер,Дата отклика,Скрининг,Дата приглашения,Подтвердил,Пришёл,Дата оффера,Дата выхода\n"
    "Соколов А.,Менеджер,hh.ru,Орлова Е.В.,01.09.2026,да,,,,,\n"  # reached screened
    "Морозова М.,Менеджер,hh.ru,Орлова Е.В.,01.09.2026,,03.09.2026,,да,,\n"  # attended
    "Волков Д.,Менеджер,SuperJob,Орлова Е.В.,02.09.2026,да,03.09.2026,да,нет,,\n"  # confirmed
    "Лебедева А.,Менеджер,SuperJob,Орлова Е.В.,02.09.2026,,,,,,20.09.2026\n"  # hired
)


@pytest.fixture
def candidates(store_file):
    load(CANDIDATES.encode(), "c_2026-11-20.csv")


def test_funnel_counts_with_skipped_marks(candidates):
    with store.reader() as con:
        overall, by_source = F.funnel(con, "source")
    # reached: 1, 4, 3, 6 -> a later stage implies the earlier ones
    assert overall.counts == {"responded": 4, "screened": 4, "invited": 3, "confirmed": 3,
                              "attended": 2, "offer": 1, "hired": 1}
    assert overall.attendance_rate == pytest.approx(2 / 3)  # Морозова, Лебедева of 3 invited
    assert overall.hired_per_responded == 0.25  # 1 of 4
    assert overall.conversion("attended") == pytest.approx(2 / 3)  # 2 attended / 3 confirmed
    assert overall.conversion("responded") is None
    assert overall.days_to_hire == 18  # 02.09 -> 20.09
    assert overall.small_sample  # 3 invited < 20
    # hh.ru: Морозова invited and came (1 of 1); SuperJob: Волков no, Лебедева yes (1 of 2)
    assert by_source["hh.ru"].attendance_rate == 1.0
    assert by_source["SuperJob"].attendance_rate == 0.5
    with store.reader() as con:
        assert F.measured_show_rate(con, source="SuperJob") == (0.5, 1, 2)


def test_wilson_interval_for_none_of_ten():
    # p = 0, n = 10, z = 1.96: upper = 2 * (z²/20) / (1 + z²/10) = 0.19208 * 2 / 1.38415 = 0.2775
    low, high = F.wilson(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)


def test_one_attendee_at_one_in_five_with_90_percent_needs_11():
    plan = F.plan(1, 0.2, 0.9)
    # 1 - 0.8^10 = 0.8926 < 0.9 <= 1 - 0.8^11 = 0.9141
    assert plan.bookings == 11
    assert plan.probability == pytest.approx(1 - 0.8 ** 11)
    assert plan.average_bookings == 5  # ceil(1 / 0.2)


def test_two_attendees_at_one_half():
    plan = F.plan(2, 0.5, 0.9)
    # P(X >= 2) = 1 - (n + 1) / 2^n: n = 6 -> 57/64 = 0.8906; n = 7 -> 120/128 = 0.9375
    assert (plan.average_bookings, plan.bookings) == (4, 7)
    assert plan.probability == pytest.approx(0.9375)
    # more than 2 of 7 come: 1 - (1 + 7 + 21) / 128 = 99/128
    assert plan.p_over_capacity == pytest.approx(99 / 128)
    assert sum(plan.distribution) == pytest.approx(1)
    assert plan.distribution[2] == pytest.approx(21 / 128)


def test_exact_boundaries():
    # 1 - 0.5^2 = 0.75 exactly: two bookings already give 75 %
    assert F.plan(1, 0.5, 0.75).bookings == 2
    # 3 / 0.1 is 30.000000000000004 in floats; the average is 30
    assert F.plan(3, 0.1, 0.5).average_bookings == 30
    assert F._at_least_exact(1, 11, Fraction(1, 5)) == 1 - Fraction(4, 5) ** 11


def test_planner_refuses_impossible_rates():
    for bad in ((1, 0.0, 0.9), (1, 1.5, 0.9), (0, 0.2, 0.9), (1, 0.2, 1.0)):
        with pytest.raises(ValueError):
            F.plan(*bad)


def run_kpi(*args, db):
    return subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_cli_funnel_and_slots(candidates, store_file):
    out = json.loads(run_kpi("funnel", "--by", "source", "--json", db=store_file).stdout)
    assert out["stages"] == ["responded", "screened", "invited", "confirmed", "attended", "offer", "hired"]
    assert out["overall"]["counts"]["attended"] == 2
    assert out["groups"]["SuperJob"]["attendance_rate"] == 0.5
    # the measured rate 2/3: one attendee with 90 %: 1 - (1/3)^2 = 0.889 < 0.9 <= 1 - (1/3)^3 = 0.963
    slots = json.loads(run_kpi("slots", "--attendees", "1", "--json", db=store_file).stdout)
    assert slots["rate_source"] == "data" and slots["bookings"] == 3
    assert slots["show_rate"] == pytest.approx(2 / 3)


def test_cli_slots_defaults_to_the_seed_rate_on_an_empty_store(tmp_path):
    run = run_kpi("slots", "--attendees", "5", "--json", db=tmp_path / "none.duckdb")
    out = json.loads(run.stdout)
    assert out["show_rate"] == 0.2 and out["rate_source"] == "default"
    assert out["average_bookings"] == 25 and out["confidence"] == 0.9
    run = run_kpi("slots", "--attendees", "5", "--show-rate", "0", "--json", db=tmp_path / "none.duckdb")
    assert run.returncode == 2 and "Traceback" not in run.stderr
