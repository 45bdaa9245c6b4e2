#!/usr/bin/env bash
# Create .venv with the pinned requirements; a no-op when they are already installed.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt > .venv/pip.log 2>&1; then
    grep -v "^WARNING: Location" .venv/pip.log >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
