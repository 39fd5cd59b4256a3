"""SYNTHETIC ISTV-style emergency admissions for assault, for demonstrations only.

No real hospital data is public at ward level. This seeded generator makes records in the incident schema
(:mod:`vrc_geo.io.health`) that look like a partner extract, with ``source = "synthetic"`` on every row.
Every number built from them is labelled SYNTHETIC wherever it appears.

Calibration: ``rate_per_100k`` admissions a year per 100,000 residents (default 40, the order of
England's published emergency admissions for violence, ICD-10 X85-Y09), times the residents of the
wards and the months covered: the record count is exactly round(rate / 100,000 x residents x months / 12).

Where they happen (shares documented so the demo can be read):

* 55 % near police-recorded violence (a police violence record drawn at random, its snap point moved by
  a 75 m Gaussian jitter: ED data is geocoded, not snapped) — the night-time economy police also see;
* 35 % in residential areas, LSOAs drawn by residents x deprivation (IMD 2019 decile weight 11 - decile)
  — violence the police never hear of (domestic, unreported);
* 10 % in three "under-reported" wards drawn (seeded) among wards with more residents than the median
  and a police violence rate below it — so the under-reporting view has something true to find.

When: months follow the police violence seasonality; days weigh Friday-Sunday up (Mon 0.8 ... Sat 1.55);
hours peak from 22:00 to 02:00. Who and how: weapon mix (body 58 %, blunt object 10 %, knife or sharp
object 10 %, glass or bottle 7 %, firearm 0.5 %, other 7 %, unknown 7.5 %), age and sex (72 % male; 18-34
half of all), alcohol involved 45 %, drugs 12 % — illustrative shares of the kind ISTV data shows, not
estimates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from ..base.crs import unproject_xy
from ..base.params import Param, validate_params
from ..errors import ParameterError
from ..io.boundaries import read_boundaries
from ..io.reference import find_lsoa_boundaries, read_imd_deciles, read_lsoa_population_2011

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["SYNTHETIC", "expected_count", "generate_incidents"]

SYNTHETIC = "synthetic"
SHARES = {"police_pattern": 0.55, "residential": 0.35, "under_reported": 0.10}
WEAPON_MIX = {
    "body": 0.58,
    "blunt object": 0.10,
    "knife or sharp object": 0.10,
    "glass or bottle": 0.07,
    "firearm": 0.005,
    "other": 0.07,
    "unknown": 0.075,
}
AGE_MIX = {
    "0-15": 0.06,
    "16-17": 0.06,
    "18-24": 0.24,
    "25-34": 0.26,
    "35-44": 0.17,
    "45-54": 0.12,
    "55-64": 0.06,
    "65+": 0.03,
}
SEX_MIX = {"male": 0.72, "female": 0.27, "unknown": 0.01}
WEEKDAY = np.array([0.8, 0.8, 0.85, 0.95, 1.25, 1.55, 1.3])  # Monday .. Sunday
HOUR = np.array(
    [
        2.6,
        2.2,
        1.8,
        1.2,
        0.6,
        0.4,
        0.4,
        0.5,
        0.6,
        0.7,
        0.8,
        0.9,
        1.0,
        1.0,
        1.0,
        1.1,
        1.2,
        1.3,
        1.4,
        1.6,
        1.8,
        2.1,
        2.5,
        2.8,
    ]
)
_PARAMS = {"rate_per_100k": Param(low=0, high=10_000, low_inclusive=False), "seed": Param(integer=True)}


def expected_count(rate_per_100k: float, residents: float, months: int) -> int:
    """Records the generator makes: round(rate / 100,000 x residents x months / 12)."""
    return round(rate_per_100k / 100_000 * residents * months / 12)


def _pick(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    keys = list(mix)
    p = np.array([mix[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), n, p=p / p.sum())]


def _points_in(rng: np.random.Generator, geoms: np.ndarray, n_each: np.ndarray) -> np.ndarray:
    """Uniform random points inside each polygon (rejection sampling in its bounding box)."""
    out = []
    for geom, n in zip(geoms, n_each, strict=True):
        if n == 0:
            continue
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        got: list[np.ndarray] = []
        while sum(len(g) for g in got) < n:
            cand = rng.uniform([minx, miny], [maxx, maxy], (max(4 * n, 16), 2))
            got.append(cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])])
        out.append(np.vstack(got)[:n])
    return np.vstack(out) if out else np.empty((0, 2))


def generate_incidents(
    dataset: PoliceDataset, *, months: list[str], seed: int = 0, rate_per_100k: float = 40.0
) -> pd.DataFrame:
    """Synthetic admissions in the incident schema for ``months`` (``YYYY-MM``) over the dataset's wards."""
    validate_params({"rate_per_100k": rate_per_100k, "seed": seed}, _PARAMS)
    if not months:
        raise ParameterError("The synthetic generator needs at least one month.")
    rng = np.random.default_rng(seed)
    wards = dataset.wards.with_population()
    pop = wards["population"].astype("float64").fillna(0).to_numpy()
    if pop.sum() <= 0:
        raise ParameterError("The synthetic generator needs ward populations (reference tables not found).")
    total = expected_count(rate_per_100k, pop.sum(), len(months))
    n_police = round(total * SHARES["police_pattern"])
    n_under = round(total * SHARES["under_reported"])
    n_home = total - n_police - n_under

    violence = dataset.in_area[dataset.in_area["crime_type"].astype(str).eq("Violence and sexual offences")]
    violence = violence.dropna(subset=["x"])
    violence = violence[violence["ward_code"].isin(wards["code"])]
    picks = violence.iloc[rng.integers(0, len(violence), n_police)] if len(violence) else violence
    police_xy = picks[["x", "y"]].to_numpy() + rng.normal(0, 75, (len(picks), 2))

    home_xy = _residential(rng, dataset, wards, n_home)
    under_wards = _under_reported_wards(rng, wards, violence)
    counts = rng.multinomial(n_under, np.full(len(under_wards), 1 / len(under_wards)))
    under_xy = _points_in(rng, wards.set_index("code").loc[under_wards].geometry.to_numpy(), counts)

    xy = np.vstack([police_xy, home_xy, under_xy])
    kind = np.repeat(["street", "home", "street"], [len(police_xy), len(home_xy), len(under_xy)])
    lon, lat = unproject_xy(xy[:, 0], xy[:, 1])
    dates, times = _when(rng, violence, months, len(xy))
    frame = pd.DataFrame(
        {
            "record_id": [f"SYN-{seed}-{i:06d}" for i in range(len(xy))],
            "incident_date": dates,
            "incident_time": times,
            "latitude": np.round(lat, 6),
            "longitude": np.round(lon, 6),
            "location_description": np.where(
                kind == "home", "dwelling", _pick(rng, {"street": 0.6, "licensed premises": 0.4}, len(xy))
            ),
            "weapon": _pick(rng, WEAPON_MIX, len(xy)),
            "age_band": _pick(rng, AGE_MIX, len(xy)),
            "sex": _pick(rng, SEX_MIX, len(xy)),
            "alcohol": _pick(rng, {"yes": 0.45, "no": 0.40, "unknown": 0.15}, len(xy)),
            "drugs": _pick(rng, {"yes": 0.12, "no": 0.60, "unknown": 0.28}, len(xy)),
            "admitted": "yes",
            "source": SYNTHETIC,
        }
    )
    frame.attrs["under_reported_wards"] = list(under_wards)
    return frame.sort_values(["incident_date", "incident_time", "record_id"]).reset_index(drop=True)


