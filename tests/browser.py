"""Serve the app and drive it in Debian's headless Chromium (shared by the browser test and benchmark)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedApp(str):
    """The app's URL, with the server's process id and log file."""

    pid: int
    log: Path


@contextmanager
def served_app(
    env: dict[str, str] | None = None,
    timeout_s: float = 180,
    *,
    args: tuple[str, ...] = (),
    port: int | None = None,
    entry: str = "serve",
) -> Iterator[ServedApp]:
    """The app headless on a free localhost port (or ``port``), with extra Streamlit ``args``; yields its URL.

    ``entry="serve"`` starts it as deployed (``python -m ui.serve``: imports first, then the server);
    ``entry="streamlit"`` as ``streamlit run app.py``."""
    port = port or free_port()
    start = ["-m", "ui.serve"] if entry == "serve" else ["-m", "streamlit", "run", str(ROOT / "app.py")]
    cmd = [
        sys.executable,
        *start,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        *args,
    ]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / f"streamlit-{port}.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = ServedApp(f"http://127.0.0.1:{port}")
    url.pid, url.log = proc.pid, Path(log.name)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log.name}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium() -> Iterator[object]:
    """A Playwright browser on Debian's Chromium (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


MAP = "[data-testid='stDeckGlJsonChart'] canvas"
EXCEPTION = "[data-testid='stException']"
