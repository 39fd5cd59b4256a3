"""Institutions across a snap-point redraw: the new point that took over a named site's records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import find_places
from vrc_geo.hotspots.snap.succession import inherit_sites

MONTHS = [f"2022-{m:02d}" for m in range(1, 13)]
CHANGE = "2022-07"


def _redraw(seed: int = 0) -> pd.DataFrame:
    """Six months on the old map, six on the new one (every point moves).

    * a hospital: "Hospital" at (0, 0), 10 a month; afterwards its records sit at a new point 300 m away
      named after a street ("Laurence Rise");
    * a police station whose new point is 60 m away (re-snapping carries its name: nothing to inherit);
    * a town centre: busy street points, new points among other busy ones after the change (not
      dominant), 3 km from the hospital;
    * a lost "Hospital" point whose records end with no successor (the ward closed);
    * thin background.
    """
    rng = np.random.default_rng(seed)
    rows = []
    background = rng.uniform(-5000, 5000, (3000, 2)).round()
    for month in MONTHS:
        before = month < CHANGE
        hospital = (0.0, 0.0, "Hospital") if before else (300.0, 0.0, "Laurence Rise")
        rows += [(*hospital[:2], month, f"On or near {hospital[2]}")] * 10
        station = (4000.0, 0.0, "Police Station") if before else (4060.0, 0.0, "Police Station")
        rows += [(*station[:2], month, f"On or near {station[2]}")] * 6
        offset = 0.0 if before else 15.0
        for k in range(6):
            rows += [(3000.0 + 50 * k + offset, 0.0, month, "On or near High Street")] * 15
        if before:
            rows += [(-3000.0, 0.0, month, "On or near Hospital")] * 4
        rows += [(x, y, month, "On or near Some Road") for x, y in background[rng.integers(0, 3000, 10)]]
    return pd.DataFrame(rows, columns=["x", "y", "month", "location"])


def _inherit(frame, **kw):
    return inherit_sites(
        frame["x"].to_numpy(),
        frame["y"].to_numpy(),
        frame["month"].to_numpy(),
        frame["location"].to_numpy(dtype=object),
        change=CHANGE,
        months=MONTHS,
        **kw,
    )


def test_the_hospitals_new_point_inherits_it_and_nothing_else_does():
    heirs = _inherit(_redraw())
    assert heirs.to_dict() == {(300.0, 0.0): "hospital"}


def test_too_far_or_not_dominant_or_no_change_inherits_nothing():
    frame = _redraw()
    assert _inherit(frame, succession_m=250).empty  # the new point is 300 m away
    # The same new point inside a busy street area (not dominant): a street place.
    busy = pd.DataFrame(
        [(300.0 + dx, 0.0, m, "On or near Market Street") for m in MONTHS[6:] for dx in (50, 60, 70) for _ in range(8)],
        columns=frame.columns,
    )
    assert _inherit(pd.concat([frame, busy], ignore_index=True)).empty
    after = frame[frame["month"] >= CHANGE]
    assert inherit_sites(
        after["x"], after["y"], after["month"], after["location"], change=CHANGE, months=MONTHS[6:]
    ).empty
    with pytest.raises(ParameterError, match="succession_m"):
        _inherit(frame, succession_m=-1)


def test_the_heir_is_a_site_not_a_place_to_patrol():
    frame = _redraw()
    land = shapely.box(-6000, -6000, 6000, 6000)
    places = find_places(frame, months=MONTHS, land=land)
    points = places.points.set_index(["x", "y"])
    assert points.loc[(300.0, 0.0), "site_type"] == "hospital"
    clusters = places.footprints[places.footprints["kind"] == "place"]
    assert clusters.distance(shapely.Point(300, 0)).min() > 40
    assert (places.footprints["site_type"] == "hospital").any()
    # Without the rule the hospital's new point is listed as a place to patrol.
    plain = find_places(frame, months=MONTHS, land=land, succession_m=0)
    listed = plain.footprints[plain.footprints["kind"] == "place"]
    assert listed.distance(shapely.Point(300, 0)).min() == 0
