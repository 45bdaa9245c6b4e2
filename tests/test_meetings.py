"""Meetings per week: ISO weeks, the Thursday rule, incomplete weeks; counted by hand."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from kpi import meetings as M
from kpi import store
from tests.conftest import ROOT
from tests.helpers import load

HEADER = "Дата;Ответственный;Тип;Клиент;Статус\n"
# October 2026: Thursdays 1, 8, 15, 22, 29 -> weeks W40 (28.09-04.10) ... W44 (26.10-01.11)
ACTIVITIES = HEADER + """15.09.2026 10:00;Сидоров С.С.;Встреча;Дельта;Состоялась
28.09.2026 10:00;Иванов И.И.;Встреча;ООО "Бета";Состоялась
29.09.2026 15:00;Петров П.П.;Встреча;Эпсилон;Состоялась
03.10.2026 12:00;Иванов И.И.;Встреча;Бета;Состоялась
06.10.2026 10:00;Иванов И.И.;Встреча;Бета;Отменена
07.10.2026 10:00;Иванов И.И.;Встреча;Бета;Запланирована
08.10.2026 10:00;Иванов И.И.;Звонок;Гамма;Выполнено
31.10.2026 11:00;Иванов И.И.;Встреча;ооо альфа;Состоялась
01.11.2026 18:00;Иванов И.И.;Встреча;Альфа;Проведена
"""


def october(target=5):
    with store.reader() as con:
        return M.report(con, M.month_weeks(dt.date(2026, 10, 1)), target)


def test_a_months_weeks_are_those_whose_thursday_is_in_it():
    assert [M.week_label(w) for w in M.month_weeks(dt.date(2026, 10, 1))] == [
        "2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    # 1 January 2026 is a Thursday: its week (29.12.2025-04.01.2026) is January's W01
    assert M.month_weeks(dt.date(2026, 1, 1))[0] == dt.date(2025, 12, 29)
    # 31 December 2026 is a Thursday: W53 of 2026 belongs to December
    assert M.week_label(M.month_weeks(dt.date(2026, 12, 1))[-1]) == "2026-W53"


def test_held_meetings_per_iso_week(store_file):
    load(ACTIVITIES.encode(), "a.csv")
    rep = october()
    by = {m.manager: m for m in rep.managers}
    # Иванов: W40 = 28.09 (Monday of October's first week) + 03.10 (a Saturday) = 2;
    # cancelled 06.10 and planned 07.10 do not count; W44 = 31.10 + 01.11 (a Sunday in
    # November, still October's last week) = 2
    assert by["Иванов И.И."].per_week == {"2026-W40": 2, "2026-W41": 0, "2026-W42": 0,
                                          "2026-W43": 0, "2026-W44": 2}
    assert (by["Иванов И.И."].cancelled, by["Иванов И.И."].planned, by["Иванов И.И."].calls) == (1, 1, 1)
    # Петров had nothing in October itself, but 29.09 belongs to October's first week
    assert by["Петров П.П."].held == 1
    # Сидоров has activity in the loaded data (September), so appears with zeros
    assert by["Сидоров С.С."].held == 0
    # Coverage 01.09 (month of the first row) to 01.11 (last held): every October week complete
    assert rep.incomplete == set()
    # 4 held / 5 weeks = 0.8, zero weeks counted; all below the target of 5
    assert rep.avg_per_week(by["Иванов И.И."]) == 0.8
    assert rep.below_target(by["Иванов И.И."]) and not october(target=0).below_target(by["Иванов И.И."])


def test_weeks_not_covered_by_data_are_incomplete(store_file):
    load((HEADER + "05.11.2026 10:00;Иванов И.И.;Встреча;А;Состоялась\n"
                   "10.11.2026 10:00;Иванов И.И.;Встреча;А;Состоялась\n"
                   "11.11.2026 10:00;Петров П.П.;Звонок;Б;Выполнено\n"
                   "20.11.2026 10:00;Петров П.П.;Встреча;Б;Запланирована\n").encode(), "n.csv")
    with store.reader() as con:
        rep = M.report(con, M.month_weeks(dt.date(2026, 11, 1)))
    # covered: 01.11 to 11.11 (the planned meeting on 20.11 has not happened: no coverage)
    assert rep.covered_until == dt.date(2026, 11, 11)
    # W45 (02-08.11) complete; W46 (09-15.11), W47, W48 not
    assert sorted(rep.labels[w] for w in rep.incomplete) == ["2026-W46", "2026-W47", "2026-W48"]
    ivanov = next(m for m in rep.managers if m.manager == "Иванов И.И.")
    assert rep.avg_per_week(ivanov) == 0.5  # 2 held / 4 weeks (the contract's figure)
    assert rep.avg_per_complete_week(ivanov) == 1.0  # 1 held in W45 / 1 complete week


def test_client_coverage_from_sales_and_held_contacts(store_file):
    load(ACTIVITIES.encode(), "a.csv")
    load(("Дата;Менеджер;Клиент;Сумма\n10.10.2026;Иванов И.И.;ООО \"Альфа\";100\n"
          "12.10.2026;Иванов И.И.;Бета;100\n15.10.2026;Иванов И.И.;Гамма;100\n"
          "20.07.2026;Иванов И.И.;Старый;100\n21.10.2026;Иванов И.И.;Каппа;100\n").encode(), "s.csv")
    ivanov = next(m for m in october().managers if m.manager == "Иванов И.И.")
    # reference 01.11: clients bought in 03.08-01.11: Альфа, Бета, Гамма, Каппа (Старый bought
    # in July: not in the base). Contacts in 02.10-01.11: Альфа met 31.10 ("ооо альфа" is the
    # same client), Бета met 03.10, Гамма called 08.10; Каппа never -> 3 of 4
    assert (ivanov.clients, ivanov.client_coverage) == (4, 0.75)


def test_cli_meetings_json(store_file):
    load(ACTIVITIES.encode(), "a.csv")
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(store_file), "meetings",
                          "--month", "2026-10", "--json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["weeks"] == ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    assert out["incomplete_weeks"] == []
    assert out["by_manager"]["Иванов И.И."]["held"] == 4
    assert out["by_manager"]["Иванов И.И."]["avg_per_week"] == 0.8
    assert out["by_manager"]["Петров П.П."]["per_week"]["2026-W40"] == 1
    assert out["department"] == {"held": 5, "avg_per_week": 1.0,  # 5 held / 5 weeks
                                 "avg_per_manager_week": pytest.approx(5 / 15),
                                 # every week complete: the same 5 / (5 weeks x 3 managers)
                                 "avg_per_manager_complete_week": pytest.approx(5 / 15)}
