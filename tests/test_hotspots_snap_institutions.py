"""Institutions of the public registers claim the snap points their records go to (by hand, and the sample)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from vrc_geo.hotspots import find_places
from vrc_geo.hotspots.snap.institutions import InstitutionClaims, describe_claims, institutions_sheet

MONTHS = [f"2022-{m:02d}" for m in range(1, 13)]
HOSPITAL = (10_000.0, 10_000.0)  # where the register puts it (its postcode)
SNAP = (10_000.0, 10_060.0)  # the snap point its records go to, 60 m away: the nearest
STREET = [(10_060.0 + 45 * k, 9_900.0) for k in range(6)]  # a high street 100 m from the hospital


def _layout(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Violence-group records and all crime (``crime_type``) of a town by hand:

    * the hospital's snap point: 9 violence records a month, almost no theft;
    * a busy high street 100-330 m from the hospital: six points of 5 violence records a month each,
      and as much shoplifting and theft again;
    * a residential estate around (one record a month or so at each point) and thin background.
    """
    rng = np.random.default_rng(seed)
    estate = np.array([(9_400.0 + 120 * i, 9_500.0 + 120 * j) for i in range(11) for j in range(11)])
    estate = estate[np.hypot(*(estate - np.array(SNAP)).T) > 60]
    background = rng.uniform(5_000, 15_000, (800, 2)).round()
    violent, other = [], []
    for month in MONTHS:
        violent += [(*SNAP, month, "On or near Park Lane")] * 9
        other += [(*SNAP, month, "On or near Park Lane", "Criminal damage and arson")]
        for k, (x, y) in enumerate(STREET):
            violent += [(x, y, month, "On or near High Street")] * 5
            other += [(x, y, month, "On or near High Street", "Shoplifting")] * 4
            other += [(x, y, month, "On or near High Street", "Other theft")] * (1 + k % 2)
        for x, y in estate[rng.integers(0, len(estate), 60)]:
            violent.append((x, y, month, "On or near Some Close"))
        for x, y in background[rng.integers(0, len(background), 20)]:
            violent.append((x, y, month, "On or near Some Road"))
            other.append((x, y, month, "On or near Some Road", "Burglary"))
    records = pd.DataFrame(violent, columns=["x", "y", "month", "location"])
    context = pd.concat(
        [
            records.assign(crime_type="Violence and sexual offences"),
            pd.DataFrame(other, columns=["x", "y", "month", "location", "crime_type"]),
        ],
        ignore_index=True,
    )
    return records, context


REGISTER = pd.DataFrame(
    {
        "name": ["Town Hospital", "Far Hospital"],
        "site_type": ["hospital", "hospital"],
        "x": [HOSPITAL[0], 40_000.0],
        "y": [HOSPITAL[1], 40_000.0],
        "source": "NHS website hospital list",
        "vintage": "2021",
    }
)


def test_busy_street_beside_a_hospital_stays_a_place_while_the_hospitals_point_is_a_site():
    records, context = _layout()
    land = shapely.box(0, 0, 50_000, 50_000)
    listed = find_places(records, months=MONTHS, land=land, context=context, institutions=REGISTER)
    places = listed.footprints[listed.footprints["kind"] == "place"]
    sites = listed.footprints[listed.footprints["kind"] == "site"]
    # The hospital's point is a site that names its institution, register and vintage ...
    assert (sites.distance(shapely.Point(*SNAP)) == 0).sum() == 1
    site = sites[sites.distance(shapely.Point(*SNAP)) == 0].iloc[0]
    assert site["institution"] == (
        "Town Hospital — hospital, 60 m from its snap point (NHS website hospital list 2021)"
    )
    assert not (places.distance(shapely.Point(*SNAP)) < 40).any()
    # ... and every point of the high street beside it is still in a place to patrol, at the top.
    for x, y in STREET:
        assert (places.distance(shapely.Point(x, y)) == 0).any()
    assert places.iloc[0].geometry.distance(shapely.Point(*STREET[0])) < 200
    claims, unclaimed = listed.claims, listed.unclaimed
    assert claims[["institution", "distance_m"]].values.tolist() == [["Town Hospital", 60]]
    assert unclaimed.set_index("institution").loc["Far Hospital", "reason"].startswith("no snap point with violence")
    # Without the registers the hospital's point is a place to patrol (what the registers fix).
    plain = find_places(
        records, months=MONTHS, land=land, context=context, institutions=REGISTER, public_registers=False
    )
    head = plain.footprints[plain.footprints["kind"] == "place"].head(3)
    assert (head.distance(shapely.Point(*SNAP)) == 0).any()
    assert plain.claims is None


