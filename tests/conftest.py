import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def store_file(tmp_path, monkeypatch):
    """Every test gets its own empty store; nothing touches var/kpi.duckdb."""
    path = tmp_path / "kpi.duckdb"
    monkeypatch.setenv("KPI_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    yield
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
