"""The director's overview on three managers in two teams, every figure and colour worked out
by hand, each threshold met exactly; and the same numbers as the sales, receivables and
meetings commands."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from kpi import overview, store, texts
from tests.conftest import ROOT
from tests.helpers import load

SALES = """Дата;Менеджер;Клиент;Сумма
05.11.2026;Иванов И.И.;А;1000
06.11.2026;Петров П.П.;Б;900
09.11.2026;Козлов К.К.;В;500
"""
PLANS = """Месяц;Менеджер;Отдел;План
2026-11;Иванов И.И.;Москва;1000
2026-11;Петров П.П.;Москва;1000
2026-11;Козлов К.К.;Регионы;1000
"""
# As of 30.11: Иванов 100 of 1000 overdue, Петров 250 of 1000, Козлов 300 of 500; Козлов's
# client В owes 500 against a limit of 400.
DEBT = """Контрагент;Менеджер;Дата документа;Срок оплаты;Сумма долга;Кредитный лимит
А;Иванов И.И.;01.11.2026;20.11.2026;100;
А;Иванов И.И.;20.11.2026;20.12.2026;900;
Б;Петров П.П.;01.11.2026;20.11.2026;250;
Б;Петров П.П.;20.11.2026;20.12.2026;750;
В;Козлов К.К.;01.10.2026;01.11.2026;300;400
В;Козлов К.К.;20.11.2026;20.12.2026;200;400
"""
MONDAYS = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16), dt.date(2026, 11, 23)]


def activities() -> str:
    """Held meetings a week in the four weeks of November (W45-W48): Иванов 5, Петров 4,
    Козлов 1; Иванов's last one on Sunday 29.11 so every week is covered."""
    rows = ["Дата;Ответственный;Тип;Статус"]
    for monday in MONDAYS:
        for name, n in (("Иванов И.И.", 5), ("Петров П.П.", 4), ("Козлов К.К.", 1)):
            days = [monday + dt.timedelta(days=d) for d in range(n)]
            if name == "Иванов И.И." and monday == MONDAYS[-1]:
                days[-1] = dt.date(2026, 11, 29)
            rows += [f"{d:%d.%m.%Y};{name};Встреча;Состоялась" for d in days]
    return "\n".join(rows) + "\n"


@pytest.fixture
def company(store_file):
    load(SALES.encode(), "sales.csv")
    load(PLANS.encode(), "plans.csv")
    load(DEBT.encode(), "Дебиторка на 30.11.2026.csv")
    load(activities().encode(), "activities.csv")
    return store_file


def test_the_scorecard_worked_by_hand(company):
    with store.reader() as con:
        ov = overview.overview(con, dt.date(2026, 11, 1), target=5, today=dt.date(2026, 12, 15))
    rows = {r.name: r for r in [*ov.managers, *ov.teams, ov.department]}
    # fulfilment: 1000/1000 = 1.0 ok (the edge), 900/1000 = 0.9 watch (the edge), 500/1000 behind
    # overdue share: 100/1000 = 0.10 ok (edge), 250/1000 = 0.25 watch (edge), 300/500 = 0.6 behind
    # meetings a week: 20/4 = 5 ok (the target), 16/4 = 4 = 0.8 x 5 watch (edge), 4/4 = 1 behind
    assert rows["Иванов И.И."].status == {"sales": "ok", "receivables": "ok", "meetings": "ok"}
    assert rows["Петров П.П."].status == {"sales": "watch", "receivables": "watch", "meetings": "watch"}
    assert rows["Козлов К.К."].status == {"sales": "behind", "receivables": "behind", "meetings": "behind"}
    assert rows["Козлов К.К."].over_limit == 100  # 500 owed against 400
    # Москва: 1900/2000 = 0.95; 350/2000 = 0.175; 36 meetings / (4 weeks x 2 managers) = 4.5
    moscow = rows["Москва"]
    assert moscow.fulfilment == pytest.approx(0.95) and moscow.overdue_share == pytest.approx(0.175)
    assert moscow.meetings_per_week == pytest.approx(4.5)
    assert moscow.status == {"sales": "watch", "receivables": "watch", "meetings": "watch"}
    # department: 2400/3000 = 0.8; 650/2500 = 0.26; 40 / (4 x 3) = 3.33
    dept = ov.department
    assert dept.fulfilment == pytest.approx(0.8) and dept.overdue_share == pytest.approx(0.26)
    assert dept.meetings_per_week == pytest.approx(40 / 12)
    assert dept.status == {"sales": "behind", "receivables": "behind", "meetings": "behind"}
    assert ov.receivables_as_of == dt.date(2026, 11, 30) and ov.meetings_covered


def test_partial_data_is_unknown_not_zero(store_file):
    load(SALES.encode(), "sales.csv")
    with store.reader() as con:
        ov = overview.overview(con, dt.date(2026, 11, 1), target=5, today=dt.date(2026, 12, 15))
    ivanov = next(r for r in ov.managers if r.name == "Иванов И.И.")
    assert ivanov.overdue_share is None and ivanov.meetings_per_week is None  # nothing loaded
    assert ivanov.status == {"sales": None, "receivables": None, "meetings": None}  # no plan either


def kpi(db, *args):
    run = subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args, "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_overview_command_agrees_with_the_kpi_commands(company):
    ov = kpi(company, "overview", "--month", "2026-11", "--target", "5", "--today", "2026-12-15")
    sales = kpi(company, "sales", "--month", "2026-11", "--today", "2026-12-15")
    debt = kpi(company, "receivables", "--as-of", ov["receivables_as_of"])
    meets = kpi(company, "meetings", "--month", "2026-11", "--target", "5")
    for name, row in ov["managers"].items():
        assert row["fact"] == sales["managers"][name]["fact"]
        assert row["fulfilment"] == sales["managers"][name]["fulfilment"]
        assert row["overdue"] == debt["by_manager"][name]["overdue"]
        assert row["meetings_per_week"] == meets["by_manager"][name]["avg_per_week"]
    assert ov["department"]["fact"] == sales["department"]["fact"] == 2400.0
    assert ov["department"]["overdue"] == debt["totals"]["overdue"] == 650.0


