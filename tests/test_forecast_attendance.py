"""Who will come to the interview (kpi.forecast.attendance): histories generated with a known
show chance per source, the Poisson-binomial distribution worked out by hand, calibration
over many generated days, too little data said, and `slots --invited` on a small file."""

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from kpi import store
from kpi.forecast import attendance as A
from tests.conftest import ROOT
from tests.helpers import load

TRUTH = {"hh.ru": 0.2, "SuperJob": 0.5, "Рекомендация": 0.8}  # the show chance by source
CONFIRMING = 0.5  # of those who do not come, this share had confirmed
FIRST = dt.date(2025, 1, 1)


def generate(db, n: int, seed: int, days: int = 360, truth=TRUTH, per_day: int | None = None) -> dt.date:
    """`n` invited candidates over `days` days, stored through the import's store step:
    each comes with their source's chance; everyone who came reads as confirmed (the store
    keeps the furthest stage), of the others CONFIRMING had confirmed. Vacancy, weekday
    and the days from invitation to interview have no effect. Returns the export's date."""
    rng = np.random.default_rng(seed)
    sources = np.array(list(truth))
    src = rng.integers(0, len(sources), n)
    came = rng.random(n) < np.array(list(truth.values()))[src]
    offset = rng.integers(0, days, n) if per_day is None else np.repeat(np.arange(n // per_day), per_day)
    interview = np.datetime64(FIRST) + offset
    invited = interview - rng.integers(0, 10, n)
    responded = invited - rng.integers(0, 5, n)
    reached = np.where(came, 4, np.where(rng.random(n) < CONFIRMING, 3, 2)).astype(np.int16)
    as_of = FIRST + dt.timedelta(days=int(offset.max()) + 1)
    rows = pa.table({
        "line": pa.array(np.arange(2, n + 2, dtype=np.int32)), "as_of": pa.array([as_of] * n),
        "candidate": pa.array([f"Кандидат {i}" for i in range(n)]),
        "vacancy": pa.array(np.array(["Менеджер", "Аккаунт-менеджер"])[rng.integers(0, 2, n)]),
        "source": pa.array(sources[src]), "recruiter": pa.array(["Орлова Е.В."] * n),
        "responded_on": pa.array(responded.astype("datetime64[D]").astype(object)),
        "reached": pa.array(reached), "refused": pa.array(np.zeros(n, dtype=bool)),
        "invited_on": pa.array(invited.astype(object)), "interview_on": pa.array(interview.astype(object)),
        "hired_on": pa.nulls(n, pa.date32())})
    months = sorted({d.replace(day=1) for d in responded.astype(object)})
    with store.connect(db) as con:
        store.save_import(con, kind="candidates", rows=rows, file_name="generated.csv",
                          sha256=f"generated{seed}{n}", months=months, as_of=as_of, refused=0)
    return as_of


def invitee(source: str, confirmed: bool, day: dt.date, name: str = "Новый кандидат") -> dict:
    return {"candidate": name, "source": source, "vacancy": "Менеджер", "invited_on": day - dt.timedelta(days=3),
            "interview_on": day, "reached": A.CONFIRMED if confirmed else A.INVITED, "refused": False}


def test_the_model_finds_each_sources_show_chance(store_file):
    generate(store_file, 6000, seed=7)
    week = [dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(7)]
    with store.reader() as con:
        model = A.model(con)
        assert model.basis.model == "model" and model.basis.invited == 6000
        for source, p in TRUTH.items():
            # over a week's days, so a weekday's chance wobble does not decide the test
            open_ = A.show_chances(con, [invitee(source, False, d) for d in week], fitted=model)
            confirmed = A.show_chances(con, [invitee(source, True, d) for d in week], fitted=model)
            # about 2000 per source; with the vacancy's and lead's wobble the error's standard
            # deviation is 0.016 (measured over ten seeds, worst 0.047): tolerance 0.05, 3 sd
            assert np.mean([c["show_chance"] for c in open_.candidates]) == pytest.approx(p, abs=0.05)
            # once confirmed: P(came | confirmed) = p / (p + (1 - p) * CONFIRMING)
            after = p / (p + (1 - p) * CONFIRMING)
            assert np.mean([c["show_chance"] for c in confirmed.candidates]) == pytest.approx(after, abs=0.05)


def test_poisson_binomial_by_hand():
    # chances 0.5 and 0.2: P(0) = 0.5 * 0.8 = 0.4; P(1) = 0.5 * 0.8 + 0.5 * 0.2 = 0.5;
    # P(2) = 0.5 * 0.2 = 0.1
    dist = A.poisson_binomial([0.5, 0.2])
    assert dist == pytest.approx([0.4, 0.5, 0.1], abs=1e-15)
    assert A.more_than(dist, 1) == pytest.approx(0.1) and A.more_than(dist, 2) == 0
    # cumulative 0.4, 0.9, 1.0: q10 = 0 (0.4 >= 0.1), q90 = 1 (0.9 >= 0.9)
    assert (A.quantile(dist, 0.1), A.quantile(dist, 0.9)) == (0, 1)
    # not one rate for all: Binomial(2, 0.35) would say P(1) = 2 * 0.35 * 0.65 = 0.455
    assert dist[1] != pytest.approx(0.455)
    assert A.poisson_binomial([]) == pytest.approx([1.0])


def test_the_80_range_covers_the_true_count_about_80_percent_of_days():
    # 4000 days of 3..30 invitees with known chances: the count lands in [q10, q90] as often
    # as the range's own probability says (at least 0.8, a little more: the counts are whole)
    rng = np.random.default_rng(3)
    inside, mass = [], []
    for _ in range(4000):
        chances = rng.beta(2, 3, rng.integers(3, 31))
        dist = A.poisson_binomial(chances)
        low, high = A.quantile(dist, 0.1), A.quantile(dist, 0.9)
        inside.append(low <= int(np.sum(rng.random(len(chances)) < chances)) <= high)
        mass.append(float(np.sum(dist[low:high + 1])))
    assert 0.8 <= np.mean(mass) <= 0.9
    # 4000 days: the share's standard error is about 0.006
    assert np.mean(inside) == pytest.approx(np.mean(mass), abs=0.025)


def test_backtest_on_a_generated_year_is_calibrated(store_file):
    generate(store_file, 6000, seed=11, per_day=20)  # 300 days of 20 invitees
    with store.reader() as con:
        result = A.backtest(con)
    # January has nothing before it: its 31 days are skipped, not guessed
    assert result["skipped_days"] == 31 and result["days"] == 300 - 31
    assert result["candidates"] == 20 * (300 - 31)
    # ten seeds gave 0.83-0.88: the whole-number range holds a little over 80 %
    assert 0.75 <= result["coverage_80"] <= 0.95
    # a model knowing the truth scores the mean of p(1 - p) = (0.16 + 0.25 + 0.16) / 3 = 0.19
    assert result["brier"] == pytest.approx(0.19, abs=0.01)


def test_too_little_data_is_said_not_guessed(store_file):
    generate(store_file, 6, seed=1, days=20)
    day = dt.date(2026, 3, 2)
    with store.reader() as con:
        result = A.show_chances(con, [invitee("hh.ru", False, day)], capacity=1)
        assert result.basis.model == "too_little" and result.basis.invited == 6
        assert result.candidates[0]["show_chance"] is None and result.distribution is None
        assert result.p_more_than_capacity is None and result.call_first == []
        assert A.backtest(con)["days"] == 0
        assert "Слишком мало данных" in A.basis_text(result)


def test_a_short_history_gives_everyone_the_overall_rate(store_file):
    generate(store_file, 20, seed=2, days=30)
    with store.reader() as con:
        invited, confirmed, came = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE reached >= 3), count(*) FILTER (WHERE reached >= 4) "
            "FROM candidates").fetchall()[0]
        day = dt.date(2026, 3, 2)
        result = A.show_chances(con, [invitee("hh.ru", False, day), invitee("Рекомендация", False, day),
                                      invitee("Рекомендация", True, day)])
    assert result.basis.model == "overall_rate" and result.basis.invited == invited == 20
    assert result.confirmed_basis.model == "overall_rate" and result.confirmed_basis.invited == confirmed
    # Jeffreys: (came + 1/2) / (20 + 1), the same whatever the source; once confirmed,
    # the same over the confirmed: (came + 1/2) / (confirmed + 1)
    assert [c["show_chance"] for c in result.candidates] == pytest.approx(
        [(came + 0.5) / 21] * 2 + [(came + 0.5) / (confirmed + 1)])


