"""Entry point: who is signed in, the pages their role reaches, and the sample company
loaded into an empty store."""

import streamlit as st

from kpi import i18n, samples, store, texts
from pages.common import (choose_language, current_scope, language_picker, note_data_version,
                          sign_out_button)

# the language known so far (the browser's on a first visit), so even the title is in it
i18n.set_language(st.session_state.get("language") or i18n.from_browser(st.context.locale))
st.set_page_config(page_title=texts.APP_TITLE, page_icon=":material/monitoring:", layout="wide")


@st.cache_resource(show_spinner=False)
def _prepare_store(path: str) -> None:
    samples.load_once(path)


try:
    _prepare_store(str(store.db_path()))
    scope = current_scope()  # stops here with a sign-in prompt when nobody is signed in
    choose_language(scope)
    note_data_version()  # what this run's cached engine answers are keyed by
except (store.StoreBusy, store.StoreUnusable) as e:  # said in Russian, not Streamlit's English
    st.error(str(e))
    st.stop()

PAGES = {  # area -> (section, file, icon); an area outside the role is not even registered
    "overview": ("kpi", "pages/overview.py", ":material/dashboard:"),
    "manager": ("kpi", "pages/manager.py", ":material/person:"),
    "sales": ("kpi", "pages/sales.py", ":material/trending_up:"),
    "receivables": ("kpi", "pages/receivables.py", ":material/account_balance_wallet:"),
    "meetings": ("kpi", "pages/meetings.py", ":material/handshake:"),
    "hiring": ("kpi", "pages/hiring.py", ":material/group_add:"),
    "upload": ("data", "pages/upload.py", ":material/upload_file:"),
    "history": ("data", "pages/history.py", ":material/history:"),
}
pages: dict[str, list] = {}
for area, (section, path, icon) in PAGES.items():
    if scope.can(area):
        pages.setdefault(texts.NAV_SECTIONS[section], []).append(
            st.Page(path, title=texts.PAGE_TITLES[area], icon=icon, default=not pages))
language_picker(scope)
sign_out_button(scope)
try:
    st.navigation(pages).run()
except (store.StoreBusy, store.StoreUnusable) as e:
    st.error(str(e))
