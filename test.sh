#!/usr/bin/env bash
# Set up the virtual environment (once) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
exec .venv/bin/python -m pytest -q "$@"