def test_which_outcomes_count_and_the_latest_export_wins(store_file):
    header = "Кандидат,Вакансия,Источник,Дата приглашения,Дата собеседования,Подтвердил,Пришёл\n"
    # export of 10.03: Фролов's interview (12.03) is still ahead, Белов came early (12.03)
    load((header + "Фролов,Менеджер,hh.ru,05.03.2026,12.03.2026,да,\n"
          "Белов,Менеджер,hh.ru,05.03.2026,12.03.2026,да,да\n"
          "Ершов,Менеджер,hh.ru,01.03.2026,02.03.2026,,\n").encode(), "c_2026-03-10.csv")
    with store.reader() as con:
        past = A.history(con)
    # Фролов's outcome cannot be known yet; Белов's can; Ершов (02.03) did not come
    assert sorted(past["attended"].tolist()) == [False, True]
    # a later export of another month says Ершов after all came: only the latest one counts
    load((header + "Ершов,Менеджер,hh.ru,01.03.2026,02.03.2026,да,да\n").encode(), "c_2026-04-10.csv")
    with store.reader() as con:
        past = A.history(con)
    assert sorted(past["attended"].tolist()) == [True, True]


def test_call_first_is_the_unconfirmed_lowest_chance_first(store_file):
    generate(store_file, 3000, seed=5)
    day = dt.date(2026, 3, 4)
    rows = [invitee("Рекомендация", False, day, "А"), invitee("hh.ru", True, day, "Б"),
            invitee("hh.ru", False, day, "В"), invitee("SuperJob", False, day, "Г"),
            invitee("hh.ru", False, day, "Д") | {"reached": 4}]  # already came
    with store.reader() as con:
        result = A.show_chances(con, rows, capacity=2)
    assert result.call_first == ["В", "Г", "А"]
    assert result.candidates[4]["show_chance"] == 1 and result.candidates[4]["known"]
    chances = [c["show_chance"] for c in result.candidates]
    assert result.expected == pytest.approx(sum(chances))
    assert sum(result.distribution) == pytest.approx(1) and len(result.distribution) == 6
    assert result.distribution[0] == 0  # Д has come: nobody coming is impossible
    assert result.p_more_than_capacity == pytest.approx(sum(result.distribution[3:]))


