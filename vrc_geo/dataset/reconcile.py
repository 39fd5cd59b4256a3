"""Account for every input row: in a ward, outside the area, without location, or rejected (why).

``rows_read == in_area + outside_area + no_location + sum(rejected.values())`` always holds; building a
:class:`Reconciliation` that breaks it raises, because a silent loss would be a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..reference.area import AREA
from ..reference.taxonomy import ASB

__all__ = ["Reconciliation", "RowAccount", "reconcile"]


@dataclass(frozen=True)
class RowAccount:
    """Where every row of one input went; building one that does not balance raises."""

    rows_read: int
    in_area: int
    outside_area: int
    no_location: int
    rejected: dict[str, int]

    def __post_init__(self) -> None:
        total = self.in_area + self.outside_area + self.no_location + sum(self.rejected.values())
        if total != self.rows_read:
            raise RuntimeError(f"Reconciliation does not balance: {total} != {self.rows_read}")

    @property
    def rejected_total(self) -> int:
        return int(sum(self.rejected.values()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready summary (integers only, reason -> count for rejections)."""
        return {
            "rows_read": self.rows_read,
            "in_area": self.in_area,
            "outside_area": self.outside_area,
            "no_location": self.no_location,
            "rejected": dict(self.rejected),
        }

    def table(self, *, in_area_label: str = "In a ward") -> pd.DataFrame:
        """One row per outcome, for display: ``outcome, rows, share``."""
        rows = [
            (in_area_label, self.in_area),
            (f"Outside {AREA.name}", self.outside_area),
            ("No location", self.no_location),
        ]
        rows += [(f"Rejected: {reason}", n) for reason, n in sorted(self.rejected.items())]
        rows.append(("Rows read", self.rows_read))
        frame = pd.DataFrame(rows, columns=["outcome", "rows"])
        frame["share"] = frame["rows"] / max(self.rows_read, 1)
        return frame


@dataclass(frozen=True)
class Reconciliation(RowAccount):
    """Row accounting for one police load; ``by_file`` and ``by_month`` break the same numbers down."""

    in_area_crimes: int = 0
    in_area_asb: int = 0
    placement: dict[str, int] = field(default_factory=dict)
    by_file: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    by_month: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return super().to_dict() | {
            "in_area_crimes": self.in_area_crimes,
            "in_area_asb": self.in_area_asb,
            "placement": dict(self.placement),
        }


def reconcile(records: pd.DataFrame, rejects: pd.DataFrame, files: pd.DataFrame) -> Reconciliation:
    """Count placed records (with ``status``, ``placement``) and rejects against rows read per file."""
    status = records["status"].value_counts()
    rejected = rejects["reason"].value_counts().sort_index()
    in_area = (records["status"] == "in_area").to_numpy()
    asb = (records["crime_type"] == ASB).to_numpy()
    by_file = _by_file(records, rejects, files)
    by_month = _crosstab(records, "month")
    by_month["rows"] = by_month.sum(axis=1)
    placement = records["placement"].value_counts()
    placement = placement[placement > 0]
    return Reconciliation(
        rows_read=int(files["rows_read"].sum()) if len(files) else 0,
        in_area=int(status.get("in_area", 0)),
        outside_area=int(status.get("outside_area", 0)),
        no_location=int(status.get("no_location", 0)),
        rejected={str(k): int(v) for k, v in rejected.items()},
        in_area_crimes=int((in_area & ~asb).sum()),
        in_area_asb=int((in_area & asb).sum()),
        placement={str(k): int(v) for k, v in placement.items()},
        by_file=by_file,
        by_month=by_month.reset_index(),
    )


_STATUSES = ["in_area", "outside_area", "no_location"]


def _crosstab(records: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rows per value of ``by`` and status (categoricals grouped without string conversion)."""
    table = records.groupby([by, "status"], observed=True).size().unstack(fill_value=0)
    table = table.reindex(columns=_STATUSES, fill_value=0).astype("int64")
    table.index = table.index.astype(str)
    table.columns = [str(c) for c in table.columns]
    table.index.name = by
    return table


def _by_file(records: pd.DataFrame, rejects: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    per = _crosstab(records, "source_file")
    rej = rejects.groupby("source_file").size().rename("rejected")
    out = files.set_index("file")[["rows_read", "encoding"]].join(per).join(rej).fillna(0)
    for col in ["rows_read", "in_area", "outside_area", "no_location", "rejected"]:
        out[col] = out[col].astype("int64")
    return out.reset_index()
