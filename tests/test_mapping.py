"""A column mapping for exports the product cannot recognise by itself."""

import json
import subprocess
import sys
from decimal import Decimal

from kpi import importer
from kpi.mapping import Mapping
from tests.conftest import ROOT
from tests.helpers import load, query

ODD = "Отгрузки\nДата отгрузки;Продавец;Получатель;Итог по строке\n01.10.2026;Иванов И.И.;А;100\n02.10.2026;Иванов И.И.;Б;50\n"
ODD_MAPPING = {"kind": "sales", "columns": {"doc_date": "Дата отгрузки", "manager": "Продавец",
                                            "client": "Получатель", "amount": "Итог по строке"}}


def kpi(*args, db):
    return subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_an_unrecognised_file_offers_its_head_for_a_mapping():
    refusal = importer.inspect(ODD.encode(), "odd.csv")
    assert isinstance(refusal, importer.Refusal)
    assert refusal.head[1] == (2, ["Дата отгрузки", "Продавец", "Получатель", "Итог по строке"])
    assert not importer.inspect(b"\x89PNG\r\n\x1a\n", "x.csv").head  # nothing to map in a picture


def test_cli_mapping_is_used_and_remembered_for_the_same_headers(tmp_path, store_file):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(ODD_MAPPING, ensure_ascii=False), encoding="utf-8")
    odd = tmp_path / "odd.csv"
    odd.write_text(ODD, encoding="utf-8")
    assert kpi("import", str(odd), db=store_file).returncode == 2  # not recognised by itself
    run = kpi("import", "--mapping", str(mapping), str(odd), db=store_file)
    assert run.returncode == 0, run.stderr
    assert query(store_file, "SELECT sum(amount) FROM sales") == [(Decimal("150.00"),)]  # 100 + 50
    # November, same header row, no mapping given: read with the remembered one
    odd.write_text(ODD.replace("10.2026", "11.2026"), encoding="utf-8")
    run = kpi("import", str(odd), db=store_file)
    assert run.returncode == 0 and "sales, ноябрь 2026: сохранено строк 2" in run.stdout


def test_a_mapping_adds_words_for_meetings_and_statuses(store_file):
    text = ("Когда;Сотрудник;Что;Итог\n05.10.2026 10:00;Иванов И.И.;Визит к клиенту;Сделано\n"
            "06.10.2026 10:00;Иванов И.И.;Звонок;Сделано\n")
    mapping = Mapping(kind="activities",
                      columns={"happened_at": "Когда", "manager": "Сотрудник",
                               "activity_type": "Что", "status": "Итог"},
                      meeting_types=["Визит к клиенту"], held_statuses=["Сделано"])
    result = load(text.encode(), "crm.csv", mapping=mapping)
    assert result.problems == []
    assert query(store_file, "SELECT activity, state FROM activities ORDER BY line") == [
        ("meeting", "held"), ("call", "held")]


def test_a_bad_mapping_file_is_refused_with_the_reason(tmp_path, store_file):
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"kind": "sales", "columns": {"doc_date": "Дата"}}), encoding="utf-8")
    run = kpi("import", "--mapping", str(mapping), "x.csv", db=store_file)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "не указаны обязательные столбцы: Менеджер, Контрагент, Сумма" in run.stderr


def test_the_values_offered_for_won_stages_and_activity_types():
    from kpi.mapping import column_values

    data = "Отчёт\nТип;Итог\nВизит;Сделано\nЗвонок;Сделано\nВизит;Отменён\n".encode()
    # header on line 2; distinct values per header, sorted; an unknown header gives none
    assert column_values(data, 2, ["Тип", "Итог", "Нет такого"]) == {
        "Тип": ["Визит", "Звонок"], "Итог": ["Отменён", "Сделано"], "Нет такого": []}
