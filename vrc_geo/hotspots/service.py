"""One call for the faces: hotspots for a selection, with their backtest and files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shapely

from ..aggregate import Selection, select_records
from ..errors import ParameterError
from .backtest import BacktestResult, hotspot_backtest
from .rank import VIOLENCE_GROUP, HotspotResult, find_hotspots
from .report import hotspot_file_bytes

if TYPE_CHECKING:
    from ..store import PoliceDataset

__all__ = ["HotspotBundle", "hotspots_for"]


@dataclass
class HotspotBundle:
    """Ranked hotspots, their backtest (or ``None`` when the period is too short) and notes."""

    result: HotspotResult
    backtest: BacktestResult | None
    dataset: PoliceDataset
    notes: list[str] = field(default_factory=list)

    _files: dict[tuple[str, int | None], bytes] = field(default_factory=dict, repr=False)

    def file_bytes(self, fmt: str, *, top: int | None = None) -> bytes:
        """The file, built once per format (the app asks again on every rerun)."""
        if (fmt, top) not in self._files:
            self._files[(fmt, top)] = hotspot_file_bytes(
                self.result, fmt, dataset=self.dataset, backtest=self.backtest, top=top
            )
        return self._files[(fmt, top)]


def hotspots_for(
    dataset: PoliceDataset,
    selection: Selection,
    params: dict[str, Any] | None = None,
    *,
    backtest: bool = True,
    test_months: int = 3,
) -> HotspotBundle:
    """Run :func:`find_hotspots` and (optionally) :func:`hotspot_backtest` with the same cluster options."""
    params = dict(params or {})
    result = find_hotspots(dataset, selection, **params)
    notes = list(result.notes)
    scored = None
    if backtest:
        scope = Selection(selection.start, selection.end, selection.districts, VIOLENCE_GROUP)
        records = select_records(dataset.records, scope)
        wards = dataset.wards.wards
        if selection.districts is not None:
            wards = wards[wards["district_code"].isin(selection.districts)]
        land = shapely.union_all(wards.geometry.to_numpy())
        try:
            scored = hotspot_backtest(
                records,
                land,
                test_months=test_months,
                eps_m=result.parameters["eps_m"],
                footprint_radius_m=result.parameters["footprint_radius_m"],
                min_records=params.get("min_records"),
            )
        except ParameterError as exc:
            notes.append(f"No backtest: {exc}")
    return HotspotBundle(result, scored, dataset, notes)
