"""Uploaded files: one private temporary folder per session, each upload written once, removed at the end.

Streamlit keeps an upload in memory; the readers want paths. Files are written under
``<temp>/vrc_uploads/<server pid>-<random>/`` (mode 700) the first time a set of files is seen (keyed by
their names and bytes, so a rerun does not write them again). The folder belongs to the session: it is a
session-scoped resource whose release (the session ends or disconnects) deletes it. Folders left by a
server that was killed are swept when the next server starts.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from vrc_geo.errors import InputFileError

__all__ = ["UPLOAD_ROOT", "SessionUploads", "safe_name", "session_uploads", "sweep_orphans"]

UPLOAD_ROOT = Path(tempfile.gettempdir()) / "vrc_uploads"
#: All the files of one upload together (each file is also capped by server.maxUploadSize, 64 MB).
UPLOAD_LIMIT_BYTES = 256 * 2**20


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder or hide: letters, digits, ``.-_`` only."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", Path(str(name).replace("\\", "/")).name).lstrip(".")
    return base[-120:] or "upload"


class SessionUploads:
    """This session's upload folder, the files saved in it and what was learnt from them."""

    def __init__(self) -> None:
        UPLOAD_ROOT.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=UPLOAD_ROOT))
        self.results: dict[str, Any] = {}
        self._saved: dict[str, list[Path]] = {}
        self._lock = threading.Lock()

    def save(self, files: list[Any]) -> tuple[str, list[Path]]:
        """(digest, paths) of uploaded files (objects with ``name`` and ``getvalue()``), written once. More
        than :data:`UPLOAD_LIMIT_BYTES` together is refused before anything is written or read."""
        total = sum(len(f.getvalue()) for f in files)
        if total > UPLOAD_LIMIT_BYTES:
            raise InputFileError(
                f"These {len(files)} files are {total / 2**20:,.0f} MiB together, over the "
                f"{UPLOAD_LIMIT_BYTES // 2**20} MiB an upload may hold: remove some (a year of police.uk months "
                "is about 45 MB), or ask your analyst to load larger data on the server."
            )
        digest = hashlib.sha256()
        for f in files:
            digest.update(f"{f.name}\0{len(f.getvalue())}\0".encode())
            digest.update(f.getvalue())
        key = digest.hexdigest()[:16]
        with self._lock:
            paths = self._saved.get(key)
            if paths is not None and all(p.exists() for p in paths):
                return key, paths
            batch = self.folder / key
            batch.mkdir(parents=True, exist_ok=True)
            paths, used = [], set()
            for f in files:
                name = safe_name(f.name)
                while name.lower() in used:  # two uploads of the same name keep both
                    name = f"copy_{name}"
                used.add(name.lower())
                path = batch / name
                path.write_bytes(f.getvalue())
                paths.append(path)
            self._saved[key] = paths
            return key, paths

    def shown(self, text: object) -> str:
        """Text for the screen with this session's folder left out: a path in it reads as the file's name
        (the server's temporary folders are nobody's business, and mean nothing to the reader)."""
        out = str(text)
        for batch in sorted(self.folder.glob("*"), key=lambda p: -len(str(p))):
            out = out.replace(str(batch) + os.sep, "")
        return out.replace(str(self.folder) + os.sep, "").replace(str(self.folder), "upload")

    def remove(self) -> None:
        """Delete the folder and forget what was in it."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self._saved.clear()
        self.results.clear()


@st.cache_resource(scope="session", on_release=SessionUploads.remove, show_spinner=False)
def session_uploads() -> SessionUploads:
    """This session's uploads (created on first use, removed when the session ends)."""
    return SessionUploads()


def sweep_orphans() -> int:
    """Remove upload folders of servers that are no longer running; returns how many were removed."""
    removed = 0
    if not UPLOAD_ROOT.is_dir():
        return removed
    for folder in UPLOAD_ROOT.iterdir():
        pid = folder.name.split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        except OSError:
            pass  # alive but not ours (permission): leave it
    return removed


sweep_orphans()
