"""Sign-in and roles: every role against the CLI, the pages and the server's gate; the
scope is applied where the data is read, and department baselines stay right under it."""

import asyncio
import datetime as dt
import json
import subprocess
import sys

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from streamlit.testing.v1 import AppTest

import server
from kpi import access, store
from tests.conftest import ROOT
from tests.helpers import load

# Иванов and Петров in Москва, Козлов in Регионы. Client А first bought from Петров in
# October, then from Иванов in November: for Иванов, А is not a new client in November.
SALES = """Дата;Менеджер;Клиент;Сумма
05.10.2026;Петров П.П.;А;100
03.11.2026;Иванов И.И.;А;1000
04.11.2026;Иванов И.И.;Б;500
05.11.2026;Петров П.П.;В;300
06.11.2026;Козлов К.К.;Г;700
"""
PLANS = """Месяц;Менеджер;Отдел;План
2026-11;Иванов И.И.;Москва;2000
2026-11;Петров П.П.;Москва;1000
2026-11;Козлов К.К.;Регионы;1000
"""
DEBT = "Контрагент;Менеджер;Дата документа;Сумма долга\nА;Иванов И.И.;01.10.2026;50\nГ;Козлов К.К.;01.10.2026;70\n"
CANDIDATES = "ФИО;Дата отклика;Дата приглашения;Дата явки\nА;01.11.2026;02.11.2026;03.11.2026\nБ;01.11.2026;02.11.2026;\n"
PASSWORD = "длинный пароль из кириллицы, больше семидесяти двух байт в UTF-8"  # 72+ bytes


@pytest.fixture
def company(store_file, monkeypatch):
    monkeypatch.setattr(access, "FAILURE_DELAY", 0)
    load(SALES.encode(), "sales.csv")
    load(PLANS.encode(), "plans.csv")
    load(DEBT.encode(), "Дебиторка на 31.10.2026.csv")
    load(CANDIDATES.encode(), "Кандидаты на 2026-11-20.csv")
    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    access.add_user(None, "boss", "director", PASSWORD)
    access.add_user(None, "moscow", "head", PASSWORD, team="Москва")
    access.add_user(None, "ivanov", "manager", PASSWORD, manager="Иванов  И. И.")
    access.add_user(None, "hr", "recruiter", PASSWORD)
    return store_file


def kpi(db, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "kpi", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, input=stdin)


