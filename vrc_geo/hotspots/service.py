"""One call for the faces: hotspots for a selection, with their backtest and files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shapely

from ..dataset.aggregate import Selection, select_records
from ..errors import ParameterError
from ..reference.taxonomy import ASB
from .evaluate.backtest import BacktestResult, hotspot_backtest
from .place_options import PLACE_DEFAULTS
from .rank import VIOLENCE_GROUP, HotspotResult, check_params, find_hotspots, harm_weights_for
from .report import hotspot_file_bytes, hotspot_file_name

if TYPE_CHECKING:
    import pandas as pd

    from ..dataset.store import PoliceDataset

__all__ = ["HotspotBundle", "backtest_for", "hotspots_for"]


@dataclass
class HotspotBundle:
    """Ranked hotspots, their backtest (or ``None`` when the period is too short) and notes."""

    result: HotspotResult
    backtest: BacktestResult | None
    dataset: PoliceDataset
    notes: list[str] = field(default_factory=list)

    _files: dict[tuple, bytes] = field(default_factory=dict, repr=False)

    def file_bytes(
        self, fmt: str, *, top: int | None = None, kind: str = "all", plain: bool = False, by: str = "place"
    ) -> bytes:
        """The file, built once per format and narrowing (the app asks again on every rerun); ``by="zone"``:
        the list of patrol zones."""
        key = (fmt, top, kind, plain, by)
        if key not in self._files:
            self._files[key] = hotspot_file_bytes(
                self.result,
                fmt,
                dataset=self.dataset,
                backtest=self.backtest,
                top=top,
                kind=kind,
                plain=plain,
                by=by,
            )
        return self._files[key]

    def file_name(self, fmt: str, *, top: int | None = None, kind: str = "all", by: str = "place") -> str:
        """A file name that says what is inside (districts, period, narrowing)."""
        return hotspot_file_name(self.result, fmt, kind=kind, top=top, by=by)


def hotspots_for(
    dataset: PoliceDataset,
    selection: Selection,
    params: dict[str, Any] | None = None,
    *,
    backtest: bool = True,
    test_months: int = 3,
    register: pd.DataFrame | None = None,
) -> HotspotBundle:
    """Run :func:`find_hotspots` and (optionally) :func:`backtest_for` with the same options (and the same
    register of institutions, if any)."""
    params = dict(params or {})
    result = find_hotspots(dataset, selection, register=register, **params)
    scored, note = (
        backtest_for(dataset, selection, params, test_months=test_months, register=register)
        if backtest
        else (None, None)
    )
    return HotspotBundle(result, scored, dataset, [*result.notes, *([note] if note else [])])


def backtest_for(
    dataset: PoliceDataset,
    selection: Selection,
    params: dict[str, Any] | None = None,
    *,
    test_months: int = 3,
    register: pd.DataFrame | None = None,
) -> tuple[BacktestResult | None, str | None]:
    """:func:`hotspot_backtest` of the list :func:`find_hotspots` makes with ``params``: built on the
    selection's earlier months, scored on its last ``test_months``. Independent of the list itself, so the
    two can be worked out at once (``ui.hotspot_process``). Returns ``(None, why)`` when the period is too
    short."""
    p = check_params(dict(params or {}))
    scope = Selection(selection.start, selection.end, selection.districts, VIOLENCE_GROUP)
    records = select_records(dataset.analysis_records, scope)
    context = select_records(
        dataset.analysis_records, Selection(selection.start, selection.end, selection.districts, None)
    )
    context = context[context["crime_type"] != ASB]
    wards = dataset.wards.wards
    if selection.districts is not None:
        wards = wards[wards["district_code"].isin(selection.districts)]
    land = shapely.union_all(wards.geometry.to_numpy())
    harm = harm_weights_for(dataset, p["measure"]) if p["measure"] == "harm" else None
    try:
        scored = hotspot_backtest(
            records,
            land,
            test_months=test_months,
            place_params={k: p[k] for k in PLACE_DEFAULTS},
            context=context,
            register=register,
            institutions=dataset.institutions.sites,
            weight=harm.record_weights(records["crime_type"], records["district_code"]) if harm else None,
        )
    except ParameterError as exc:
        return None, f"No backtest: {exc}"
    return scored, None
