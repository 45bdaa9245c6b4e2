"""The command line as cron and other tools use it: exit codes, messages, no tracebacks."""

import subprocess
import sys

from tests.conftest import ROOT

GOOD = "Дата;Менеджер;Клиент;Сумма\n01.09.2026;Иванов  И. И.;А;100\n02.09.2026;Иванов И.И.;Б;2 00x\n"


def kpi(*args, db):
    return subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_import_prints_kind_period_rows_and_every_bad_row(tmp_path):
    f = tmp_path / "sales.csv"
    f.write_text(GOOD, encoding="utf-8")
    run = kpi("import", str(f), db=tmp_path / "s.duckdb")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"{f}: sales, сентябрь 2026: сохранено строк 1, отклонено 1"
    assert lines[1] == ("  строка 3, столбец «Сумма»: значение «2 00x»: "
                        "ожидалась сумма, например 1 234 567,89")


def test_refused_files_exit_2_with_the_reason_and_no_traceback(tmp_path):
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\nrest")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    run = kpi("import", str(png), str(empty), str(tmp_path / "missing.csv"), db=tmp_path / "s.duckdb")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"{png}: файл не принят. Это не таблица, а изображение PNG." in run.stderr
    assert f"{empty}: файл не принят. Файл пустой" in run.stderr
    assert "missing.csv: файл не принят." in run.stderr


def test_strict_refuses_a_file_with_any_bad_row(tmp_path):
    f = tmp_path / "sales.csv"
    f.write_text(GOOD, encoding="utf-8")
    run = kpi("import", "--strict", str(f), db=tmp_path / "s.duckdb")
    assert run.returncode == 2 and "строка 3, столбец «Сумма»" in run.stderr
    history = kpi("imports", "--json", db=tmp_path / "s.duckdb")
    assert history.stdout.strip() == '{"imports": []}'


def test_wrong_kind_option_and_bad_date_are_argument_errors(tmp_path):
    run = kpi("import", "--kind", "nonsense", "x.csv", db=tmp_path / "s.duckdb")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    run = kpi("import", "--as-of", "31.10.2026", "x.csv", db=tmp_path / "s.duckdb")
    assert run.returncode == 2 and "ожидалась дата ГГГГ-ММ-ДД" in run.stderr


def test_receivables_without_a_date_ask_for_as_of(tmp_path):
    f = tmp_path / "debt.csv"
    f.write_text("Контрагент;Менеджер;Дата документа;Сумма долга\nА;И;01.10.2026;100\n", encoding="utf-8")
    run = kpi("import", str(f), db=tmp_path / "s.duckdb")
    assert run.returncode == 2 and "--as-of" in run.stderr
    run = kpi("import", "--as-of", "2026-10-31", str(f), db=tmp_path / "s.duckdb")
    assert run.returncode == 0 and "receivables, на 31.10.2026: сохранено строк 1" in run.stdout
