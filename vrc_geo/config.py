"""Where data is found, and where processed tables are cached.

Search order for crime files and boundaries (first hit wins):

1. explicit flags (``--crimes``, ``--boundaries``, ``--data-dir``) or function arguments;
2. the environment: ``VRC_GEO_DATA_DIR`` (a data folder) and ``VRC_GEO_BOUNDARIES`` (a boundary file/folder);
3. the project's own ``data/`` (police.uk files) and ``boundaries/`` (ward files) folders;
4. the area profile's sample bundle (for Kent & Medway, ``../shared/data/kent`` beside the project).

A folder named by a flag or the environment is authoritative: if it holds no police.uk files, that is an
error, never a silent fall-back to the sample. Reference tables (populations, code look-ups, LSOA
boundaries) come from the chosen folder when it has them, else from the sample bundle.

A *data folder* holds police.uk files under ``police_uk/`` (or anywhere below it) and may hold
``boundaries/wards_<year>/`` plus reference tables (``population/``, ``lookups/``, ``boundaries/lsoa_2011``).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import DataNotFoundError
from .reference.area import AREA

__all__ = [
    "REPO_ROOT",
    "DataSources",
    "cache_dir",
    "find_crime_files",
    "find_sources",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_BUNDLE = AREA.bundle  # the area profile's sample bundle
ENV_DATA_DIR = "VRC_GEO_DATA_DIR"
ENV_BOUNDARIES = "VRC_GEO_BOUNDARIES"
ENV_CACHE_DIR = "VRC_GEO_CACHE_DIR"

BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet")
_CRIME_FILE = re.compile(r".*-street\.csv$", re.IGNORECASE)

HOW_TO_GET_DATA = (
    f"Download police.uk street-level crime for {AREA.force_name} from https://data.police.uk/data/ "
    "and unzip it into data/police_uk/, or run `python -m vrc_geo fetch`, or point the tool at a folder "
    f"with --data-dir or the {ENV_DATA_DIR} environment variable. Ward boundaries go in boundaries/ "
    "(ONS Open Geography Portal), or pass --boundaries."
)


#: A register of institutions found beside the crime files (or in the project's data/) is used by itself.
REGISTER_NAMES = ("institutions.csv", "institutions.xlsx")


@dataclass(frozen=True)
class DataSources:
    """Resolved inputs: crime files, a ward boundary file or folder, optional reference tables."""

    crimes: tuple[Path, ...]
    boundaries: Path
    reference: Path | None
    origin: str
    sites_register: Path | None = None  # institutions.csv / .xlsx kept by partners (io.site_register)
    #: data folders whose ``institutions/`` hold public registers (io.institutions), first wins a tie
    institution_dirs: tuple[Path, ...] = ()

    def describe(self) -> str:
        ref = str(self.reference) if self.reference else "none (no population or LSOA look-ups)"
        return (
            f"crime files: {len(self.crimes)} from {self.origin}; boundaries: {self.boundaries}; "
            f"reference tables: {ref}"
        )


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Folder for processed tables: ``VRC_GEO_CACHE_DIR``, else ``.cache/vrc_geo`` in the project; when
    that cannot be written, a folder of this user's own under the temporary directory. A folder owned by
    someone else, or one others may write to, is never used: cached tables are trusted as input."""
    env = os.environ if env is None else env
    folder = Path(env[ENV_CACHE_DIR]) if env.get(ENV_CACHE_DIR) else REPO_ROOT / ".cache" / "vrc_geo"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _trusted(folder):
            return folder
    except OSError:
        pass
    return _private_temp_cache()


