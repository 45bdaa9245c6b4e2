#!/usr/bin/env bash
# Set up (once) and start the app; an empty store is filled with the sample company.
# With no users the app listens on this computer only (single-user mode); once users exist
# (python -m kpi user add ...) it listens on every interface and asks them to sign in.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
address="${HOST:-$(.venv/bin/python -c 'from kpi import access; print(access.listen_address())')}"
exec .venv/bin/streamlit run server.py --server.address "$address" --server.port "${PORT:-8501}" "$@"