def _points(records: pd.DataFrame, context: pd.DataFrame) -> pd.DataFrame:
    grouped = records.groupby(["x", "y"])["month"]
    points = pd.concat([grouped.size().rename("records"), grouped.nunique().rename("map_months")], axis=1)
    mix = context.groupby(["x", "y"])["crime_type"]
    points["crime_records"] = mix.size()
    points["acquisitive_records"] = mix.apply(lambda t: t.isin(["Shoplifting", "Other theft", "Burglary"]).sum())
    return points.reset_index().assign(map_records=lambda f: f["records"])


def test_each_part_of_the_signature_decides():
    records, context = _layout()
    points = _points(records, context)
    snap = (points["x"] == SNAP[0]) & (points["y"] == SNAP[1])

    def claimed(frame: pd.DataFrame, **options) -> bool:
        model = InstitutionClaims(**options).fit(frame, REGISTER.iloc[:1], n_months=12)
        return len(model.claims_) > 0

    assert claimed(points)
    assert not claimed(points, min_rate=10)  # 9 a month is too few for this rule
    theft = points.copy()
    theft.loc[snap, "acquisitive_records"] = theft.loc[snap, "crime_records"] * 0.5
    assert not claimed(theft)  # half its crime is theft: a shopping street
    share = points.copy()
    share.loc[snap, "crime_records"] = share.loc[snap, "records"] * 3
    assert not claimed(share)  # a third of its crime is violence
    patchy = points.copy()
    patchy.loc[snap, "map_months"] = 5
    assert not claimed(patchy)  # violence in 5 months of 12: not steady
    crowded = pd.concat([points, points[snap].assign(x=SNAP[0] + 50)], ignore_index=True)
    assert not claimed(crowded)  # a twin point 50 m away shares its violence: not dominant


def test_a_quiet_close_needs_to_stand_out_unless_it_is_the_nearest_point():
    # A suburb: snap points 150 m apart, each with two violence records a month, steady, mostly violence
    # (domestic abuse at home): every one has the signature, none stands out.
    xy = np.array([(150.0 * i, 150.0 * j) for i in range(15) for j in range(15)])
    points = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "records": 24, "map_records": 24, "map_months": 12})
    points = points.assign(crime_records=36, acquisitive_records=3)
    close = (points["x"] == 750) & (points["y"] == 750)
    hospital = REGISTER.iloc[:1].assign(x=750.0, y=790.0)  # the close is its nearest snap point
    claims = InstitutionClaims().fit(points, hospital, n_months=12).claims_
    assert claims[["x", "y"]].values.tolist() == [[750.0, 750.0]]  # records go to the nearest point first
    hospital = hospital.assign(x=750.0, y=840.0)  # now (750, 900) is nearer; the close only within reach
    model = InstitutionClaims().fit(points, hospital, n_months=12)
    assert model.claims_[["x", "y"]].values.tolist() == [[750.0, 900.0]]
    busy = points.copy()
    busy.loc[close, ["records", "map_records"]] = 120  # five times its neighbours: it stands out
    model = InstitutionClaims().fit(busy, hospital, n_months=12)
    assert sorted(model.claims_[["x", "y"]].values.tolist()) == [[750.0, 750.0], [750.0, 900.0]]
    assert model.claims_.set_index("y").loc[750.0, "lift"] == 5.0


def test_a_point_two_institutions_reach_goes_to_the_nearer():
    records, context = _layout()
    points = _points(records, context)
    two = pd.concat(
        [REGISTER.iloc[:1], REGISTER.iloc[:1].assign(name="Clinic on the campus", x=SNAP[0] + 30, y=SNAP[1])],
        ignore_index=True,
    )
    model = InstitutionClaims().fit(points, two, n_months=12)
    assert model.claims_["institution"].tolist() == ["Clinic on the campus"]
    reason = model.unclaimed_.set_index("institution").loc["Town Hospital", "reason"]
    assert reason == "its snap point is Clinic on the campus's, which is nearer"
    sheet = institutions_sheet(model.claims_, model.unclaimed_)
    assert sheet["Institution"].tolist() == ["Clinic on the campus", "Town Hospital"]
    assert "1 of 2 institutions claimed 1 snap point" in describe_claims(model.claims_, model.unclaimed_)


