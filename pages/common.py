"""Small pieces every page shares: the store path, chart layout and colours, and the guard
that keeps a page from running without app.py."""

import datetime as dt
import functools
import html
import re

import pandas as pd
import streamlit as st

from kpi import access, calendar, i18n, receivables, sales, settings, store, texts
from kpi.formatting import fmt_money
from kpi.importer import month_name


def _leave_legacy_pages_mode() -> None:
    """Make sure a page never runs without app.py.

    Streamlit starts every server in its legacy mode when a pages/ folder exists, and only
    app.py's st.navigation ends it. Until then a first visitor who opens /upload directly
    gets the page file alone: no store preparation, the raw file list as menu. Ending the
    mode and rerunning sends the same URL through app.py's navigation instead.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_legacy_pages_mode()


def choose_language(scope: access.Scope | None = None) -> str:
    """The interface language for this run: the user's choice (remembered in the store per
    login), else the browser's. Called first thing on every run; `fragment` repeats it for
    the parts of a page that rerun alone (each rerun is a new thread)."""
    code = st.session_state.get("language")
    if code is None:
        login = scope.login if scope is not None else None
        with store.reader() as con:
            code = settings.user_language(con, login)
        code = code or i18n.from_browser(st.context.locale)
        st.session_state["language"] = code
    return i18n.set_language(code)


def language_picker(scope: access.Scope) -> None:
    """Русский / Қазақша / English in the sidebar; the choice is kept for the user."""
    def chosen():
        code = st.session_state["language_pick"]
        st.session_state["language"] = code
        with store.connect() as con:
            settings.save_user_language(con, scope.login, code)

    codes = list(i18n.LANGUAGES)
    st.session_state["language_pick"] = i18n.language()
    st.sidebar.selectbox(texts.LANGUAGE, codes, format_func=i18n.LANGUAGES.get,
                         key="language_pick", on_change=chosen)


def fragment(function=None, **options):
    """st.fragment that first sets the session's language: a fragment reruns on its own
    thread, without app.py."""
    if function is None:
        return lambda f: fragment(f, **options)

    @functools.wraps(function)
    def run(*args, **kwargs):
        i18n.set_language(st.session_state.get("language"))
        return function(*args, **kwargs)

    return st.fragment(run, **options)


LEVEL_COLOURS = {"ok": "#2e7d32", "watch": "#f9a825", "behind": "#c62828", None: "#9e9e9e"}


def plotly_layout(height: int, top: int = 10) -> dict:
    """The reader's number format (1 234,5 or 1,234.5), no wasted margins, one font."""
    return {"height": height, "separators": i18n.chart_separators(), "margin": {"l": 10, "r": 40, "t": top, "b": 10},
            "legend": {"orientation": "h", "y": -0.15}, "font": {"size": 13},
            "plot_bgcolor": "white"}


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text) -> str:
    """Text from a file (a name, a header, a value) made inert in Markdown: every ASCII
    punctuation mark escaped, so `![t](http://x)` shows as written, not as an image or link."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def chart_label(text) -> str:
    """Text from a file made inert in a chart: Plotly draws `<a href>` and `<b>` in tick
    labels and legends, so `<`, `>` and `&` are escaped (Plotly shows the entities as text)."""
    return html.escape(str(texts.group_name(text)), quote=False)


def chart_labels(texts_) -> list[str]:
    return [chart_label(t) for t in texts_]


def documents_frame(docs: list[dict], symbol: str, keys: list[str]) -> pd.DataFrame:
    """The sales documents behind a fact (kpi.sales.documents) as a table: a CRM deal says
    so, a return is marked."""
    shown = {
        "doc_date": lambda d: i18n.date_time(d["doc_date"]),
        "document": lambda d: texts.SALES_DEAL.format(id=d["document"]) if d["deal"] else d["document"] or "",
        "client": lambda d: d["client"],
        "amount": lambda d: fmt_money(d["amount"], digits=2, currency=symbol),
        "is_return": lambda d: texts.SALES_RETURN if d["is_return"] or d["amount"] < 0 else ""}
    return pd.DataFrame([{texts.SALES_DOC_COLUMNS[k]: shown[k](d) for k in keys} for d in docs],
                        columns=[texts.SALES_DOC_COLUMNS[k] for k in keys])


def db() -> str:
    return str(store.db_path())


COOKIE = "kpi_session"  # set HttpOnly by server.py's sign-in route


def session_token() -> str | None:
    return st.context.cookies.get(COOKIE)


def current_scope() -> access.Scope:
    """The signed-in user's scope, kept for the pages of this run; with no users, the
    single user on this computer. Stops the run with a sign-in prompt when there is none."""
    if not access.any_users(db()):
        if not access.is_local(st.context.ip_address):
            st.error(texts.SINGLE_USER_REMOTE)
            st.stop()
        scope = access.ADMIN
    elif _identity_provider():  # OIDC (Keycloak, AD): its e-mail is the login
        if not st.user.is_logged_in:
            st.info(texts.SIGN_IN_NEEDED)
            st.button(texts.SIGN_IN_BUTTON, on_click=st.login, type="primary")
            st.stop()
        scope = _known(lambda: access.scope_of(db(), st.user.email))
    else:
        scope = access.session_scope(db(), session_token())
        if scope is None:
            st.info(texts.SIGN_IN_NEEDED)
            st.link_button(texts.SIGN_IN_LINK, "/api/signin", type="primary")
            st.stop()
    st.session_state.scope = scope
    return scope


def _identity_provider() -> bool:
    """Sign-in by the company's identity provider, when `.streamlit/secrets.toml` has an
    [auth] section (Streamlit's st.login); else our own passwords."""
    try:
        return "auth" in st.secrets
    except st.errors.StreamlitSecretNotFoundError:
        return False


def _known(find):
    try:
        return find()
    except access.Forbidden as e:
        st.error(str(e))
        st.stop()


def scope() -> access.Scope:
    """The scope app.py found for this run (a page never runs without app.py)."""
    found = st.session_state.get("scope")
    if found is None:
        st.stop()
    return found


def guard(area: str) -> None:
    """A page outside the user's role stops before it reads anything (the navigation does
    not offer it either, but a page must not rely on the menu). It also sets the language,
    for a page run on its own (a test, a page opened before app.py's run)."""
    choose_language(scope())
    if not scope().can(area):
        st.error(texts.FORBIDDEN.format(login=plain(scope().login), role=texts.ROLE_TITLES[scope().role]))
        st.stop()


def money_symbol() -> str:
    """₽ or ₸: the company's currency (kpi.settings), for every amount a page shows."""
    return engine("settings.symbol")


def data_version() -> tuple:
    with access.reader(db(), access.ADMIN) as con:
        return store.version(con)


def note_data_version() -> None:
    """Read once per full run (app.py) and after a page writes a setting: every engine call
    of the run, and of the fragments rerun after it, is keyed by it. Each reader opens the
    DuckDB file afresh (tens of milliseconds at three years), so a rerun should open none."""
    st.session_state["data_version"] = data_version()


# The engine functions a page may ask for, by name: the same ones the CLI calls.
_ENGINE_MODULES = ("funnel", "meetings", "overview", "receivables", "sales", "settings",
                   "forecast.attendance", "forecast.payments")
_ALIASES = {"overview": "overview.overview", "trend": "overview.trend"}


def _debt_report_key(report) -> tuple:
    """A debt report is fixed by its snapshot, date and edges (with the data version and the
    scope, which key every entry): hashing those instead of 300 managers' buckets and every
    client's excess saves a fifth of a second per call at 300 managers."""
    return report.snapshot, report.as_of, tuple(report.edges)


@st.cache_data(show_spinner=False, max_entries=512, hash_funcs={receivables.Report: _debt_report_key})
def cached(function_name: str, db_path: str, version: tuple, user: access.Scope, day: dt.date,
           *args, **kwargs):
    """A KPI engine answer, kept until the data or a setting changes (the `version`), per
    user scope and day (an open month's forecast moves with the date): a rerun for a widget
    re-queries nothing that did not change."""
    import importlib

    module, name = _ALIASES.get(function_name, function_name).rsplit(".", 1)
    if module not in _ENGINE_MODULES:
        raise ValueError(function_name)
    function = getattr(importlib.import_module(f"kpi.{module}"), name)
    with access.reader(db_path, user) as con:
        return function(con, *args, **kwargs)


def engine(function_name: str, *args, **kwargs):
    """`engine("sales.month_report", month, country=...)`: the function's answer through the
    signed-in user's scope, from the cache when nothing changed."""
    version = st.session_state.get("data_version")
    if version is None:
        note_data_version()
        version = st.session_state["data_version"]
    return cached(function_name, db(), version, scope(), dt.date.today(), *args, **kwargs)


def manager_search(key: str, rows: list[dict], teams: list[str], **find) -> list[dict] | None:
    """The search box (and, with several teams, the team filter) above a page's managers, and
    the rows it finds (kpi.sales.find matches; `find`: its name/team_of options), saying how
    many (or that it found nobody: then None, nothing to draw). Typing reruns only the
    fragment it sits in."""
    columns = st.columns([3, 2]) if len(teams) > 1 else [st.container()]
    text = columns[0].text_input(texts.FIND_MANAGER, key=f"{key}_find", type="search",
                                 placeholder=texts.FIND_PLACEHOLDER, live="300ms")
    chosen = columns[1].multiselect(texts.FIND_TEAMS, teams, key=f"{key}_teams",
                                    placeholder=texts.FIND_ALL_TEAMS, format_func=texts.group_name) if len(teams) > 1 else []
    found = sales.find(rows, text or "", chosen, **find)
    if not found:
        st.info(texts.FIND_NONE)
        return None
    if len(found) < len(rows):
        st.caption(texts.FOUND.format(n=len(found), total=len(rows)))
    return found


def month_picker(where, label: str, months: list, key: str):
    """The month chosen on one page stays chosen on the others and is in the URL
    (`?month=2026-10`), so a link opens on it; else the latest month that has begun."""
    wanted = st.session_state.get("chosen_month")
    try:
        wanted = dt.datetime.strptime(st.query_params.get("month", ""), "%Y-%m").date()
    except ValueError:
        pass
    default = wanted if wanted in months else calendar.default_month(months)
    month = where.selectbox(label, months, format_func=month_name, key=key, index=months.index(default))
    st.session_state["chosen_month"] = month
    st.query_params["month"] = f"{month:%Y-%m}"
    return month


def reader():
    """A read connection through the signed-in user's scope: what every page reads with."""
    return access.reader(db(), scope())


def sign_out_button(scope: access.Scope) -> None:
    if scope.login is None:
        st.sidebar.caption(texts.SINGLE_USER)
        return
    st.sidebar.caption(texts.SIGNED_IN_AS.format(login=plain(scope.login),
                                                 role=texts.ROLE_TITLES[scope.role]))
    if st.sidebar.button(texts.SIGN_OUT, key="sign_out"):
        access.sign_out(db(), session_token())
        st.logout() if _identity_provider() else st.rerun()
