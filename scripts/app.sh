#!/usr/bin/env bash
# Install what the app needs (first run only takes a while), then serve the explorer on the sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "Starting the explorer: it prepares the opening views first (about 15 s), then open http://localhost:8501 (Ctrl+C stops it)." >&2
exec .venv/bin/python -m ui.serve "$@"  # imports the analysis stack before the server opens
