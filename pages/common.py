"""Small pieces every page shares: the store path, chart layout and colours, and the guard
that keeps a page from running without app.py."""

import re

import streamlit as st

from kpi import store


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


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text) -> str:
    """Text from a file (a name, a header, a value) made inert in Markdown: every ASCII
    punctuation mark escaped, so `![t](http://x)` shows as written, not as an image or link."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def db() -> str:
    return str(store.db_path())
