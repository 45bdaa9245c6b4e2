"""Entry point: navigation, and the sample company loaded into an empty store."""

import streamlit as st

from kpi import samples, store, texts

st.set_page_config(page_title=texts.APP_TITLE, page_icon=":material/monitoring:", layout="wide")


@st.cache_resource(show_spinner=False)
def _prepare_store(path: str) -> None:
    samples.load_once(path)


_prepare_store(str(store.db_path()))

pages = {
    texts.NAV_SECTIONS["kpi"]: [
        st.Page("pages/sales.py", title=texts.PAGE_TITLES["sales"], icon=":material/trending_up:", default=True),
        st.Page("pages/receivables.py", title=texts.PAGE_TITLES["receivables"], icon=":material/account_balance_wallet:"),
        st.Page("pages/meetings.py", title=texts.PAGE_TITLES["meetings"], icon=":material/handshake:"),
        st.Page("pages/hiring.py", title=texts.PAGE_TITLES["hiring"], icon=":material/group_add:"),
    ],
    texts.NAV_SECTIONS["data"]: [
        st.Page("pages/upload.py", title=texts.PAGE_TITLES["upload"], icon=":material/upload_file:"),
        st.Page("pages/history.py", title=texts.PAGE_TITLES["history"], icon=":material/history:"),
    ],
}
st.navigation(pages).run()
