"""Content digests of input files, remembered across processes: the cache keys and the duplicate-file
check of the police reader hash each file once, not once per command.

A digest is kept under the file's full status (absolute path, size, inode, modification *and* change
times): writing to a file always changes its change time, which no one can set back, so an edit that
keeps the size and the modification time is still seen. The digests are kept in this process and in
``file-digests.json`` of the cache folder (:func:`..config.cache_dir`, a folder only this user may
write, since cached tables are trusted as input); a damaged or foreign file there is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path

__all__ = ["file_sha256", "remember_digests"]

_DIGESTS: dict[str, str] = {}
_DIGESTS_LOCK = threading.Lock()
_STATE = {"loaded": False, "new": False}
_MOST = 20_000
_FILE = "file-digests.json"


def _key(path: Path) -> str:
    info = os.stat(path)
    return f"{os.path.abspath(path)}|{info.st_size}|{info.st_ino}|{info.st_mtime_ns}|{info.st_ctime_ns}"


def _kept_file() -> Path:
    from ..config import cache_dir

    return cache_dir() / _FILE


def _load() -> None:
    """The digests kept by earlier processes (once per process; nothing when the file is unreadable)."""
    _STATE["loaded"] = True
    try:
        kept = json.loads(_kept_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(kept, dict):
        for key, digest in list(kept.items())[-_MOST:]:
            if isinstance(key, str) and isinstance(digest, str) and len(digest) == 64:
                _DIGESTS.setdefault(key, digest)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (read only when its status is new to this process and the cache)."""
    key = _key(path)
    with _DIGESTS_LOCK:
        if not _STATE["loaded"]:
            _load()
        known = _DIGESTS.get(key)
    if known is not None:
        return known
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    with _DIGESTS_LOCK:
        if len(_DIGESTS) >= _MOST:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
        _STATE["new"] = True
    return digest


def remember_digests() -> None:
    """Keep the digests worked out since the last call for later processes (a best effort: a cache folder
    that cannot be written only means the next process hashes again)."""
    from ..base.atomic import write_atomically
    from ..errors import OutputError

    with _DIGESTS_LOCK:
        if not _STATE["new"]:
            return
        body = json.dumps(dict(list(_DIGESTS.items())[-_MOST:]), separators=(",", ":"))
        _STATE["new"] = False
    with contextlib.suppress(OutputError):
        write_atomically(_kept_file(), body.encode("utf-8"))
