"""The app in real Chromium: upload a file, confirm, see it in the history. Saves screenshots."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, launch, wait_ready
from tests.conftest import ROOT, in_ci

SHOTS = ROOT / "tests" / "screenshots"

if not Path(CHROMIUM).exists():
    if in_ci():
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip("Debian's chromium is not installed here", allow_module_level=True)


def start_server(db: Path):
    """A real server (server.py: the gate and the sign-in page) on loopback over `db`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=os.environ | {"KPI_DB": str(db)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        raise RuntimeError("the Streamlit server did not start")
    return proc, url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The sample company, nobody signed up: single-user mode on this computer."""
    proc, url = start_server(tmp_path_factory.mktemp("db") / "kpi.duckdb")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def upload(browser, server: str, export: Path, expect: str, height: int):
    """Open the upload page, drop one file on it, wait until `expect` shows."""
    page = browser.new_page(viewport={"width": 1400, "height": height}, locale="ru-RU")
    page.goto(f"{server}/upload")
    wait_ready(page)
    page.locator('input[type="file"]').set_input_files(str(export))
    page.get_by_text(expect).wait_for(timeout=30_000)
    wait_ready(page)
    return page


def test_upload_a_file_in_the_browser(server, browser, tmp_path):
    export = tmp_path / "Продажи_декабрь_2026.csv"
    export.write_bytes(("Отчёт о продажах\r\nДата;Документ;Менеджер;Контрагент;Сумма\r\n"
                        "01.12.2026;Р-1;Иванов И.И.;ООО Ромашка;1 500,00\r\n"
                        "02.12.2026;Р-2;Иванов И.И.;ООО Ромашка;много\r\n"
                        "Итого;;;;1 500,00\r\n").encode("cp1251"))
    page = upload(browser, server, export, "Продажи (документы реализации), декабрь 2026", 1100)
    page.screenshot(path=str(SHOTS / "upload_preview.png"))
    page.get_by_role("button", name="Сохранить файлы: 1").click()  # one row will be refused
    page.get_by_text("Сохранено: Продажи_декабрь_2026.csv").wait_for(timeout=30_000)
    wait_ready(page)
    page.screenshot(path=str(SHOTS / "upload_saved.png"))

    page.goto(f"{server}/history")
    wait_ready(page)
    page.get_by_text("История загрузок").first.wait_for()
    page.screenshot(path=str(SHOTS / "history.png"))
    page.close()


def test_sales_page_on_the_sample_company(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2900}, locale="ru-RU")
    page.goto(f"{server}/sales")
    wait_ready(page)
    page.get_by_role("combobox", name="Месяц").click()
    page.get_by_role("option", name="октябрь 2026").click()
    wait_ready(page)
    page.get_by_text("По менеджерам — сначала отстающие").wait_for()
    page.get_by_text("Смирнов О.В.: 58,5").wait_for()  # the sample's slippage, flagged
    assert page.locator('[data-testid="stMetric"]').count() >= 3
    assert page.locator(".js-plotly-plot").count() >= 2  # the pace bars and the trend
    page.screenshot(path=str(SHOTS / "sales.png"))

    # a click on a manager's row (its selection box) opens that manager's documents
    documents_of = page.get_by_role("combobox", name="Менеджер")
    first = documents_of.input_value()
    table = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    row_height = 35
    page.mouse.click(table["x"] + 12, table["y"] + row_height * 4 + row_height / 2)
    page.wait_for_function(
        """(first) => document.querySelector('input[aria-label="Менеджер"]').value !== first""",
        arg=first, timeout=30_000)
    wait_ready(page)
    page.screenshot(path=str(SHOTS / "sales_documents.png"))
    page.close()


PAGES = {"": "Кому нужно внимание", "manager": "Документы месяца",
         "sales": "По менеджерам — сначала отстающие", "receivables": "Крупнейшие должники",
         "meetings": "Проведённые встречи по неделям", "hiring": "Планировщик слотов",
         "upload": "Файлы выгрузок", "history": "История загрузок"}


def visit_every_page(browser, url: str, prefix: str, expected: dict[str, str | None]) -> None:
    """Each page opens with no exception and no error box; a screenshot of each."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    for path, text in expected.items():
        page.goto(f"{url}/{path}")
        wait_ready(page)
        if text:
            page.get_by_text(text).first.wait_for()
        assert page.locator('[data-testid="stException"]').count() == 0, path
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0, path
        page.screenshot(path=str(SHOTS / f"{prefix}_{path or 'overview'}.png"))
    page.close()


def test_every_page_opens_without_an_error(server, browser):
    visit_every_page(browser, server, "page", PAGES)


def test_every_page_on_a_store_with_only_sales(browser, tmp_path):
    from kpi import store
    from tests.helpers import load

    db = tmp_path / "kpi.duckdb"
    with store.connect(db) as con:
        store.set_meta(con, "samples_loaded", "yes")
    load("Дата;Менеджер;Клиент;Сумма\n03.11.2026;Иванов И.И.;ООО Ромашка;1000\n".encode(), "s.csv", db=db)
    proc, url = start_server(db)
    try:  # pages without their data say so, none fails
        visit_every_page(browser, url, "only_sales", {
            "": "дебиторка за этот месяц не загружена", "manager": "Документы месяца", "sales": "Факт",
            "receivables": None, "meetings": None, "hiring": None, "upload": None, "history": None})
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_mapping_an_unrecognised_file_in_the_browser(server, browser, tmp_path):
    from tests.test_mapping import ODD

    export = tmp_path / "Отгрузки_декабрь.csv"
    export.write_text(ODD.replace("10.2026", "12.2026"), encoding="utf-8")
    page = upload(browser, server, export, "Сопоставить столбцы вручную", 1800)

    def choose(label: str, option: str) -> None:
        page.get_by_role("combobox", name=label).click()
        page.get_by_role("option", name=option, exact=True).click()
        wait_ready(page)

    choose("Вид выгрузки", "Продажи (документы реализации)")
    for label, header in (("Дата (обязательный)", "Дата отгрузки"),
                          ("Менеджер (обязательный)", "Продавец"),
                          ("Контрагент (обязательный)", "Получатель"),
                          ("Сумма (обязательный)", "Итог по строке")):
        choose(label, header)
    page.screenshot(path=str(SHOTS / "mapping_form.png"))
    page.get_by_role("button", name="Применить сопоставление").click()
    page.get_by_text("Файл прочитан по сопоставлению").wait_for(timeout=30_000)
    wait_ready(page)
    page.screenshot(path=str(SHOTS / "mapping_applied.png"))
    page.close()


def test_a_grouped_1c_report_with_a_wrong_subtotal_in_the_browser(server, browser, tmp_path):
    from tests.test_grouped_reports import BODY, as_xlsx

    body = list(BODY)
    body[1] = (2, [None, "ООО Ромашка", 15, 1600])  # its rows give 1500
    export = tmp_path / "Продажи по менеджерам.xlsx"
    export.write_bytes(as_xlsx(body))
    page = upload(browser, server, export, "Отчёт с группировками строк", 1500)
    page.get_by_text("итог в отчёте 1 600,00").wait_for()
    page.screenshot(path=str(SHOTS / "upload_grouped_report.png"))
    page.close()


def test_signing_in_and_out_in_the_browser(browser, tmp_path):
    from kpi import access, samples

    db = tmp_path / "kpi.duckdb"
    samples.load_once(str(db))
    access.add_user(db, "ivanov", "manager", "пароль менеджера", manager="Иванов И.И.")
    proc, url = start_server(db)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="ru-RU")
        page.goto(url)
        page.wait_for_selector("form")  # the gate sends an unsigned visitor to the sign-in page
        page.fill("#login", "ivanov")
        page.fill("#password", "не тот пароль")
        page.click("button")
        page.get_by_text("Неверный логин или пароль.").wait_for()
        page.screenshot(path=str(SHOTS / "sign_in_failed.png"))
        page.fill("#login", "ivanov")
        page.fill("#password", "пароль менеджера")
        page.click("button")
        wait_ready(page)
        page.get_by_text("Вы вошли как ivanov (менеджер).").wait_for()
        assert page.get_by_text("Загрузка выгрузок").count() == 0  # not in a manager's menu
        cookie = next(c for c in page.context.cookies() if c["name"] == "kpi_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        page.screenshot(path=str(SHOTS / "signed_in_manager.png"))
        page.get_by_role("button", name="Выйти").click()
        page.get_by_text("Войдите, чтобы увидеть показатели.").wait_for()
        page.goto(url)
        page.wait_for_selector("form")  # the session was revoked on the server
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_click_in_the_scorecard_opens_the_managers_page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400}, locale="ru-RU")
    page.goto(server)
    wait_ready(page)
    page.get_by_text("Кому нужно внимание").wait_for()
    table = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    row_height = 35
    page.mouse.click(table["x"] + 12, table["y"] + row_height + row_height / 2)  # the first manager
    page.get_by_text("Документы месяца").wait_for(timeout=30_000)
    wait_ready(page)
    assert "manager=" in page.url and "month=" in page.url  # a link that can be sent
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / "manager_page.png"))
    page.close()


@pytest.mark.parametrize("locale,code", [("kk-KZ", "kk"), ("en-US", "en")])
def test_the_browser_language_is_the_first_choice(server, browser, locale, code):
    """A Kazakh or English browser gets the overview in its language, numbers its way."""
    from kpi.texts import CATALOGS

    page = browser.new_page(viewport={"width": 1400, "height": 1500}, locale=locale)
    page.goto(server)
    wait_ready(page)
    page.get_by_role("heading", name=CATALOGS[code]["PAGE_TITLES"]["overview"]).first.wait_for()
    page.get_by_text(CATALOGS[code]["LANGUAGE"]).first.wait_for()
    page.screenshot(path=str(SHOTS / f"browser_overview_{code}.png"))
    page.close()
