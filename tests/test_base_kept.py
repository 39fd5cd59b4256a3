"""KeptResults: each key built once while kept, the oldest dropped first, builds outside the lock."""

from __future__ import annotations

import threading

import pytest

from vrc_geo.base.kept import KeptResults


def test_a_key_is_built_once_and_the_oldest_goes_first():
    kept: KeptResults[int] = KeptResults(2)
    builds = []

    def build(value):
        return lambda: builds.append(value) or value * 10

    assert kept.get("a", build(1)) == 10
    assert kept.get("a", build(99)) == 10  # kept: not built again
    kept.get("b", build(2))
    kept.get("c", build(3))  # three keys, two kept: "a" (the oldest) goes
    assert len(kept) == 2
    assert kept.get("b", build(98)) == 20
    assert kept.get("a", build(4)) == 40
    assert builds == [1, 2, 3, 4]


def test_a_slow_build_does_not_hold_up_another_key():
    kept: KeptResults[str] = KeptResults(4)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "slow"

    worker = threading.Thread(target=kept.get, args=("slow", slow))
    worker.start()
    started.wait(5)
    assert kept.get("quick", lambda: "quick") == "quick"  # answered while the slow build is still running
    release.set()
    worker.join(5)
    assert kept.get("slow", lambda: "again") == "slow"


def test_threads_asking_for_one_key_at_once_share_one_build():
    kept: KeptResults[int] = KeptResults(4)
    builds, release = [], threading.Event()

    def build() -> int:
        builds.append(1)
        release.wait(5)
        return 7

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(kept.get("k", build))) for _ in range(3)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert answers == [7, 7, 7]
    assert builds == [1]


def test_a_failed_build_is_not_kept():
    kept: KeptResults[int] = KeptResults(4)

    def fail() -> int:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        kept.get("k", fail)
    assert kept.get("k", lambda: 3) == 3