def department(db, login):
    run = kpi(db, "--as", login, "sales", "--month", "2026-11", "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_each_role_sees_its_own_figures_from_the_cli(company):
    # director: 1000 + 500 + 300 + 700 = 2500 of 4000
    assert department(company, "boss")["department"]["fact"] == 2500.0
    # head of Москва: Иванов 1500 + Петров 300 = 1800 of 3000; Козлов is not theirs
    moscow = department(company, "moscow")
    assert set(moscow["managers"]) == {"Иванов И.И.", "Петров П.П."}
    assert moscow["department"]["fact"] == 1800.0 and moscow["department"]["plan"] == 3000.0
    # manager Иванов: his 1500 of 2000; new clients: Б only (А first bought from Петров)
    ivanov = department(company, "ivanov")
    assert set(ivanov["managers"]) == {"Иванов И.И."}
    assert ivanov["department"]["fact"] == 1500.0
    assert ivanov["managers"]["Иванов И.И."]["new_clients"] == 1
    assert ivanov["department"]["new_clients"] == 1
    run = kpi(company, "--as", "ivanov", "receivables", "--json")
    assert json.loads(run.stdout)["totals"]["total"] == 50.0  # his debt, not Козлов's 70


def test_a_command_outside_the_role_exits_2(company):
    for login, args in (("hr", ["sales", "--json"]), ("hr", ["receivables", "--json"]),
                        ("ivanov", ["funnel", "--json"]), ("moscow", ["imports", "--json"]),
                        ("ivanov", ["user", "list", "--json"]), ("nobody", ["sales", "--json"])):
        run = kpi(company, "--as", login, *args)
        assert run.returncode == 2 and "Traceback" not in run.stderr, (login, args, run.stderr)
        assert "недоступно" in run.stderr or "нет или он отключён" in run.stderr
    hr = kpi(company, "--as", "hr", "funnel", "--json")
    assert json.loads(hr.stdout)["overall"]["attendance_rate"] == 0.5  # 1 of 2 invited came


def test_users_from_the_cli_never_show_a_hash(tmp_path):
    db = tmp_path / "s.duckdb"
    assert kpi(db, "user", "add", "anna", "--role", "manager", "--manager", "Смирнова  А. А.",
               stdin=PASSWORD + "\n").returncode == 0
    assert kpi(db, "user", "add", "anna", "--role", "director", stdin=PASSWORD + "\n").returncode == 2
    assert kpi(db, "user", "add", "bob", "--role", "head", stdin=PASSWORD + "\n").returncode == 2  # no --team
    assert kpi(db, "user", "add", "short", "--role", "director", stdin="1234\n").returncode == 2
    listed = json.loads(kpi(db, "user", "list", "--json").stdout)
    assert listed == {"users": [{"login": "anna", "role": "manager", "manager": "Смирнова А.А.",
                                 "team": None, "active": True}]}
    assert kpi(db, "user", "disable", "anna").returncode == 0
    assert json.loads(kpi(db, "user", "list", "--json").stdout)["users"][0]["active"] is False
    assert "$argon2id$" not in kpi(db, "user", "list").stdout


def test_delete_import_of_a_missing_id_exits_2(company):
    run = kpi(company, "delete-import", "99")
    assert run.returncode == 2 and run.stderr.strip() == "Загрузки №99 нет в истории (или она уже удалена)."


def test_sign_in_sessions_expiry_forgery_and_lockout(company):
    with pytest.raises(access.Forbidden, match="Неверный логин или пароль"):
        access.sign_in(None, "ivanov", "wrong password")
    with pytest.raises(access.Forbidden, match="Неверный логин или пароль"):
        access.sign_in(None, "nobody", PASSWORD)  # the same words: no user enumeration
    token = access.sign_in(None, "ivanov", PASSWORD)  # 72+ bytes of Cyrillic, whole
    assert access.session_scope(None, token) == access.Scope("ivanov", "manager", "Иванов И.И.", None)
    assert access.session_scope(None, token + "x") is None  # forged
    later = dt.datetime.now() + dt.timedelta(hours=access.SESSION_HOURS + 1)
    assert access.session_scope(None, token, now=later) is None  # expired
    access.sign_out(None, token)
    assert access.session_scope(None, token) is None  # revoked
    for _ in range(access.MAX_FAILURES):
        with pytest.raises(access.Forbidden):
            access.sign_in(None, "hr", "guess")
    with pytest.raises(access.Forbidden, match="заблокирован"):
        access.sign_in(None, "hr", PASSWORD)  # even the right password, while locked
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM sessions").fetchall() == [(1,)]
        hashes = con.execute("SELECT password_hash FROM users").fetchall()
    assert all(h.startswith("$argon2id$") for (h,) in hashes)


# --- pages: navigation by role, figures through the scope ------------------------------

def app_as(monkeypatch, token):
    import pages.common

    monkeypatch.setattr(pages.common, "session_token", lambda: token)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    return at


@pytest.mark.parametrize("login, reachable, unreachable", [
    ("boss", ["pages/overview.py", "pages/sales.py", "pages/hiring.py", "pages/history.py"], []),
    ("ivanov", ["pages/overview.py", "pages/sales.py", "pages/receivables.py", "pages/meetings.py"],
     ["pages/hiring.py", "pages/upload.py", "pages/history.py"]),
    ("hr", ["pages/hiring.py", "pages/upload.py", "pages/history.py"],
     ["pages/overview.py", "pages/sales.py", "pages/receivables.py", "pages/meetings.py"]),
])
def test_pages_by_role(company, monkeypatch, login, reachable, unreachable):
    at = app_as(monkeypatch, access.sign_in(None, login, PASSWORD))
    for page in reachable:
        at.switch_page(page).run()
        assert not at.exception and at.title, (login, page)
    for page in unreachable:  # not in the menu, and the page itself refuses before reading
        at.switch_page(page).run()
        assert "недоступно" in at.error[0].value and not at.metric and not at.dataframe, (login, page)


def test_the_sales_page_of_a_manager_shows_only_their_figures(company, monkeypatch):
    at = app_as(monkeypatch, access.sign_in(None, "ivanov", PASSWORD))
    at.switch_page("pages/sales.py").run()
    cards = {m.label: m.value for m in at.metric}
    assert cards["Факт"] == "1,5\u00a0тыс.\u00a0₽"  # his 1000 + 500, the same as `--as ivanov`
    assert list(at.dataframe[0].value["Менеджер"]) == ["Иванов И.И."]


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_no_or_a_forged_cookie_shows_the_sign_in_prompt_and_no_data(company, monkeypatch, token):
    at = app_as(monkeypatch, token)
    assert "Войдите" in at.info[0].value and not at.metric and not at.dataframe


def test_an_expired_session_shows_the_sign_in_prompt(company, monkeypatch):
    token = access.sign_in(None, "boss", PASSWORD, now=dt.datetime.now() - dt.timedelta(hours=13))
    at = app_as(monkeypatch, token)
    assert "Войдите" in at.info[0].value and not at.metric


def test_single_user_mode_without_users(store_file):
    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    assert access.listen_address() == "127.0.0.1"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert "Однопользовательский режим" in " ".join(c.value for c in at.sidebar.caption)


# --- the server's gate ------------------------------------------------------------------

def call(app, method: str, path: str, *, cookie: str = "", body: bytes = b"",
         client: str = "10.0.0.7", kind: str = "http"):
    """One request through an ASGI app; (status, headers) of its answer."""
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {"type": kind, "method": method, "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": headers, "client": (client, 5000),
             "server": ("test", 80), "scheme": "http", "root_path": "", "http_version": "1.1"}
    sent, fed = [], []

    async def receive():
        if not fed:
            fed.append(1)
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] in ("http.response.start", "websocket.close"))
    return start.get("status", start.get("code")), {k.decode(): v.decode() for k, v in start.get("headers", [])}


