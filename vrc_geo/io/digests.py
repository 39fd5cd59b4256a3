"""Content digests of input files, remembered per process: the cache keys and the duplicate-file check
of the police reader hash each file once."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

__all__ = ["file_sha256"]

_DIGESTS: dict[tuple, str] = {}
_DIGESTS_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes. Remembered in this process by the file's full status (path, size,
    inode, modification *and* change times): writing to a file always changes its change time, which no
    one can set back, so an edit that keeps the size and the modification time is still seen."""
    info = os.stat(path)
    key = (str(Path(path).resolve()), info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(key)
    if known is not None:
        return known
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    with _DIGESTS_LOCK:
        if len(_DIGESTS) > 20_000:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return digest
