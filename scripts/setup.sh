#!/usr/bin/env bash
# Create the project's virtual environment (.venv) and install the pinned requirements into it.
# With --browser, also install Debian's Chromium (for the real-browser test) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
    $sudo_cmd apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
      || { $sudo_cmd apt-get update -q >/dev/null 2>&1 && $sudo_cmd apt-get install -y -q chromium chromium-driver >/dev/null; } \
      || echo "warning: could not install Chromium; the browser test will say so" >&2
  else
    echo "warning: no apt-get; install Chromium at /usr/bin/chromium for the browser test" >&2
  fi
fi
