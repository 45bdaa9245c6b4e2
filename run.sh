#!/usr/bin/env bash
# Set up (once) and start the app; an empty store is filled with the sample company.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
exec .venv/bin/streamlit run app.py --server.address "${HOST:-0.0.0.0}" --server.port "${PORT:-8501}" "$@"
