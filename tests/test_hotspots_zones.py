"""Patrol zones: planted groups by hand, the width limit, names, and the zones of the sample's list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial.distance import pdist

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots.zones import PatrolZones, zone_name


def _fit(xy, place=None, **options):
    xy = np.asarray(xy, dtype=float)
    place = np.arange(len(xy)) if place is None else np.asarray(place)
    return PatrolZones(**options).fit(xy[:, 0], xy[:, 1], place)


def test_planted_groups_far_apart_are_separate_and_points_100_m_apart_together():
    rng = np.random.default_rng(3)
    centres = np.array([(0, 0), (5000, 0), (0, 5000), (8000, 8000)], dtype=float)
    xy, truth = [], []
    for g, c in enumerate(centres):
        # A little town centre: circles 100 m apart along two streets.
        for k in range(5):
            xy += [c + (100 * k, 0), c + (0, 100 * (k + 1))]
            truth += [g, g]
    order = rng.permutation(len(xy))
    xy, truth = np.asarray(xy)[order], np.asarray(truth)[order]
    model = _fit(xy, place=np.arange(len(xy)))
    labels = model.labels_
    # The same planted group is one zone, and different groups are different zones.
    assert len(set(labels)) == 4
    for g in range(4):
        assert len(set(labels[truth == g])) == 1
    assert all(w <= 1000 for w in model.width_m_.values())
    # Zones are numbered by their first place: place 0 is in zone 0.
    assert model.place_zone_.loc[0] == 0


def test_a_chain_longer_than_a_km_is_split_within_the_width():
    xy = [(60.0 * k, 0.0) for k in range(50)]  # 2.9 km of circles 60 m apart: single linkage chains them
    model = _fit(xy)
    assert len(set(model.labels_)) >= 3
    for zone in set(model.labels_):
        members = np.asarray(xy)[model.labels_ == zone]
        width = (pdist(members).max() if len(members) > 1 else 0) + 80
        assert width <= 1000 and model.width_m_[zone] == pytest.approx(width)


def test_a_place_with_several_circles_is_never_split():
    xy = [(0, 0), (70, 0), (140, 0), (3000, 0)]
    model = _fit(xy, place=[0, 0, 0, 1], link_m=60)  # circles 70 m apart would not link at 60 m
    assert len(set(model.labels_[:3])) == 1 and model.labels_[3] != model.labels_[0]


def test_options_are_checked():
    with pytest.raises(ParameterError, match="max_width_m"):
        _fit([(0, 0)], max_width_m=50)


def test_names_say_where():
    assert zone_name("Maidstone", "High Street", "(unnamed location) (72); Bank Street (69); High Street (48)") == (
        "Maidstone, High Street: Bank Street and High Street"
    )
    named = zone_name("Dartford", "Stone", "(unnamed location) (77); Shopping Area (2)")
    assert named == "Dartford, Stone: Shopping Area"
    assert zone_name("Thanet", "Thanet", "") == "Thanet: unnamed points"


def test_the_sample_list_has_named_zones(sample_hotspots):
    result = sample_hotspots.result
    places = result.table[result.table["kind"] == "place"]
    first = places.head(30)
    assert first["zone_id"].str.match(r"^Z\d{3}$").all() and first["zone_name"].str.len().gt(0).all()
    assert first["zone_id"].value_counts().max() >= 2  # a town centre holds several of the first 30
    zones = result.zones
    assert zones["zone_id"].is_unique and set(places["zone_id"]) == set(zones["zone_id"])
    assert zones["places"].sum() == len(places)
    for geom in zones.geometry:
        hull = shapely.convex_hull(geom)
        ring = np.asarray(hull.exterior.coords) if hull.geom_type == "Polygon" else np.zeros((1, 2))
        assert (pdist(ring).max() if len(ring) > 1 else 0) <= 1000 + 1
    # Zones share out the places' expected records exactly, and are ranked by them.
    assert zones["expected_per_month"].sum() == pytest.approx(places["expected_per_month"].sum(), rel=1e-3)
    assert zones["expected_per_month"].is_monotonic_decreasing
    assert pd.Series(zones["share_of_violence"]).between(0, 1).all()
