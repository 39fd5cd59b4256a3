"""Public registers of institutions: each published layout read by hand-made files, one institution per
site across registers, and the sample bundle's registers."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from vrc_geo.errors import InputFileError
from vrc_geo.io.institutions import read_codepoint, read_public_register, register_files

CODEPOINT = (
    '"ME7 5NY",10,577020,167560,"E92000001","E19000002","E18000008","","E06000035","E05014454"\n'
    '"ME12 4DZ",10,598450,169280,"E92000001","E19000002","E18000008","E10000016","E07000113","E05009540"\n'
    '"ME1 3LU",10,573820,165560,"E92000001","E19000002","E18000008","","E06000035","E05014465"\n'
    '"TN2 4QJ",10,561500,141300,"E92000001","E19000002","E18000008","E10000016","E07000116","E05005142"\n'
    '"SW1A 1AA",10,529090,179645,"E92000001","E19000007","E18000007","","E09000033","E05013806"\n'
)


def _bundle(tmp_path):
    """A data folder with one file of each register layout and a Code-Point extract."""
    (tmp_path / "lookups" / "codepoint_open_2025").mkdir(parents=True)
    (tmp_path / "lookups" / "codepoint_open_2025" / "me.csv").write_text(CODEPOINT)
    (tmp_path / "lookups" / "codepoint_open_2025" / "Code-Point_Open_Column_Headers.csv").write_text("PC,PQ\n")
    folder = tmp_path / "institutions"
    folder.mkdir()
    head = (
        "OrganisationID¬OrganisationCode¬OrganisationType¬SubType¬Sector¬OrganisationStatus¬IsPimsManaged¬"
        "OrganisationName¬Address1¬Address2¬Address3¬City¬County¬Postcode¬Latitude¬Longitude\n"
    )
    rows = [
        "1¬RPA01¬Hospital¬UNKNOWN¬NHS Sector¬Visible¬True¬Medway Maritime Hospital¬Windmill Road¬¬¬Gillingham¬Kent¬"
        "ME7 5NY¬51.37949¬0.54227",
        "2¬X1¬Hospital¬UNKNOWN¬Independent Sector¬Closed¬True¬Old Cottage Hospital¬¬¬¬Gillingham¬Kent¬ME7 5NY¬"
        "51.3801¬0.5461",
        "3¬X2¬Hospital¬UNKNOWN¬NHS Sector¬Visible¬True¬St Thomas' Hospital¬¬¬¬London¬¬SW1A 1AA¬51.4988¬-0.1189",
        "4¬X3¬Hospital¬UNKNOWN¬NHS Sector¬Visible¬True¬Tunbridge Wells Hospital at Pembury¬¬¬¬Pembury¬Kent¬"
        "TN2 4QJ¬51.14818¬0.30761",
    ]
    (folder / "nhs_hospital_2021.csv").write_bytes((head + "\n".join(rows) + "\n").encode("latin-1"))
    ets = [
        ["RPA01", "GSTT @ MEDWAY MARITIME HOSPITAL", "Y", "Q", "", "", "", "", "", "ME7 5NY", "20000101", ""],
        ["RPA02", "MEDWAY HQ OFFICES", "Y", "Q", "", "", "", "", "", "ME7 5NY", "20000101", ""],
        ["RWF01", "PEMBURY HOSPITAL", "Y", "Q", "", "", "", "", "", "TN2 4QJ", "20000101", "20110901"],
        ["RXX01", "WARD 9 INPATIENT UNIT", "Y", "Q", "", "", "", "", "", "ZZ9 9ZZ", "20000101", ""],
    ]
    text = "\n".join(",".join(f'"{v}"' for v in row + [""] * 15) for row in ets) + "\n"
    (folder / "nhs_trust_sites_2018.csv.gz").write_bytes(gzip.compress(text.encode()))
    (folder / "prison_address_2017.tsv").write_text(
        "address\tstreet\taddress:name\tstreet:name\ttown\tadministrative-area\tpostcode\tlong\tlat\n"
        "1\t2\tHM PRISON ELMLEY\tCHURCH ROAD\tEASTCHURCH\tKENT\tME12 4DZ\t51.3877639\t0.8509906\n"
        "3\t4\tHM YOUTH CUSTODY CENTRE\tSIR EVELYN ROAD\tROCHESTER\tMEDWAY\tME1 3LU\t51.3638489\t0.4941925\n"
    )
    (folder / "moj_prison_register_addresses_2022.sql").write_text(
        "INSERT INTO\n    ADDRESS (PRISON_ID, ADDRESS_LINE1, ADDRESS_LINE2, TOWN, COUNTY, COUNTRY, POSTCODE)\nVALUES\n"
        "    ('EYI', 'Church Road', null, 'Sheerness', 'Kent', 'England', 'ME12 4DZ'),\n"
        "    ('CKI', 'Sir Evelyn Road', null, 'Rochester', 'Kent', 'England', 'ME1 3LU'),\n"
        "    ('BXI', 'Jebb Avenue', 'Brixton Hill', 'London', 'Greater London', 'England', 'SW2 5XF');\n"
    )
    return tmp_path


def test_each_register_layout_is_read_and_one_institution_kept_per_site(tmp_path):
    register = read_public_register(_bundle(tmp_path), districts={"E06000035", "E07000113", "E07000116"})
    sites = register.sites.set_index("name")
    # Hospitals: the NHS list (latin-1, "¬"), the open trust site placed by postcode as the same hospital
    # (named by the newer list), the closed one, the offices, London and an unknown postcode left out.
    hospitals = sites[sites["site_type"] == "hospital"]
    assert sorted(hospitals.index) == ["Medway Maritime Hospital", "Tunbridge Wells Hospital at Pembury"]
    assert (
        hospitals.loc["Medway Maritime Hospital", "also"]
        == "GSTT @ Medway Maritime Hospital (NHS trust sites (ODS) 2018)"
    )
    assert hospitals.loc["Medway Maritime Hospital", "vintage"] == "2021"
    # Prisons: the 2017 file's swapped headers read right; the 2022 register (codes only) keeps its
    # entries and takes the older file's names; Brixton is outside the area.
    prisons = sites[sites["site_type"] == "prison"]
    assert sorted(prisons.index) == ["HM Prison Elmley", "HM Youth Custody Centre, Sir Evelyn Road"]
    assert set(prisons["source"]) == {"Ministry of Justice prison register"}
    assert prisons.loc["HM Prison Elmley", ["x", "y"]].tolist() == [598450, 169280]
    assert "Prison EYI (Ministry of Justice code)" in prisons.loc["HM Prison Elmley", "also"]
    # Every file read is one a cache key can follow.
    assert {p.name for p in register_files(tmp_path)} >= {"nhs_hospital_2021.csv", "me.csv"}


def test_swapped_coordinates_land_in_kent(tmp_path):
    register = read_public_register(_bundle(tmp_path))
    elmley = register.sites.set_index("name").loc["HM Prison Elmley"]
    assert 590_000 < elmley["x"] < 600_000 and 165_000 < elmley["y"] < 175_000


def test_registers_without_postcodes_placed_or_counted(tmp_path):
    bundle = _bundle(tmp_path)
    for path in (bundle / "lookups" / "codepoint_open_2025").iterdir():
        path.unlink()
    register = read_public_register(bundle)
    assert "No Code-Point Open postcodes found" in " ".join(register.notes)
    assert set(register.sites["source"]) >= {"NHS website hospital list", "prison estate addresses"}


def test_an_oversized_register_is_refused(tmp_path, monkeypatch):
    import vrc_geo.io.institutions as institutions

    bundle = _bundle(tmp_path)
    monkeypatch.setattr(institutions, "MAX_BYTES", 100)
    with pytest.raises(InputFileError, match="over the"):
        read_public_register(bundle)


def test_codepoint_reads_the_area_only(tmp_path):
    bundle = _bundle(tmp_path)
    found = read_codepoint(bundle / "lookups" / "codepoint_open_2025", {"E06000035"})
    assert sorted(found.index) == ["ME13LU", "ME75NY"]
    assert read_codepoint(None).empty


def test_sample_bundle_registers(sample_dir):
    from vrc_geo.reference.area import DISTRICTS

    register = read_public_register(sample_dir, districts=set(DISTRICTS))
    sites = register.sites
    acute = {
        "Darent Valley Hospital",
        "Medway Maritime Hospital",
        "Maidstone Hospital",
        "Tunbridge Wells Hospital at Pembury",
        "William Harvey Hospital (Ashford)",
        "Kent and Canterbury Hospital",
        "Queen Elizabeth The Queen Mother Hospital",
    }
    assert acute <= set(sites["name"])
    prisons = sites[sites["site_type"] == "prison"]
    assert len(prisons) == 9  # eight of the 2022 register, and Blantyre House (2017 only)
    assert {"HM Prison Elmley", "HM Prison Swaleside", "HM Prison Standford Hill", "HMP Rochester"} <= set(
        prisons["name"]
    )
    # One row per institution: no two entries of one type from different registers within 250 m.
    for kind, group in sites.groupby("site_type"):
        xy = group[["x", "y"]].to_numpy()
        d = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1) ** 0.5
        same_source = group["source"].to_numpy()[:, None] == group["source"].to_numpy()[None, :]
        close = (d < 250) & ~same_source
        assert not close.any(), kind
    assert pd.Series(register.sites["vintage"]).isin(["2017", "2018", "2021", "2022"]).all()


def test_the_register_is_cached_by_the_files_it_reads(tmp_path, monkeypatch):
    from vrc_geo.dataset.institutions import load_institutions

    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    bundle = _bundle(tmp_path / "data")
    first = load_institutions([bundle])
    assert len(list((tmp_path / "cache").glob("institutions-*"))) == 1
    pd.testing.assert_frame_equal(load_institutions([bundle]).sites, first.sites)
    sql = bundle / "institutions" / "moj_prison_register_addresses_2022.sql"
    sql.write_text(
        sql.read_text().replace("('CKI', 'Sir Evelyn Road', null, 'Rochester', 'Kent', 'England', 'ME1 3LU'),\n", "")
    )
    again = load_institutions([bundle])
    assert len(list((tmp_path / "cache").glob("institutions-*"))) == 2  # a changed file is a new version
    assert again.sites.set_index("name").loc["HM Youth Custody Centre, Sir Evelyn Road", "source"] == (
        "prison estate addresses"
    )
