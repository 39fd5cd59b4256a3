"""A careful HTTP client for the official services: timeouts, retries with backoff, a rate limit.

* every request has a (connect, read) timeout;
* dropped connections, timeouts, HTTP 429 and 5xx answers are retried ``retries`` times with exponential
  backoff (``backoff_s`` x 2^attempt, honouring ``Retry-After``), except the statuses a caller wants to
  handle itself (the police API's 503 for an oversized polygon);
* requests are spaced so that no more than ``max_per_s`` start in any second (data.police.uk asks for
  under 15 a second), and a 429 answer halves that rate for the rest of the run;
* a service that stays unreachable raises :class:`ServiceError` with a message naming it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Collection, Mapping
from typing import Any

import requests

from ..errors import ServiceError

__all__ = ["Client"]

USER_AGENT = "vrc-geo (Kent Violence Reduction Challenge hotspot explorer)"
_RETRY_STATUS = {429, 500, 502, 503, 504}


class Client:
    """HTTP GET/POST with the rules above. ``passthrough`` statuses are returned, not retried."""

    def __init__(
        self,
        *,
        timeout_s: float = 30.0,
        retries: int = 4,
        backoff_s: float = 1.0,
        max_per_s: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_per_s = max_per_s
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.requests_made = 0

    def _wait_turn(self) -> None:
        if self.max_per_s <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + 1.0 / self.max_per_s
        if start > now:
            time.sleep(start - now)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        passthrough: Collection[int] = (),
        what: str = "the service",
    ) -> requests.Response:
        """One request with retries; returns a response whose status is 2xx or in ``passthrough``."""
        last: str = ""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.requests_made += 1
            try:
                response = self.session.request(
                    method, url, params=params, data=data, timeout=(min(10.0, self.timeout_s), self.timeout_s)
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                last = f"{type(exc).__name__}: {str(exc)[:160]}"
                self._sleep(attempt, None)
                continue
            if response.status_code in passthrough or 200 <= response.status_code < 300:
                return response
            if response.status_code in _RETRY_STATUS:
                last = f"HTTP {response.status_code}"
                if response.status_code == 429 and self.max_per_s > 1:
                    self.max_per_s = max(1.0, self.max_per_s / 2)  # told to slow down: stay slower
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            raise ServiceError(f"{what} refused the request (HTTP {response.status_code}) at {response.url}.")
        raise ServiceError(
            f"Could not reach {what} after {self.retries + 1} attempts ({last}). Check the network (or the "
            "--*-url option for a mirror); data already on disk is unchanged."
        )

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        if attempt >= self.retries:
            return
        delay = self.backoff_s * (2**attempt)
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, float(retry_after))
        time.sleep(min(delay, 60.0))

    def get_json(self, url: str, *, params: Mapping[str, Any] | None = None, what: str = "the service") -> Any:
        response = self.request("GET", url, params=params, what=what)
        try:
            return response.json()
        except ValueError as exc:
            raise ServiceError(f"{what} answered with something that is not JSON ({url}).") from exc
