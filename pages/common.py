"""Small pieces several pages share: the store path and the placeholder of a coming page."""

import datetime as dt

import streamlit as st

from kpi import store, texts


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


LEVEL_COLOURS = {"ok": "#2e7d32", "watch": "#f9a825", "behind": "#c62828", None: "#9e9e9e"}


def plotly_layout(height: int, top: int = 10) -> dict:
    """Russian number format (1 234,5), no wasted margins, one font."""
    return {"height": height, "separators": ", ", "margin": {"l": 10, "r": 40, "t": top, "b": 10},
            "legend": {"orientation": "h", "y": -0.15}, "font": {"size": 13},
            "plot_bgcolor": "white"}


def db() -> str:
    return str(store.db_path())


def period_text(first: dt.date, last: dt.date) -> str:
    return f"{first:%d.%m.%Y} – {last:%d.%m.%Y}"


def coming_soon(page: str, kinds: list[str]) -> None:
    """A KPI page not built yet: say so, and show that its data is already in."""
    st.title(texts.PAGE_TITLES[page])
    with store.reader(db()) as con:
        cover = store.coverage(con)
    present = [k for k in kinds if k in cover]
    if not present:
        st.info(texts.NO_DATA_FOR_PAGE)
        return
    st.info(texts.COMING_SOON)
    for kind in present:
        c = cover[kind]
        st.markdown("- " + texts.COVERAGE_LINE.format(
            title=texts.KIND_TITLES[kind], rows=c["rows"], period=period_text(c["from"], c["to"])))