def test_bad_options_name_what_is_allowed():
    from vrc_geo.errors import ParameterError

    with pytest.raises(ParameterError, match="max_acquisitive"):
        InstitutionClaims(max_acquisitive=2).fit(pd.DataFrame(), REGISTER, n_months=12)


@pytest.fixture(scope="module")
def sample_places(sample_dir):
    """The patrol list on the real sample (whole period, and built on all but the last three months)."""
    from vrc_geo.config import find_sources
    from vrc_geo.dataset.store import load_police
    from vrc_geo.hotspots.rank import VIOLENCE_GROUP
    from vrc_geo.hotspots.snap.site_types import SiteHistory
    from vrc_geo.reference.taxonomy import ASB

    dataset = load_police(find_sources(data_dir=sample_dir))
    crime = dataset.in_area[dataset.in_area["crime_type"] != ASB]
    violent = crime[crime["crime_type"].isin(VIOLENCE_GROUP)]
    land = shapely.union_all(dataset.wards.wards.geometry.to_numpy())
    months = dataset.months
    out = {}
    for label, build in (("all", months), ("split", months[:-3])):
        v = violent[violent["month"].astype(str).isin(build)]
        c = crime[crime["month"].astype(str).isin(build)]
        history = SiteHistory(violent, crime, months) if label == "all" else None
        out[label] = find_places(
            v, months=build, land=land, context=c, history=history, institutions=dataset.institutions.sites
        )
    return dataset, crime, out


def _nearest_snap_points(crime: pd.DataFrame, months: list[str], register: pd.DataFrame) -> np.ndarray:
    from vrc_geo.hotspots.snap.epochs import find_epochs

    rows = crime[crime["month"].astype(str).isin(months)].dropna(subset=["x", "y"])
    starts, current = find_epochs(rows["x"].to_numpy(), rows["y"].to_numpy(), rows["month"].astype(str), months)
    xy = current if starts else rows[["x", "y"]].drop_duplicates().to_numpy()
    wanted = register[register["site_type"].isin(["hospital", "prison"])]
    dist, idx = cKDTree(xy).query(wanted[["x", "y"]].to_numpy())
    return xy[idx[dist <= 1000]]


@pytest.mark.parametrize("label", ["all", "split"])
def test_no_first_place_sits_on_a_registered_hospital_or_prison(sample_places, label):
    """docs/methods/sites.md's check: none of the first 30 places holds the snap point nearest a
    registered hospital or prison (within 1 km) — on the whole sample, and for a list built without the
    last three months, read against where records went in those months."""
    dataset, crime, places = sample_places
    register = dataset.institutions.sites
    months = dataset.months if label == "all" else dataset.months[-3:]
    nearest = _nearest_snap_points(crime, months, register)
    assert len(nearest) >= 40
    first = places[label].footprints
    first = first[first["kind"] == "place"].head(30)
    held = [shapely.Point(x, y) for x, y in nearest]
    assert not any(shape.buffer(0.5).contains(p) for shape in first.geometry for p in held)


def test_the_sample_registers_claim_the_institutions_named_in_the_issue(sample_places):
    _, _, places = sample_places
    claims = places["all"].claims.set_index("institution")
    assert claims.loc["Cygnet Hospital Godden Green", "distance_m"] == 357
    assert claims.loc["Tunbridge Wells Hospital at Pembury", "distance_m"] == 569
    assert {"Maidstone Hospital", "Medway Maritime Hospital", "William Harvey Hospital (Ashford)"} <= set(claims.index)
    assert {"HM Prison Elmley", "HM Prison Swaleside", "HM Prison Maidstone"} <= set(claims.index)
    # Every site point a claim made names its institution and register vintage.
    points = places["all"].points
    labels = points.loc[points["institution"] != "", "institution"]
    assert labels.str.contains(r"\((?:NHS|Ministry|prison|police)[^)]* 20\d\d\)").all()