def _trusted(folder: Path) -> bool:
    """Owned by this user and writable by nobody else (on systems with owners)."""
    if not hasattr(os, "getuid"):
        return True
    info = folder.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private_temp_cache() -> Path:
    """``<temp>/vrc_geo_cache-<user id>``, mode 700, created for this user; one planted by someone else (or
    left open to others) is passed over for a new private folder."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"vrc_geo_cache-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if _trusted(folder) and not folder.is_symlink():
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix=f"vrc_geo_cache-{uid}-"))


def find_crime_files(folder: Path) -> list[Path]:
    """police.uk street files and zips below a folder, in a stable order (boundaries excluded)."""
    root = folder / "police_uk" if (folder / "police_uk").is_dir() else folder
    found = []
    for path in sorted(root.rglob("*")):
        if "boundaries" in path.relative_to(root).parts or not path.is_file():
            continue
        if _CRIME_FILE.match(path.name) or path.suffix.lower() == ".zip":
            found.append(path)
    return found


def _has_boundaries(folder: Path) -> bool:
    return folder.is_dir() and any(
        p.suffix.lower() in BOUNDARY_SUFFIXES and p.name != "manifest.json" and not p.name.startswith(".")
        for p in folder.rglob("*")
        if p.is_file()
    )


def _ward_folder(data_dir: Path) -> Path | None:
    """The newest ``boundaries/wards_<year>`` folder of a data folder (or ``boundaries/`` itself)."""
    root = data_dir / "boundaries"
    if not root.is_dir():
        return None
    candidates = [p for p in root.iterdir() if p.is_dir() and p.name.lower().startswith("ward")]
    candidates = [p for p in candidates if _has_boundaries(p)]
    if candidates:

        def year(p: Path) -> int:
            digits = re.findall(r"\d{2,4}", p.name)
            return int(digits[-1][-2:]) if digits else -1

        return max(candidates, key=lambda p: (year(p), p.name))
    direct = [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in BOUNDARY_SUFFIXES]
    return root if direct else None


def _reference_dir(*candidates: Path | None) -> Path | None:
    for folder in candidates:
        if folder and ((folder / "population").is_dir() or (folder / "lookups").is_dir()):
            return folder
    return None


def find_sources(
    *,
    data_dir: str | Path | None = None,
    crimes: Sequence[str | Path] | None = None,
    boundaries: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    project_root: Path = REPO_ROOT,
    sample_bundle: Path = SAMPLE_BUNDLE,
) -> DataSources:
    """Resolve crime files, ward boundaries and reference tables by the documented search order."""
    env = os.environ if env is None else env
    # An explicit folder (flag, else environment) is authoritative: no silent fall-back to the sample.
    steps: list[tuple[str, Path]] = []
    if data_dir is not None:
        steps.append(("--data-dir", Path(data_dir)))
    elif env.get(ENV_DATA_DIR):
        steps.append((ENV_DATA_DIR, Path(env[ENV_DATA_DIR])))
    else:
        steps.append(("data/", project_root / "data"))
        steps.append(("sample bundle", sample_bundle))

    looked: list[str] = []
    crime_paths: list[Path] = []
    origin = ""
    chosen_dir: Path | None = None
    if crimes:
        crime_paths = [Path(c) for c in crimes]
        missing = [str(p) for p in crime_paths if not p.exists()]
        if missing:
            raise DataNotFoundError(f"Crime input not found: {', '.join(missing)}.")
        origin = "--crimes"
    else:
        for label, folder in steps:
            if label in {"--data-dir", ENV_DATA_DIR} and not folder.is_dir():
                raise DataNotFoundError(f"{label} points to {folder}, which is not a folder.")
            looked.append(f"{label} ({folder})")
            files = find_crime_files(folder) if folder.is_dir() else []
            if files:
                crime_paths, origin, chosen_dir = files, label, folder
                break
        if not crime_paths:
            raise DataNotFoundError(
                "No police.uk crime files found. Looked in: " + "; ".join(looked) + ". " + HOW_TO_GET_DATA
            )

    ward_path = _resolve_boundaries(
        boundaries, env, project_root, chosen_dir, [*steps, ("sample bundle", sample_bundle)]
    )
    reference = _reference_dir(chosen_dir, *(folder for _, folder in steps), sample_bundle)
    register = next(
        (
            folder / name
            for folder in (chosen_dir, project_root / "data")
            if folder is not None
            for name in REGISTER_NAMES
            if (folder / name).is_file()
        ),
        None,
    )
    public = tuple(
        dict.fromkeys(f for f in (chosen_dir, project_root / "data", reference) if f is not None and f.is_dir())
    )
    return DataSources(tuple(crime_paths), ward_path, reference, origin, register, public)


def _resolve_boundaries(
    boundaries: str | Path | None,
    env: Mapping[str, str],
    project_root: Path,
    chosen_dir: Path | None,
    steps: list[tuple[str, Path]],
) -> Path:
    if boundaries is not None:
        path = Path(boundaries)
        if not path.exists():
            raise DataNotFoundError(f"Boundary file or folder not found: {path}.")
        return path
    if env.get(ENV_BOUNDARIES):
        path = Path(env[ENV_BOUNDARIES])
        if not path.exists():
            raise DataNotFoundError(f"{ENV_BOUNDARIES} points to {path}, which does not exist.")
        return path
    own = project_root / "boundaries"
    if (own_wards := _ward_folder(project_root)) is not None:
        return own_wards
    if _has_boundaries(own):
        return own
    for folder in [chosen_dir, *(f for _, f in steps)]:
        if folder is not None and folder.is_dir() and (found := _ward_folder(folder)) is not None:
            return found
    raise DataNotFoundError("No ward boundaries found (looked in boundaries/ and the data folders). " + HOW_TO_GET_DATA)
