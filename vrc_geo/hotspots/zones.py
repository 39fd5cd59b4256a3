"""Patrol zones: the places to patrol grouped into named, walkable areas — what operations plan by.

A place to patrol is one 40 m circle (or a few, for a quiet-area concentration); a town centre holds many,
and a steering group speaks of "Maidstone town centre", not of circles. :class:`PatrolZones` groups the
circles with scikit-learn's agglomerative clustering:

1. **single linkage** at ``link_m`` (250 m, centre to centre): circles a short walk apart chain into one
   zone, however the street runs; a place's circles always stay together;
2. **complete linkage** splits any zone wider than ``max_width_m`` (1 km, circles included) into zones
   whose circles all lie within that width — what one patrol can walk.

:func:`describe_zones` names each zone from its district, main ward and busiest streets ("Maidstone,
High Street: High Street and Bank Street"), sums its places' expected records a month (with the interval
of the calibration), states its share of the selection's violence, and pools the co-location test over
the zone's circles for its drug-related flag. Method page: docs/methods/patrol-zones.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import pdist
from sklearn.cluster import AgglomerativeClustering

from ..base.crs import unproject_xy
from ..base.params import Estimator, Param
from ..reference.area import district_name
from .footprint import describe_footprints
from .stats.colocation import colocation_with_options

if TYPE_CHECKING:
    from .places import PlaceList

__all__ = ["ZONE_COLUMNS", "PatrolZones", "describe_zones", "set_zone_columns", "zone_name"]

#: Columns of the zone list (``--by zone``), in order; documented in docs/contract.md.
ZONE_COLUMNS = [
    "zone_rank",
    "zone_id",
    "zone_name",
    "district_name",
    "ward_names",
    "places",
    "place_ids",
    "first_place_rank",
    "circles",
    "violence_count",
    "drugs_count",
    "expected_per_month",
    "expected_low",
    "expected_high",
    "share_of_violence",
    "drug_related",
    "colocation_ratio",
    "p_value",
    "width_m",
    "area_km2",
    "centroid_lat",
    "centroid_lon",
    "top_locations",
    "period",
    "selection",
]


class PatrolZones(Estimator):
    """``fit(x, y, place)`` on circle centres (metres) and the place each belongs to sets ``labels_``
    (zone per circle), ``place_zone_`` (zone per place, a Series) and ``width_m_`` (per zone, circles
    included). Zones are numbered by their first place (places come in rank order)."""

    params: ClassVar[dict[str, Param]] = {
        "link_m": Param(low=10, high=2000, default=250.0, help="circles this close, centre to centre, join a zone"),
        "max_width_m": Param(low=100, high=10000, default=1000.0, help="widest a zone may be, circles included"),
        "radius_m": Param(low=1, high=500, default=40.0, help="radius of a patrol circle"),
    }

    def fit(self, x: np.ndarray, y: np.ndarray, place: np.ndarray) -> PatrolZones:
        self._validate()
        xy = np.column_stack([np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")])
        place = np.asarray(place)
        if len(xy) == 0:
            self.labels_, self.place_zone_, self.width_m_ = np.zeros(0, dtype=np.int64), pd.Series(dtype=int), {}
            return self
        labels = self._link(xy, linkage="single", threshold=self.link_m)
        labels = _whole_places(labels, place)
        limit = self.max_width_m - 2 * self.radius_m
        for zone in np.unique(labels):
            members = np.flatnonzero(labels == zone)
            threshold = limit
            while _width(xy[members]) > limit and threshold > 1:
                parts = _whole_places(self._link(xy[members], linkage="complete", threshold=threshold), place[members])
                if all(_width(xy[members[parts == p]]) <= limit for p in np.unique(parts)):
                    labels[members] = labels.max() + 1 + parts
                    break
                threshold *= 0.9  # a place's circles pulled a part over the limit: cut finer
        # Number zones by their first place (the list's order), so zone 0 holds the first place.
        first = pd.Series(place).groupby(labels).min().sort_values(kind="mergesort")
        renumber = {zone: i for i, zone in enumerate(first.index)}
        self.labels_ = np.array([renumber[z] for z in labels], dtype=np.int64)
        self.place_zone_ = pd.Series(self.labels_, index=place).groupby(level=0).first()
        self.width_m_ = {
            int(z): float(_width(xy[self.labels_ == z]) + 2 * self.radius_m) for z in np.unique(self.labels_)
        }
        return self

    @staticmethod
    def _link(xy: np.ndarray, *, linkage: str, threshold: float) -> np.ndarray:
        if len(xy) == 1:
            return np.zeros(1, dtype=np.int64)
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, linkage=linkage)
        return model.fit_predict(xy).astype(np.int64)


def _whole_places(labels: np.ndarray, place: np.ndarray) -> np.ndarray:
    """Zones joined wherever one place's circles fell in two (a place is never split)."""
    codes, places = pd.factorize(place)
    n_zone, n_place = int(labels.max()) + 1, len(places)
    graph = coo_matrix((np.ones(len(labels)), (labels, n_zone + codes)), shape=(n_zone + n_place,) * 2)
    _, component = connected_components(graph, directed=False)
    return pd.factorize(component[labels])[0].astype(np.int64)


