"""Manifests: what each fetched source holds, where it came from, when, under which licence.

One ``manifest.json`` per source folder: ``{"source", "url", "licence", "retrieved_at", "period",
"files": [{"path", "bytes", "sha256", "period"}]}``. Written atomically, like the data files, so an
interrupted fetch never leaves a half-written manifest or file behind.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..base.atomic import write_atomically

__all__ = ["file_entry", "now_iso", "read_manifest", "source_status", "write_manifest"]

MANIFEST = "manifest.json"


def file_entry(path: Path, root: Path, **extra: Any) -> dict[str, Any]:
    data = path.read_bytes()
    return {"path": str(path.relative_to(root)), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} | extra


def read_manifest(folder: Path) -> dict[str, Any] | None:
    path = Path(folder) / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write (replace) a folder's manifest, stamped with the time of this write."""
    manifest = dict(manifest) | {"retrieved_at": now_iso()}
    return write_atomically(Path(folder) / MANIFEST, json.dumps(manifest, indent=2).encode())


def source_status(folders: list[Path]) -> list[dict[str, Any]]:
    """One row per fetched source found: source, period, retrieved at, age in days, licence, files."""
    rows = []
    now = datetime.now(UTC)
    for folder in folders:
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        retrieved = manifest.get("retrieved_at")
        try:
            age = (now - datetime.fromisoformat(retrieved)).days if retrieved else None
        except ValueError:
            age = None
        rows.append(
            {
                "source": manifest.get("source", folder.name),
                "folder": str(folder),
                "period": manifest.get("period", ""),
                "retrieved_at": retrieved,
                "age_days": age,
                "licence": manifest.get("licence", ""),
                "files": len(manifest.get("files", [])),
                "url": manifest.get("url", ""),
            }
        )
    return rows
