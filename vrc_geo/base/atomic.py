"""Atomic file writes: a temporary file in the same folder, renamed over the target when complete.

An interrupted or failing write never leaves a half-written file where a good one was (used by the
exports, the fetchers and their manifests). The file gets the permissions the user's umask gives a new
file (or keeps those of the file it replaces); a file that belongs to another user is never replaced.
Anything that stops the write — a folder where the file should be, a full disk, no permission — is an
:class:`~vrc_geo.errors.OutputError` naming the path and the reason, not a traceback.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import OutputError

__all__ = ["write_atomically"]


def _process_umask() -> int:
    """This process's umask, read without changing it where the system tells it (Linux), else set back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _process_umask()  # read once, at import (in the main thread)


def write_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` all at once (creating folders); returns the path."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"Cannot write {path}: it is a folder. Give a file name (e.g. {path / 'out.csv'}).")
    mode = 0o666 & ~_UMASK
    if path.exists():
        info = path.stat()
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise OutputError(f"Not replacing {path}: it belongs to another user. Write to a file of your own.")
        mode = stat.S_IMODE(info.st_mode)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}. Nothing was changed.") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
