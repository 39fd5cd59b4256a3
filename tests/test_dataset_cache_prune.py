"""The cache keeps what is used and clears what is not (``vrc_geo.dataset.cache_prune``): old stores and
tables go after a month unused, month parts with them unless a remaining store lists them, unfinished
writes after a day; what the current store uses and anything recent stays."""

from __future__ import annotations

import json
import os
import time

from conftest import police_row, write_police_csv

from vrc_geo.config import cache_dir, find_sources
from vrc_geo.dataset.cache import read_cache
from vrc_geo.dataset.cache_prune import PARTS, UNUSED_DAYS, prune_cache
from vrc_geo.dataset.store import load_police

DAY = 86_400


def _folder(path, *, days_old: float, parts: list[str] | None = None, now: float):
    path.mkdir(parents=True)
    meta = {"parts": [[name, f"{name}.csv"] for name in parts]} if parts is not None else {}
    (path / "meta.json").write_text(json.dumps(meta))
    stamp = now - days_old * DAY
    for target in (path / "meta.json", path):
        os.utime(target, (stamp, stamp))
    return path


def test_prune_removes_what_was_not_used_and_keeps_the_rest(tmp_path):
    now = time.time()
    old = UNUSED_DAYS + 5
    root = tmp_path / "cache"
    current = _folder(root / "police-current", days_old=old, parts=["p-now"], now=now)  # kept by name
    recent = _folder(root / "police-recent", days_old=2, parts=["p-recent-old"], now=now)
    stale = _folder(root / "police-stale", days_old=old, parts=["p-stale"], now=now)
    wards = _folder(root / "wards-stale", days_old=old, now=now)
    fresh_wards = _folder(root / "wards-fresh", days_old=1, now=now)
    parts = {
        name: _folder(root / PARTS / name, days_old=days, now=now)
        for name, days in [("p-now", old), ("p-recent-old", old), ("p-stale", old), ("p-orphan", old), ("p-new", 3)]
    }
    unfinished = _folder(root / ".police-abc-tmp", days_old=2, now=now)
    writing = _folder(root / PARTS / ".p-being-written", days_old=0.01, now=now)
    (root / "file-digests.json").write_text("{}")
    other = _folder(root / "notes", days_old=old, now=now)  # not the cache's own: never touched

    removed = prune_cache(root, keep=[current], now=now)

    assert sorted(p.name for p in removed) == sorted(
        ["police-stale", "wards-stale", "p-stale", "p-orphan", ".police-abc-tmp"]
    )
    for path in (current, recent, fresh_wards, parts["p-now"], parts["p-recent-old"], parts["p-new"], writing, other):
        assert path.is_dir(), path
    for path in (stale, wards, parts["p-stale"], parts["p-orphan"], unfinished):
        assert not path.exists(), path
    assert (root / "file-digests.json").is_file()


def test_prune_of_a_missing_or_empty_cache_removes_nothing(tmp_path):
    assert prune_cache(tmp_path / "not-there") == []
    (tmp_path / "empty").mkdir()
    assert prune_cache(tmp_path / "empty") == []


def test_a_store_with_unreadable_meta_lists_no_parts_but_is_kept_while_recent(tmp_path):
    now = time.time()
    root = tmp_path / "cache"
    store = _folder(root / "police-damaged", days_old=1, now=now)
    (store / "meta.json").write_text("{not json")
    part = _folder(root / PARTS / "p", days_old=UNUSED_DAYS + 1, now=now)
    prune_cache(root, now=now)
    assert store.is_dir() and not part.exists()


def test_reading_a_cached_folder_marks_it_used(tmp_path):
    folder = _folder(tmp_path / "police-x", days_old=UNUSED_DAYS + 1, now=time.time())
    assert read_cache(folder, lambda: "read", []) == "read"
    assert time.time() - (folder / "meta.json").stat().st_mtime < 60
    assert prune_cache(tmp_path) == []


def test_a_refreshed_month_leaves_its_old_store_and_part_to_be_cleared(tmp_path, tiny_wards, monkeypatch):
    """police.uk re-publishes a month: the old file's part and store stay until unused for a month."""
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "police_uk" / "2022-01" / "2022-01-kent-street.csv"
    write_police_csv(path, [police_row(crime_id="a" * 64, x=575500, y=155500)])
    sources = find_sources(crimes=[str(path)], boundaries=tiny_wards)
    first = load_police(sources)
    old_parts = set(os.listdir(cache_dir() / PARTS))
    long_ago = time.time() - (UNUSED_DAYS + 2) * DAY
    for folder in [first.folder, *(cache_dir() / PARTS / name for name in old_parts)]:
        for target in (folder / "meta.json", folder):
            os.utime(target, (long_ago, long_ago))

    write_police_csv(path, [police_row(crime_id="b" * 64, x=575500, y=155600)])  # the refreshed file
    second = load_police(find_sources(crimes=[str(path)], boundaries=tiny_wards))

    assert second.folder != first.folder and second.folder.is_dir()
    assert not first.folder.exists()
    new_parts = set(os.listdir(cache_dir() / PARTS))
    assert new_parts and not (new_parts & old_parts)
    again = load_police(find_sources(crimes=[str(path)], boundaries=tiny_wards))
    assert again.from_cache and len(again.records) == len(second.records) == 1
