"""The engine must not pull in the UI: the CLI and cron run without Streamlit."""

import subprocess
import sys

from tests.conftest import ROOT


def test_kpi_imports_no_streamlit():
    code = ("import sys, kpi.cli, kpi.importer, kpi.samples, kpi.store; "
            "sys.exit(1 if 'streamlit' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