def _residential(rng: np.random.Generator, dataset: PoliceDataset, wards: pd.DataFrame, n: int) -> np.ndarray:
    """Points in LSOAs drawn by residents x deprivation; wards by residents when LSOAs are unavailable."""
    reference = dataset.wards.reference
    paths = find_lsoa_boundaries(reference)
    population = read_lsoa_population_2011(reference)
    if paths and population is not None:
        lsoas = read_boundaries(paths[-1], level="lsoa", reference=reference).areas
        lsoas = lsoas[lsoas["district_code"].isin(wards["district_code"].unique())]
        lsoas = lsoas.merge(population, left_on="code", right_on="lsoa_code")
        weight = lsoas["population"].to_numpy(dtype="float64") * _deprivation(reference, lsoas["code"])
        geoms = lsoas.geometry.to_numpy()
    else:
        weight = wards["population"].astype("float64").fillna(0).to_numpy()
        geoms = wards.geometry.to_numpy()
    counts = rng.multinomial(n, weight / weight.sum())
    return _points_in(rng, geoms, counts)


def _deprivation(reference: object, codes: pd.Series) -> np.ndarray:
    """11 - IMD 2019 decile per LSOA (10 most deprived; 5.5 where unknown); all 1 without the table."""
    decile = read_imd_deciles(reference)
    if decile is None:
        return np.ones(len(codes))
    return (11 - codes.map(decile).fillna(5.5)).to_numpy(dtype="float64")


def _under_reported_wards(rng: np.random.Generator, wards: pd.DataFrame, violence: pd.DataFrame) -> list[str]:
    counts = violence["ward_code"].astype(str).value_counts().reindex(wards["code"]).fillna(0).to_numpy()
    pop = wards["population"].astype("float64").fillna(0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(pop > 0, counts / pop, np.inf)
    eligible = wards["code"].to_numpy()[(pop > np.median(pop)) & (rate < np.median(rate[np.isfinite(rate)]))]
    if len(eligible) == 0:
        eligible = wards["code"].to_numpy()
    return sorted(rng.choice(sorted(eligible), size=min(3, len(eligible)), replace=False).tolist())


def _when(rng: np.random.Generator, violence: pd.DataFrame, months: list[str], n: int) -> tuple[list, list]:
    seasonal = violence["month"].astype(str).value_counts().reindex(months).fillna(0).to_numpy() + 1.0
    month = np.array(months)[rng.choice(len(months), n, p=seasonal / seasonal.sum())]
    dates, times = [], []
    for m in month:
        days = pd.date_range(f"{m}-01", periods=pd.Period(m).days_in_month, freq="D")
        w = WEEKDAY[days.day_of_week]
        day = days[rng.choice(len(days), p=w / w.sum())]
        hour = rng.choice(24, p=HOUR / HOUR.sum())
        dates.append(day.strftime("%Y-%m-%d"))
        times.append(f"{hour:02d}:{rng.integers(0, 60):02d}")
    return dates, times
