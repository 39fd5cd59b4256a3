"""Results kept between calls, by key, the latest few (:class:`KeptResults`).

Some hotspot statistics read the same way whatever the months or districts chosen — a period's ward
statistics, the sites of every month, the neighbourhood weights of co-location, the ward contiguity
weights — and the app asks for them again on every new selection. Each is kept here under a key naming its
inputs, in a bounded, thread-safe store (app sessions run in threads of one process).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["KeptResults"]

T = TypeVar("T")


class KeptResults(Generic[T]):
    """The results of the ``most`` latest keys (the oldest kept is dropped first)."""

    def __init__(self, most: int) -> None:
        self.most = int(most)
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The result kept under ``key``, else ``build()`` kept under it. A key is built once however many
        threads ask for it at the same moment (the others wait for that build); a slow build never holds up
        other keys."""
        with self._lock:
            if key in self._items:
                return self._items[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                result = build()
                with self._lock:
                    self._items[key] = result
                    while len(self._items) > self.most:
                        self._items.popitem(last=False)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return result

    def __len__(self) -> int:
        return len(self._items)