def test_the_overview_page_shows_the_cli_figures(company):
    from streamlit.testing.v1 import AppTest

    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.selectbox(key="overview_month").set_value(dt.date(2026, 11, 1)).run()
    assert not at.exception and at.title[0].value == "Обзор"
    cards = {m.label: m.value for m in at.metric}
    # fact 1000 + 900 + 500 = 2 400; overdue 650 of 2500 = 26,0 %; 40 meetings / 12 = 3,3 a week
    assert cards["Факт"] == "2,4\u00a0тыс.\u00a0₽" and cards["Доля просрочки"] == "26,0\u00a0%"
    assert cards["Встреч в неделю"] == "3,3"
    table = at.dataframe[0].value
    with store.reader() as con:  # the page draws the engine's own table, in its order
        rows, _ = overview.manager_table(overview.overview(con, dt.date(2026, 11, 1)))
    assert list(table["Менеджер"]) == [texts.group_name(r["name"]) for r in rows]
    assert list(table["Менеджер"])[-1] == "Итого по отделу"


def test_an_empty_store_tells_a_new_user_what_to_load(store_file):
    from streamlit.testing.v1 import AppTest

    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert "Загрузите выгрузки" in at.info[0].value and not at.exception


def test_the_overview_as_a_one_page_pdf_with_cyrillic_and_the_rouble(company, tmp_path):
    import shutil

    from kpi import report
    from tests.conftest import in_ci

    if not shutil.which("pdftoppm"):
        if in_ci():
            raise RuntimeError("poppler-utils is missing: .ci/run must install it")
        pytest.skip("pdftoppm (poppler-utils) is not installed here")
    with store.reader() as con:
        ov = overview.overview(con, dt.date(2026, 11, 1), target=5, today=dt.date(2026, 12, 15))
    html = report.overview_html(ov, "ноябрь 2026", ["Месяц закрыт"], today=dt.date(2026, 12, 15))
    assert "Козлов К.К." in html and "<script" not in html
    pdf = tmp_path / "overview.pdf"
    pdf.write_bytes(report.overview_pdf(html))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    assert [p.name for p in tmp_path.glob("page*.png")] == ["page-1.png"]  # one page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Клиентский отдел: обзор за ноябрь 2026" in text and "Козлов К.К." in text
    assert "1\u00a0000\u00a0₽" in text or "1 000 ₽" in text  # Иванов's fact, with the rouble
    shutil.copy(tmp_path / "page-1.png", ROOT / "tests" / "screenshots" / "overview_pdf.png")


def test_a_managers_page_from_a_link(company):
    from streamlit.testing.v1 import AppTest

    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["month"] = "2026-11"
    at.query_params["manager"] = "Козлов К.К."
    at.run()
    at.switch_page("pages/manager.py").run()
    assert not at.exception
    assert at.selectbox(key="manager_name").value == "Козлов К.К."
    cards = {m.label: m.value for m in at.metric}
    # Козлов: 500 of 1000; 300 overdue of 500; one meeting a week
    assert cards["Факт"] == "500\u00a0₽" and cards["Выполнение плана"] == "50,0\u00a0%"
    assert cards["Доля просрочки"] == "60,0\u00a0%" and cards["Встреч в неделю"] == "1,0"
    documents, debtors, meetings_ = (t.value for t in at.dataframe)
    assert list(documents["Клиент"]) == ["В"] and list(debtors["Клиент"]) == ["В"]
    assert len(meetings_) == 4


def test_tenge_data_shows_tenge_and_the_kazakh_calendar(store_file):
    from streamlit.testing.v1 import AppTest

    load("Дата;Менеджер;Клиент;Сумма\n05.11.2026;Сәрсенова Ә.Б.;ТОО Алма;1 500 000 тг\n".encode(), "sales.csv")
    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    assert kpi(store_file, "overview", "--month", "2026-11")["currency"] == "KZT"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert {m.label: m.value for m in at.metric}["Факт"] == "1,5\u00a0млн\u00a0₸"  # CLDR compact form drops trailing zeros
    at.switch_page("pages/sales.py").run()
    assert at.selectbox(key="sales_country").value == "KZ"  # tenge: Kazakhstan's calendar
    assert "₽" not in " ".join(str(m.value) for m in at.metric)


def test_a_team_set_by_hand_rolls_up_and_scopes_its_head(company):
    from kpi import access, settings

    with store.connect() as con:  # Козлов moves from Регионы to Москва by hand
        settings.save_team_overrides(con, {"Козлов К.К.": "Москва", "Иванов И.И.": ""})
    with store.reader() as con:
        ov = overview.overview(con, dt.date(2026, 11, 1), target=5, today=dt.date(2026, 12, 15))
    moscow = next(t for t in ov.teams if t.name == "Москва")
    # Москва is now 1000 + 900 + 500 = 2400 of 3000 = 0.8; Регионы has nobody left
    assert moscow.fact == 2400 and moscow.fulfilment == pytest.approx(0.8)
    assert [t.name for t in ov.teams] == ["Москва"]
    head = access.Scope("moscow", "head", None, "Москва")
    with access.reader(None, head) as con:
        assert sorted(m for (m,) in con.execute("SELECT DISTINCT manager FROM sales").fetchall()) == [
            "Иванов И.И.", "Козлов К.К.", "Петров П.П."]
