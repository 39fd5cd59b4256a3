"""Data: what is loaded and from where, every row accounted for, licences, and checked uploads."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ui import data, render, state
from vrc_geo.sources import source_table

LICENCES = pd.DataFrame(
    [
        (
            "police.uk street-level crime (Kent Police)",
            "Home Office / police.uk",
            "Open Government Licence v3.0",
        ),
        (
            "Ward, LSOA, MSOA and district boundaries",
            "ONS Open Geography Portal",
            "Open Government Licence v3.0; contains OS data © Crown copyright and database right",
        ),
        (
            "Medway 2023 wards",
            "Local Government Boundary Commission for England",
            "contains OS data © Crown copyright",
        ),
        ("Census 2011 and mid-2020 population", "ONS", "Open Government Licence v3.0"),
        ("Code History Database look-ups", "ONS", "Open Government Licence v3.0"),
        ("English Indices of Deprivation 2019", "MHCLG", "Open Government Licence v3.0"),
    ],
    columns=["data", "publisher", "licence"],
)


def _upload_dir() -> Path:
    if "upload_dir" not in st.session_state:
        st.session_state["upload_dir"] = tempfile.mkdtemp(prefix="vrc_upload_")
    return Path(st.session_state["upload_dir"])


def _save(files) -> list[Path]:
    folder = _upload_dir() / f"batch{len(list(_upload_dir().iterdir()))}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        path = folder / Path(f.name).name
        path.write_bytes(f.getvalue())
        paths.append(path)
    return paths


def police_upload(files) -> None:
    from vrc_geo.config import find_sources
    from vrc_geo.io.police import read_police
    from vrc_geo.store import load_police

    paths = _save(files)
    read = read_police(paths)
    accepted, refused = len(read.records), len(read.rejects)
    st.success(
        f"Checked {len(read.files)} file(s): {accepted + refused:,} rows read, {accepted:,} usable, "
        f"{refused:,} refused."
    )
    for note in read.notes:
        st.caption(note)
    if refused:
        st.markdown("**Refused rows, by reason**")
        st.dataframe(read.rejects["reason"].value_counts().rename_axis("reason").reset_index(), hide_index=True)
        st.markdown("**Refused rows (first 200), with file and line**")
        st.dataframe(read.rejects.head(200), hide_index=True)
    if accepted and st.button("Use these files for this session", type="primary"):
        current = data.server_dataset_or_none()
        boundaries = current.wards.source if current is not None else None
        data.use_dataset(load_police(find_sources(crimes=paths, boundaries=boundaries)))
        st.success("Loaded. Every page now shows your files for this session.")
        st.rerun()


def health_upload(files, dataset) -> None:
    from vrc_geo.health.placement import known_area_codes
    from vrc_geo.io.health import read_health, read_table

    paths = _save(files)
    read = read_health(paths, known_codes=known_area_codes(dataset.wards))
    kind = "incident records (ISTV-style)" if read.shape == "incidents" else "area counts (HES-style)"
    st.success(
        f"Checked {len(paths)} file(s) of {kind}: {read.rows_read:,} rows, {len(read.records):,} usable, "
        f"{len(read.rejects):,} refused."
    )
    if len(read.rejects):
        st.dataframe(read.rejects["reason"].value_counts().rename_axis("reason").reset_index(), hide_index=True)
        st.dataframe(read.rejects.head(200), hide_index=True)
    if len(read.records) and st.button("Use this extract on the Health page", type="primary"):
        st.session_state["health_upload"] = [(str(p), read_table(p)) for p in paths]
        state.set_value("f_health", state.HEALTH_LABELS["upload"])
        st.success("Loaded for this session: the Health page now shows it (with disclosure control).")


with render.guard():
    st.title("Data: sources, checks and uploads")
    dataset = data.current_dataset_or_none()
    if dataset is not None:
        rec = dataset.reconciliation
        sources = pd.DataFrame(
            [
                ("police.uk files", f"{len(dataset.files)} file(s)"),
                ("Period", f"{dataset.months[0]} to {dataset.months[-1]} ({len(dataset.months)} months)"),
                (
                    "Ward boundaries",
                    f"{dataset.wards.vintage}: {len(dataset.wards.wards)} wards from {dataset.wards.source}",
                ),
                ("Reference tables", str(dataset.wards.reference or "none")),
                (
                    "Session",
                    "your uploaded files" if st.session_state.get("dataset_override") is not None else "server data",
                ),
            ],
            columns=["item", "value"],
        )
        st.subheader("What is loaded")
        st.dataframe(sources, hide_index=True)
        st.subheader("Every row accounted for")
        st.markdown(
            f"`rows read = in a ward + outside Kent & Medway + no location + rejected`: "
            f"{rec.rows_read:,} = {rec.in_area:,} + {rec.outside_area:,} + {rec.no_location:,} + "
            f"{rec.rejected_total:,}."
        )
        st.dataframe(rec.table().assign(share=lambda t: (100 * t["share"]).round(2)), hide_index=True)
        with st.expander("By file and by month"):
            st.dataframe(rec.by_file, hide_index=True)
            st.dataframe(rec.by_month, hide_index=True)
        if len(dataset.rejects):
            with st.expander(f"Rejected rows ({len(dataset.rejects):,})"):
                st.dataframe(dataset.rejects.head(500), hide_index=True)
        for note in [*dataset.wards.notes, *dataset.notes]:
            st.caption(note)
        layers = data.browser_layers(dataset, dataset.key)
        st.caption(
            f"Map layer sent to the browser: wards {layers['ward_bytes'] / 1e6:.2f} MB, districts "
            f"{layers['district_bytes'] / 1e6:.2f} MB."
        )
    st.subheader("Sources: what they hold, how old they are, how to refresh them")
    st.dataframe(source_table(dataset), hide_index=True)
    st.caption(
        "`python -m vrc_geo fetch` brings in current ward boundaries (ONS), new police.uk months and "
        "the Fingertips context figures, only what is missing; see the README."
    )
    if st.button(
        "Reload data (after a fetch or new files)",
        help="Read the sources again; unchanged files come straight from the cache.",
    ):
        data.reload()
        st.rerun()
    st.subheader("Licences")
    st.dataframe(LICENCES, hide_index=True)
    st.subheader("Check and use your own files")
    st.markdown(
        "Files are checked first; nothing is used until you say so. Rows that cannot be used are listed "
        "with their file, line and reason."
    )
    kind = st.radio(
        "What are you uploading?",
        ["police.uk street files (CSV or zip)", "health extract (CSV or XLSX)"],
        horizontal=True,
    )
    if kind.startswith("police"):
        files = st.file_uploader("police.uk files", type=["csv", "zip"], accept_multiple_files=True, key="up_police")
        if files:
            police_upload(files)
    else:
        if dataset is None:
            st.info("Load police data first: health figures are placed on the same wards.")
        else:
            files = st.file_uploader(
                "Health extract", type=["csv", "xlsx"], accept_multiple_files=True, key="up_health"
            )
            if files:
                health_upload(files, dataset)
    render.footer()
