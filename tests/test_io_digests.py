"""File digests: right, remembered across processes, and never stale after an edit."""

from __future__ import annotations

import hashlib
import os

import pytest

from vrc_geo.io import digests


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A new process's view: nothing remembered in memory, a cache folder of its own."""
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(digests, "_DIGESTS", {})
    monkeypatch.setattr(digests, "_STATE", {"loaded": False, "new": False})
    return tmp_path


def _restart(monkeypatch):
    monkeypatch.setattr(digests, "_DIGESTS", {})
    monkeypatch.setattr(digests, "_STATE", {"loaded": False, "new": False})


def _count_reads(monkeypatch) -> list[int]:
    reads = []
    real = hashlib.file_digest

    def counting(handle, name):
        reads.append(1)
        return real(handle, name)

    monkeypatch.setattr(digests.hashlib, "file_digest", counting)
    return reads


def test_a_later_process_does_not_read_the_file_again(fresh, monkeypatch):
    path = fresh / "2022-01-kent-street.csv"
    path.write_bytes(b"Crime ID,Month\n1,2022-01\n")
    assert digests.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    digests.remember_digests()
    _restart(monkeypatch)
    reads = _count_reads(monkeypatch)
    assert digests.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert reads == []


def test_an_edit_that_keeps_size_and_time_is_seen(fresh, monkeypatch):
    path = fresh / "f.csv"
    path.write_bytes(b"aaaa")
    before = os.stat(path)
    first = digests.file_sha256(path)
    digests.remember_digests()
    path.write_bytes(b"bbbb")  # same size; the modification time set back, the change time moves on
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    _restart(monkeypatch)
    assert digests.file_sha256(path) == hashlib.sha256(b"bbbb").hexdigest() != first


@pytest.mark.parametrize("text", ["not json", '["a list"]', '{"k": 5}', '{"k": "short"}'])
def test_a_damaged_digest_file_is_ignored(fresh, monkeypatch, text):
    path = fresh / "f.csv"
    path.write_bytes(b"x")
    digests.file_sha256(path)
    digests.remember_digests()
    kept = fresh / "cache" / "file-digests.json"
    kept.write_text(text)
    _restart(monkeypatch)
    reads = _count_reads(monkeypatch)
    assert digests.file_sha256(path) == hashlib.sha256(b"x").hexdigest()
    assert reads == [1]
    digests.remember_digests()  # and it is written anew
    assert str(path) in kept.read_text()