def _width(xy: np.ndarray) -> float:
    """Largest distance between two circle centres (0 for one)."""
    return float(pdist(xy).max()) if len(xy) > 1 else 0.0


_STREET = re.compile(
    r"\b(street|road|lane|avenue|way|close|hill|parade|square|place|terrace|gardens|row|walk|drive|crescent|"
    r"grove|court|mews|yard|rise|green|quay|broadway|precinct|arcade|passage|mall|gate|esplanade|promenade|"
    r"market|centre|approach|bank)\b",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^(.*) \((\d+)\)$")


def zone_name(district: str, ward: str, locations: str) -> str:
    """A zone's name: district, main ward, and its two busiest named streets ("Maidstone, High Street:
    High Street and Bank Street"); other named places (a car park, a station) when it has no street."""
    names = []
    for item in str(locations).split("; "):
        found = _ITEM.match(item.strip())
        name = found.group(1) if found else item.strip()
        if name and not name.startswith("("):
            names.append(name)
    streets = [n for n in names if _STREET.search(n)] or names
    where = ", ".join(dict.fromkeys(p for p in (district, ward) if p))
    if not streets:
        return f"{where}: unnamed points"
    return f"{where}: " + " and ".join(streets[:2])


def describe_zones(
    places: PlaceList,
    records: pd.DataFrame,
    *,
    types: dict[str, Any],
    violence_types: tuple[str, ...],
    ward_names: pd.Series,
    options: dict[str, Any],
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """The zone list (:data:`ZONE_COLUMNS` but ``period`` and ``selection``, geometry: the union of its
    circles, EPSG:27700), best first, and the zone id of each place (indexed by footprint). ``records``:
    every crime record of the selection (``x, y, crime_type, month, location, ward_code,
    district_code``); ``options``: ``near_m, k, min_bandwidth_m, permutations, seed, alpha,
    refine_permutations`` as for the places."""
    footprints = places.footprints[places.footprints["kind"] == "place"]
    discs = places.discs[places.discs["footprint"].isin(footprints["footprint"])]
    model = PatrolZones(radius_m=places.parameters["footprint_radius_m"])
    model.fit(discs["x"].to_numpy(), discs["y"].to_numpy(), discs["footprint"].to_numpy())
    zone_of = model.place_zone_.reindex(footprints["footprint"]).to_numpy()
    n_zones = int(zone_of.max()) + 1 if len(zone_of) else 0
    by_zone = [footprints["footprint"].to_numpy()[zone_of == z] for z in range(n_zones)]
    geoms = footprints.geometry.to_numpy()
    position = {int(f): i for i, f in enumerate(footprints["footprint"])}
    shapes = [shapely.union_all(geoms[[position[int(f)] for f in m]]) for m in by_zone]
    info = describe_footprints(
        shapes,
        records,
        types=types,
        violence_types=violence_types,
        near_m=options["near_m"],
        ward_names=ward_names,
        n_locations=8,
    )
    colo = colocation_with_options(records, shapes, a_types=violence_types, b_types=types["drugs"], options=options)
    points = places.points
    member = points["footprint"].map(pd.Series(zone_of, index=footprints["footprint"].to_numpy()))
    counted = member.notna().to_numpy()
    expected = points.loc[counted, "expected_per_month"].to_numpy()
    labels = member[counted].astype(np.int64).to_numpy()
    low, high = (np.zeros(n_zones), np.zeros(n_zones))
    if places.calibration is not None and n_zones:
        low, high = places.calibration.interval(expected, labels)
    located = records.dropna(subset=["x", "y"])
    violence = int(located["crime_type"].isin(list(types["violence"])).sum())
    geoms = gpd.GeoSeries(shapes, crs="EPSG:27700")
    centre = geoms.centroid
    lon, lat = unproject_xy(centre.x.to_numpy(), centre.y.to_numpy()) if n_zones else (np.zeros(0), np.zeros(0))
    table = pd.DataFrame(
        {
            "district_name": [district_name(c) if isinstance(c, str) and c else "" for c in info["district_code"]],
            "ward_names": info["ward_names"],
            "places": [len(m) for m in by_zone],
            "place_ids": ["; ".join(f"P{f + 1:03d}" for f in m) for m in by_zone],
            "first_place_rank": [int(m.min()) + 1 for m in by_zone],
            "circles": discs.groupby(discs["footprint"].map(model.place_zone_))
            .size()
            .reindex(range(n_zones))
            .to_numpy(),
            "violence_count": info["violence_count"],
            "drugs_count": info["drugs_count"],
            "expected_per_month": np.round(np.bincount(labels, weights=expected, minlength=n_zones), 3),
            "expected_low": low.astype(int),
            "expected_high": high.astype(int),
            "share_of_violence": np.round(info["violence_count"] / violence, 4) if violence else 0.0,
            "drug_related": colo["significant"].to_numpy(dtype=bool),
            "colocation_ratio": colo["colocation_ratio"].round(3).to_numpy(),
            "p_value": np.round(colo["q_value"].fillna(1.0).to_numpy(), 5),
            "width_m": [round(model.width_m_[z]) for z in range(n_zones)],
            "area_km2": np.round(geoms.area.to_numpy() / 1e6, 4),
            "centroid_lat": np.round(lat, 6),
            "centroid_lon": np.round(lon, 6),
        }
    )
    main_ward = [str(ward_names.get(c, "")) if isinstance(c, str) else "" for c in info["main_ward_code"]]
    table["zone_name"] = [
        zone_name(d, w, loc) for d, w, loc in zip(table["district_name"], main_ward, info["top_locations"], strict=True)
    ]
    table["top_locations"] = ["; ".join(str(t).split("; ")[:3]) for t in info["top_locations"]]
    order = table.assign(_e=-table["expected_per_month"]).sort_values(["_e", "first_place_rank"], kind="mergesort")
    ranked = order.index.to_numpy()
    table = table.loc[ranked].reset_index(drop=True)
    table.insert(0, "zone_rank", np.arange(1, n_zones + 1))
    table.insert(1, "zone_id", [f"Z{i:03d}" for i in range(1, n_zones + 1)])
    new_id = {int(old): f"Z{i + 1:03d}" for i, old in enumerate(ranked)}
    zone_ids = pd.Series([new_id[int(z)] for z in zone_of], index=footprints["footprint"].to_numpy())
    columns = [c for c in ZONE_COLUMNS if c in table.columns]
    return gpd.GeoDataFrame(table[columns], geometry=geoms.iloc[ranked].to_numpy(), crs="EPSG:27700"), zone_ids


def set_zone_columns(table: pd.DataFrame, zones: gpd.GeoDataFrame, zone_of: pd.Series) -> None:
    """Each place row's ``zone_id`` and ``zone_name`` in ``table`` (empty for wards and sites), from
    :func:`describe_zones`."""
    from ..reference.kinds import kind

    prefix = kind("place").id_prefix
    table["zone_id"] = [
        zone_of.get(int(h[len(prefix) :]) - 1, "") if str(h).startswith(prefix) else "" for h in table["hotspot_id"]
    ]
    table["zone_name"] = table["zone_id"].map(zones.set_index("zone_id")["zone_name"]).fillna("").to_numpy()