@pytest.fixture
def gated():
    async def data(request):
        return PlainTextResponse("the company's figures")

    return Starlette(routes=[Route("/", data), Route("/_stcore/stream", data),
                             Route("/api/signin", server.sign_in, methods=["GET", "POST"]),
                             Route("/api/signout", server.sign_out)],
                     middleware=[Middleware(server.Gate)])


def test_the_gate_serves_only_this_computer_while_nobody_can_sign_in(store_file, gated):
    assert call(gated, "GET", "/", client="10.0.0.7")[0] == 403
    assert call(gated, "GET", "/", client="127.0.0.1")[0] == 200


def test_the_gate_lets_nothing_through_without_a_live_session(company, gated):
    status, headers = call(gated, "GET", "/")
    assert status == 303 and headers["location"] == "/api/signin?next=%2F"
    assert call(gated, "GET", "/_stcore/stream")[0] == 401
    assert call(gated, "GET", "/", cookie="kpi_session=forged")[0] == 303
    status, headers = call(gated, "POST", "/api/signin", body=b"login=boss&password=nope")
    assert status == 200 and "set-cookie" not in headers  # the form again, with the reason
    # back to the page a link pointed to; never to another site
    form = f"login=boss&password={PASSWORD}&next=%2Fmanager%3Fmonth%3D2026-11".encode()
    status, headers = call(gated, "POST", "/api/signin", body=form)
    cookie = headers["set-cookie"]
    assert status == 303 and "httponly" in cookie.lower() and "max-age=43200" in cookie.lower()
    assert headers["location"] == "/manager?month=2026-11"
    evil = f"login=boss&password={PASSWORD}&next=%2F%2Fevil.example".encode()
    assert call(gated, "POST", "/api/signin", body=evil)[1]["location"] == "/"
    token = cookie.split(";")[0]
    assert call(gated, "GET", "/", cookie=token)[0] == 200
    assert call(gated, "GET", "/api/signout", cookie=token)[0] == 303
    assert call(gated, "GET", "/", cookie=token)[0] == 303  # revoked on sign-out


# --- data is text, always ---------------------------------------------------------------

HOSTILE = ["![t](http://host/x.png)", "<a href='http://host'>Иванов</a>", '=HYPERLINK("http://host")',
           "+1+1", "@SUM(A1)"]


def test_names_with_markdown_html_and_formulas_stay_text(store_file, tmp_path):
    lines = ["Дата;Менеджер;Клиент;Сумма"] + [f"0{i + 1}.11.2026;{name};{name};-{100 * (i + 1)}"
                                             for i, name in enumerate(HOSTILE)]
    lines.append("06.11.2026;Петров П.П.;ООО «Кедр»;5000")
    plans = "Месяц;Менеджер;План\n" + "".join(f"2026-11;{n};1000\n" for n in HOSTILE)
    load(("\n".join(lines) + "\n").encode(), "sales.csv")
    load(plans.encode(), "plans.csv")
    with store.connect() as con:
        store.set_meta(con, "samples_loaded", "yes")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    shown = [e.value for e in [*at.markdown, *at.caption, *at.warning, *at.info]]
    assert not any("![t](" in text or "<a href" in text for text in shown)
    charts = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "<a href" not in charts and "&lt;a href" in charts  # drawn as text, not a link
    # the CSV the page and `sales --csv` write: formulas start with an apostrophe, numbers stay numbers
    run = kpi(store_file, "sales", "--month", "2026-11", "--csv")
    text = run.stdout
    assert "'=HYPERLINK" in text and "'+1+1" in text and "'@SUM(A1)" in text
    assert ";-300,00;" in text and "'-300" not in text  # the =HYPERLINK manager's fact: a number