def kpi(*args, db):
    return subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_slots_invited_json_on_a_small_file(store_file, tmp_path):
    generate(store_file, 3000, seed=9)
    invited = tmp_path / "приглашённые.csv"
    invited.write_text(
        "Кандидат;Вакансия;Источник;Дата приглашения;Дата собеседования;Подтвердил\n"
        "Иванова А.;Менеджер;hh.ru;02.03.2026;04.03.2026;\n"
        "Сәрсенова Ә.;Менеджер;Рекомендация;02.03.2026;04.03.2026;да\n"
        "Петров О.;Менеджер;SuperJob;03.03.2026;04.03.2026;\n"
        "Кривая Дата;Менеджер;hh.ru;03.03.2026;31.02.2026;\n", encoding="utf-8")
    run = kpi("slots", "--invited", str(invited), "--capacity", "1", "--json", db=store_file)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [c["candidate"] for c in out["candidates"]] == ["Иванова А.", "Сәрсенова Ә.", "Петров О."]
    chances = [c["show_chance"] for c in out["candidates"]]
    # the engine's answer for the same rows, as the page gets it
    rows = [invitee("hh.ru", False, dt.date(2026, 3, 4), "Иванова А.") | {"invited_on": dt.date(2026, 3, 2)},
            invitee("Рекомендация", True, dt.date(2026, 3, 4), "Сәрсенова Ә.") | {"invited_on": dt.date(2026, 3, 2)},
            invitee("SuperJob", False, dt.date(2026, 3, 4), "Петров О.") | {"invited_on": dt.date(2026, 3, 3)}]
    with store.reader() as con:
        assert chances == pytest.approx([c["show_chance"] for c in A.show_chances(con, rows).candidates])
    # one row's chance carries its weekday's and lead's noise too (1000 per source): 0.1
    assert chances[0] == pytest.approx(0.2, abs=0.1) and chances[2] == pytest.approx(0.5, abs=0.1)
    assert chances[1] == pytest.approx(0.8 / 0.9, abs=0.1)  # confirmed: 0.8 / (0.8 + 0.2 * 0.5)
    assert out["distribution"] == pytest.approx(A.poisson_binomial(chances).tolist())
    assert out["expected_attendees"] == pytest.approx(sum(chances))
    assert out["capacity"] == 1 and out["p_more_than_capacity"] == pytest.approx(sum(out["distribution"][2:]))
    assert out["call_first"] == ["Иванова А.", "Петров О."]
    assert out["basis"]["model"] == "model" and out["basis"]["invited"] == 3000
    assert out["rows_refused"] == 1 and "строка 5" in run.stderr  # said, as for any import
    readable = kpi("--lang", "en", "slots", "--invited", str(invited), db=store_file)
    assert readable.returncode == 0 and "Call first (not confirmed; lowest chance first): Иванова А., Петров О." \
        in readable.stdout
    neither = kpi("slots", db=store_file)
    assert neither.returncode == 2 and "--attendees K" in neither.stderr and "--invited FILE" in neither.stderr
    assert kpi("slots", "--attendees", "2", "--json", db=store_file).returncode == 0
