"""The KPI engine: reading exports, validating, storing in DuckDB and the KPI queries.

Nothing in this package imports Streamlit: the pages and the CLI are two faces of it.
"""
