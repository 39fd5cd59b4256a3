"""police.uk redraws its map of snap points from time to time: line the old ones up with the current set.

Every police.uk record is moved to a snap point, and police.uk replaces its set of snap points now and
then (on the sample, in July 2022: docs/methods/snap-epochs.md gives the figures). A method that counts
records per snap point then sees every busy place of the earlier map go quiet and a new one start beside
it.

:func:`align_snap_epochs` finds such changes and lines the history up:

* a month opens a new *epoch* when the share of its records at coordinates used in earlier months falls
  below ``drop`` (half) of what is usual for the selection (the median over its months), where the data
  usually reuse their snap points (a median of at least 30 %) and the month has at least 100 records:
  a sudden collapse, not the steady trickle of new places, nor sparse data where every record is new;
* a record of an earlier epoch is moved to the nearest snap point of the latest epoch within
  ``resnap_m`` (150 m); a record with none that close keeps its coordinates (a place the new map does
  not cover).

Nothing is moved when there is one epoch. The records themselves are not changed (footprints still
count the records where police.uk put them); only the snap point a record counts towards in the
micro-place estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ...base.months import month_words
from ...base.params import Param, validate_params

__all__ = ["SnapEpochs", "align_snap_epochs", "find_epochs", "resnap"]

_PARAMS = {"resnap_m": Param(low=0, high=2000), "drop": Param(low=0, high=1, low_inclusive=False)}
_USUAL_REUSE = 0.3  # below this median reuse, snap points are too sparse to tell a change
_MIN_RECORDS = 100


@dataclass(frozen=True)
class SnapEpochs:
    """The months that opened a new snap-point epoch, and how many records were moved."""

    starts: tuple[str, ...]
    moved: int
    kept: int

    def describe(self) -> str:
        if not self.starts:
            return "One snap-point map throughout."
        when = ", ".join(month_words(m) for m in self.starts)
        return (
            f"police.uk changed its snap points in {when}: {self.moved:,} earlier records were "
            f"counted at the nearest current snap point (within the re-snapping distance), {self.kept:,} kept theirs."
        )


def find_epochs(
    x: np.ndarray, y: np.ndarray, month: np.ndarray, months: list[str], *, drop: float = 0.5
) -> tuple[tuple[str, ...], np.ndarray]:
    """The months that opened a new epoch, and the snap points (n, 2) used since the latest one."""
    validate_params({"resnap_m": 0.0, "drop": drop}, _PARAMS)
    frame = pd.DataFrame({"x": np.asarray(x, dtype="float64"), "y": np.asarray(y, dtype="float64")})
    frame["m"] = np.asarray(month).astype(str)
    order = {m: i for i, m in enumerate(months)}
    frame["i"] = frame["m"].map(order).fillna(-1).astype(np.int64)
    frame["first"] = frame.groupby(["x", "y"], sort=False)["i"].transform("min")
    later = frame[frame["i"] > frame["i"].min()] if len(frame) else frame
    per_month = (later["first"] < later["i"]).groupby(later["m"]).agg(["mean", "size"])
    usual = float(per_month["mean"].median()) if len(per_month) else 0.0
    starts = tuple(
        m
        for m in months
        if m in per_month.index
        and usual >= _USUAL_REUSE
        and per_month.at[m, "size"] >= _MIN_RECORDS
        and per_month.at[m, "mean"] < drop * usual
    )
    current = frame[frame["m"] >= starts[-1]] if starts else frame.iloc[:0]
    return starts, current[["x", "y"]].drop_duplicates().to_numpy()


def resnap(
    x: np.ndarray,
    y: np.ndarray,
    month: np.ndarray,
    starts: tuple[str, ...],
    current: np.ndarray,
    *,
    resnap_m: float = 150.0,
) -> tuple[np.ndarray, np.ndarray, SnapEpochs]:
    """Move records from before the latest epoch to the nearest ``current`` snap point within
    ``resnap_m`` (see the module docstring)."""
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    month = np.asarray(month).astype(str)
    if not starts or resnap_m == 0 or len(x) == 0 or len(current) == 0:
        return x, y, SnapEpochs(tuple(starts), 0, 0)
    old = month < starts[-1]
    out_x, out_y = x.copy(), y.copy()
    if not old.any():
        return out_x, out_y, SnapEpochs(tuple(starts), 0, 0)
    dist, nearest = cKDTree(current).query(np.column_stack([x[old], y[old]]), k=1)
    close = dist <= resnap_m
    idx = np.flatnonzero(old)[close]
    out_x[idx], out_y[idx] = current[nearest[close], 0], current[nearest[close], 1]
    return out_x, out_y, SnapEpochs(tuple(starts), int(close.sum()), int((~close).sum()))


def align_snap_epochs(
    x: np.ndarray,
    y: np.ndarray,
    month: np.ndarray,
    months: list[str],
    *,
    resnap_m: float = 150.0,
    drop: float = 0.5,
    reference: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, SnapEpochs]:
    """(x, y) with earlier epochs' records moved to the latest epoch's nearest snap point, and the
    epochs found. ``reference`` (x, y, month of every crime record, any type) decides the epochs and
    the current snap points; by default the records given are used."""
    validate_params({"resnap_m": resnap_m, "drop": drop}, _PARAMS)
    where = (x, y, month) if reference is None else reference
    starts, current = find_epochs(*where, months, drop=drop)
    return resnap(x, y, month, starts, current, resnap_m=resnap_m)
