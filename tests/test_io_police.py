"""police.uk reading: schema checks, bad input, and that every row is accounted for."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import HEADER, police_row, write_police_csv

from vrc_geo.errors import InputFileError, SchemaError
from vrc_geo.io.police import REJECT_REASONS, expand_sources, read_police


def _good(n: int, month: str = "2022-01") -> list[list[str]]:
    return [police_row(month=month, x=575100 + 10 * i, y=155100) for i in range(n)]


def _accounted(read) -> int:
    return len(read.records) + len(read.rejects)


def test_reads_a_clean_file_with_line_numbers(make_police_csv):
    path = make_police_csv(_good(5))
    read = read_police([path])
    assert len(read.records) == 5
    assert read.rejects.empty
    assert read.records["source_line"].tolist() == [2, 3, 4, 5, 6]
    assert read.files["rows_read"].tolist() == [5]
    assert str(read.records["crime_type"].dtype) == "category"
    assert read.records["lon"].dtype == "float64"


def test_wrong_header_is_a_clear_error(make_police_csv):
    bad_header = [h if h != "Latitude" else "Lat" for h in HEADER]
    path = make_police_csv(_good(2), header=bad_header)
    with pytest.raises(SchemaError, match=r"missing Latitude.*unexpected 'Lat'"):
        read_police([path])


def test_a_file_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "2022-01-kent-street.csv"
    path.write_text("ward,count\nA,1\n")
    with pytest.raises(SchemaError, match="not a police.uk street-level CSV"):
        read_police([path])


def test_reordered_columns_are_read_by_name(make_police_csv):
    rows = _good(3)
    order = list(reversed(range(len(HEADER))))
    path = make_police_csv([[r[i] for i in order] for r in rows], header=[HEADER[i] for i in order])
    read = read_police([path])
    assert len(read.records) == 3
    assert read.records["month"].astype(str).eq("2022-01").all()


def test_truncated_file_counts_the_broken_last_row(make_police_csv):
    path = make_police_csv(_good(4))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 60])  # cut inside the last row
    read = read_police([path])
    assert len(read.records) == 3
    assert read.rejects["reason"].tolist() == [REJECT_REASONS["malformed"]]
    assert read.rejects["source_line"].tolist() == [5]
    assert read.files["rows_read"].sum() == _accounted(read) == 4


def test_unbalanced_quote_spoils_only_its_line(make_police_csv):
    rows = _good(4)
    rows[1][6] = 'On or near "Broken'
    path = make_police_csv(rows)
    text = path.read_text().replace('"On or near ""Broken"', '"On or near Broken')
    path.write_text(text)
    read = read_police([path])
    assert _accounted(read) == 4
    assert read.rejects["source_line"].tolist() == [3]
    assert read.records["source_line"].tolist() == [2, 4, 5]


def test_blank_lines_are_not_rows_and_line_numbers_stay_true(tmp_path):
    path = tmp_path / "x-street.csv"
    rows = [",".join(r) for r in _good(2)]
    path.write_text(",".join(HEADER) + "\n" + rows[0] + "\n\n" + rows[1] + "\n")
    read = read_police([path])
    assert read.records["source_line"].tolist() == [2, 4]
    assert read.files["rows_read"].tolist() == [2]


def test_non_utf8_bytes_are_read_and_noted(make_police_csv):
    rows = _good(3)
    rows[1][6] = "On or near Caf\u00e9 Row"
    path = make_police_csv(rows)
    path.write_bytes(path.read_bytes().replace("Caf\u00e9".encode(), "Caf\u00e9".encode("cp1252")))
    read = read_police([path])
    assert len(read.records) == 3
    assert "On or near Caf\u00e9 Row" in read.records["location"].tolist()
    assert any("not UTF-8" in note for note in read.notes)
    assert read.files["encoding"].tolist() == ["windows-1252"]


def test_utf8_bom_and_lf_endings(tmp_path):
    path = tmp_path / "a-street.csv"
    body = "\n".join(",".join(r) for r in _good(2))
    path.write_bytes(b"\xef\xbb\xbf" + (",".join(HEADER) + "\n" + body + "\n").encode())
    assert len(read_police([path]).records) == 2


def test_empty_and_header_only_files(tmp_path, make_police_csv):
    empty = tmp_path / "police_uk" / "2022-02" / "2022-02-kent-street.csv"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"")
    header_only = make_police_csv([], name="2022-03/2022-03-kent-street.csv")
    good = make_police_csv(_good(2))
    read = read_police([good, empty, header_only])
    assert len(read.records) == 2
    assert read.files["rows_read"].tolist() == [2, 0, 0]
    assert any("empty file" in n for n in read.notes)


def test_bad_coordinates_are_rejected_with_reasons(make_police_csv):
    rows = _good(1)
    rows.append(police_row(lon="51.27", lat="0.52"))  # swapped
    rows.append(police_row(lon="0.52", lat="95.1"))  # impossible
    rows.append(police_row(lon="0", lat="0"))  # null island
    rows.append(police_row(lon="abc", lat="51.2"))  # not a number
    rows.append(police_row(lon="0.52", lat=""))  # one missing
    rows.append(police_row(lon="", lat=""))  # no location: kept
    read = read_police([make_police_csv(rows)])
    assert read.rejects["reason"].tolist() == [
        REJECT_REASONS["coords_swapped"],
        REJECT_REASONS["coords_impossible"],
        REJECT_REASONS["coords_impossible"],
        REJECT_REASONS["coords_text"],
        REJECT_REASONS["coords_partial"],
    ]
    assert len(read.records) == 2
    assert read.records["lon"].isna().sum() == 1


@pytest.mark.parametrize(
    ("lon", "reason"),
    [
        ("nan", "coords_text"),  # a number to a parser, not to police.uk
        ("inf", "coords_text"),
        ("0x1A", "coords_text"),
        ("1e999", "coords_impossible"),  # a number, too large
        ("+0.52", None),
        (" 0.52 ", None),
        ("5.2e-1", None),
    ],
)
def test_coordinates_read_as_numbers_only_when_written_as_numbers(make_police_csv, lon, reason):
    """The quick whole-column conversion is taken only when it agrees with the rule for a number."""
    read = read_police([make_police_csv([*_good(2), police_row(lon=lon, lat="51.27")])])
    if reason is None:
        assert read.rejects.empty
        assert read.records["lon"].iloc[-1] == pytest.approx(0.52)
    else:
        assert read.rejects["reason"].tolist() == [REJECT_REASONS[reason]]
        assert len(read.records) == 2


def test_bad_month_and_unknown_type(make_police_csv):
    rows = _good(1)
    rows.append(police_row(month="2022-13"))
    rows.append(police_row(month="Jan 2022"))
    rows.append(police_row(crime_type="Littering"))
    rows.append(police_row(crime_type="Violent crime"))  # legacy category: accepted
    read = read_police([make_police_csv(rows)])
    reasons = read.rejects["reason"].tolist()
    assert reasons.count(REJECT_REASONS["month"]) == 2
    assert reasons.count(REJECT_REASONS["crime_type"]) == 1
    assert len(read.records) == 2


def test_duplicate_crime_ids_keep_the_first_and_count_the_rest(make_police_csv):
    rows = _good(3)
    rows.append(list(rows[0]))
    rows.append(list(rows[0]))
    asb = [police_row(crime_type="Anti-social behaviour", x=575500, y=155500) for _ in range(2)]
    read = read_police([make_police_csv(rows + asb)])
    assert read.rejects["reason"].tolist() == [REJECT_REASONS["duplicate"]] * 2
    assert read.rejects["source_line"].tolist() == [5, 6]
    assert len(read.records) == 5  # ASB rows have no ID and are never deduplicated


def test_duplicate_of_a_rejected_row_is_not_lost(make_police_csv):
    first = police_row(crime_id="abc", month="bad")
    second = police_row(crime_id="abc", x=575500, y=155500)
    read = read_police([make_police_csv([first, second])])
    assert read.rejects["reason"].tolist() == [REJECT_REASONS["month"]]
    assert read.records["crime_id"].tolist() == ["abc"]


def test_month_folder_tree_skips_other_police_files(tmp_path, make_police_csv):
    make_police_csv(_good(2), name="2022-01/2022-01-kent-street.csv")
    make_police_csv(_good(3, "2022-02"), name="2022-02/2022-02-kent-street.csv")
    outcomes = tmp_path / "police_uk" / "2022-01" / "2022-01-kent-outcomes.csv"
    outcomes.write_text("Crime ID,Month\n")
    read = read_police([tmp_path / "police_uk"])
    assert len(read.records) == 5
    assert any("outcomes" in n for n in read.notes)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_as_police_uk_serves_it(tmp_path):
    csv_path = write_police_csv(tmp_path / "src.csv", _good(4))
    archive = _zip(tmp_path / "download.zip", {"2022-01/2022-01-kent-street.csv": csv_path.read_bytes()})
    read = read_police([archive])
    assert len(read.records) == 4
    assert read.records["source_file"].astype(str).str.endswith(":2022-01/2022-01-kent-street.csv").all()


@pytest.mark.parametrize("member", ["../evil-street.csv", "/etc/x-street.csv", "a/../../b-street.csv"])
def test_zip_with_a_path_outside_its_folder_is_refused(tmp_path, member):
    archive = _zip(tmp_path / "bad.zip", {member: b"x"})
    with pytest.raises(InputFileError, match="unsafe path"):
        read_police([archive])


def test_not_a_zip(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="not a readable zip"):
        read_police([path])


def test_missing_input_and_no_street_files(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_police([tmp_path / "nope.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="No police.uk street files"):
        read_police([tmp_path / "empty"])


def test_same_file_twice_is_read_once(make_police_csv):
    path = make_police_csv(_good(2))
    assert expand_sources([path, path, path.parent]) == [path]


def test_row_order_does_not_change_what_is_accepted(make_police_csv, tmp_path):
    rows = [*_good(6), police_row(lon="x", lat="1")]
    a = read_police([make_police_csv(rows, name="a-street.csv")])
    b = read_police([make_police_csv(list(reversed(rows)), name="b-street.csv")])
    assert sorted(a.records["crime_id"]) == sorted(b.records["crime_id"])
    assert len(a.rejects) == len(b.rejects) == 1


def test_binary_garbage_is_refused_not_crashed(tmp_path):
    path = tmp_path / "junk-street.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(SchemaError):
        read_police([path])


def test_input_file_is_not_modified(make_police_csv):
    path = make_police_csv(_good(3))
    before = path.read_bytes()
    read_police([path])
    assert path.read_bytes() == before
