"""Data: what is loaded and from where, every row accounted for, licences, and checked uploads."""

from pathlib import Path

import pandas as pd
import streamlit as st

from ui import data, render, shell, state, uploads
from vrc_geo.base.decimals import percent_text
from vrc_geo.base.months import count_months, month_words, period_words
from vrc_geo.base.plurals import counted
from vrc_geo.outputs.catalogue import licence_table, source_table
from vrc_geo.reference.area import AREA

LOADED = "_uploaded_in_use"  # the confirmation, kept while the session uses uploaded files


def _file_names(frame: pd.DataFrame) -> pd.DataFrame:
    """A table whose file columns (``file``, ``source_file``) name files by name: a server's folders are
    not for the screen."""
    names = {c: [Path(str(f)).name for f in frame[c]] for c in ("file", "source_file") if c in frame.columns}
    return frame.assign(**names)


def _check_each(session: uploads.SessionUploads, key: str, paths: list) -> tuple[list, list[str]]:
    """Check every file on its own: the good ones go on, each bad one is named with its reason."""
    from vrc_geo.errors import VrcGeoError
    from vrc_geo.io.police import read_police

    good, problems = [], []
    for path in paths:
        verdict = session.results.get(("police-file", key, path.name))
        if verdict is None:
            try:
                read_police([path])
                verdict = "ok"
            except VrcGeoError as exc:
                verdict = session.shown(exc)
            session.results[("police-file", key, path.name)] = verdict
        if verdict == "ok":
            good.append(path)
        else:
            problems.append(f"{path.name}: {verdict}")
    return good, problems


def police_upload(files) -> None:
    from vrc_geo.config import find_sources
    from vrc_geo.dataset.store import load_police
    from vrc_geo.io.police import read_police

    session = uploads.session_uploads()
    key, paths = session.save(files)  # written once per set of files, in this session's folder
    good, problems = _check_each(session, key, paths)
    for problem in problems:
        st.error(render.md_escape(problem))
    if not good:
        return
    read = session.results.get(("police", key))
    if read is None:
        read = session.results[("police", key)] = read_police(good)
    accepted, refused = len(read.records), len(read.rejects)
    skipped = f" ({counted(len(problems), 'file')} left out, above)" if problems else ""
    st.success(
        f"Checked {counted(len(good), 'file')}{skipped}: {accepted + refused:,} rows read, {accepted:,} usable, "
        f"{refused:,} refused."
    )
    for note in read.notes:
        st.caption(render.md_escape(session.shown(note)))
    if refused:
        rejects = read.rejects.copy()
        if "file" in rejects.columns:
            rejects["file"] = [session.shown(f) for f in rejects["file"]]
        st.markdown("**Refused rows, by reason**")
        render.table(rejects["reason"].value_counts().rename_axis("reason").reset_index())
        st.markdown("**Refused rows (first 200), with file and line**")
        render.table(rejects.head(200))
    if accepted and st.button("Use these files for this session", type="primary"):
        current = data.server_dataset_or_none()
        boundaries = current.wards.source if current is not None else None
        sources = find_sources(crimes=good, boundaries=boundaries)
        wards = current.wards if current is not None else None
        loaded = load_police(sources, wards=wards, keep=False)  # nothing of it written to the cache
        data.use_dataset(loaded)
        st.session_state[LOADED] = (
            f"Your {counted(len(good), 'file')} {'is' if len(good) == 1 else 'are'} in use for this session: "
            f"{period_words(loaded.months[0], loaded.months[-1])} "
            f"({count_months(len(loaded.months))}), {len(loaded.in_area):,} records in {AREA.name}. "
            "Every page shows them until you go back to the server data."
        )
        st.rerun()


def health_upload(files, dataset) -> None:
    from vrc_geo.health.placement import known_area_codes
    from vrc_geo.io.health import read_health, read_table

    session = uploads.session_uploads()
    key, paths = session.save(files)
    read = session.results.get(("health", key, dataset.key))
    if read is None:
        from vrc_geo.errors import VrcGeoError

        try:
            read = read_health(paths, known_codes=known_area_codes(dataset.wards))
        except VrcGeoError as exc:
            st.error(render.md_escape(session.shown(exc)))
            return
        session.results[("health", key, dataset.key)] = read
    kind = "incident records (ISTV-style)" if read.shape == "incidents" else "area counts (HES-style)"
    st.success(
        f"Checked {counted(len(paths), 'file')} of {kind}: {read.rows_read:,} rows, {len(read.records):,} usable, "
        f"{len(read.rejects):,} refused."
    )
    if len(read.rejects):
        rejects = read.rejects.copy()
        if "file" in rejects.columns:
            rejects["file"] = [session.shown(f) for f in rejects["file"]]
        render.table(rejects["reason"].value_counts().rename_axis("reason").reset_index())
        render.table(rejects.head(200))
    if len(read.records) and st.button("Use this extract on the Health page", type="primary"):
        frames = [(p.name, read_table(p)) for p in paths]
        st.session_state[data.HEALTH_UPLOAD] = {"key": key, "frames": frames}  # this session only
        state.set_value("f_health", state.HEALTH_LABELS["upload"])
        st.success("Loaded for this session: the Health page now shows it (with disclosure control).")


shell.start()
with st.sidebar:
    render.glossary_popover()
render.presentation(present=state.presenting())  # a presentation that reaches this page stays one
with render.guard():
    st.title("Data: sources, checks and uploads")
    if st.session_state.get("dataset_override") is not None:
        st.success(st.session_state.get(LOADED, "Your uploaded files are in use for this session."))
        if st.button("Back to the server data", type="primary", key="back_to_server"):
            data.use_dataset(None)
            st.session_state.pop(LOADED, None)
            st.rerun()
    dataset = data.current_dataset_or_none()
    if dataset is not None:
        rec = dataset.reconciliation
        sources = pd.DataFrame(
            [
                ("police.uk files", counted(len(dataset.files), "file")),
                (
                    "Period",
                    f"{period_words(dataset.months[0], dataset.months[-1])} ({count_months(len(dataset.months))})",
                ),
                (
                    "Ward boundaries",
                    f"{dataset.wards.vintage_words}: {len(dataset.wards.wards)} wards "
                    f"(ONS code {dataset.wards.vintage}; file {dataset.wards.label})",
                ),
                (
                    "Reference tables",
                    "population, look-ups, deprivation, harm weights" if dataset.wards.reference else "none",
                ),
                (
                    "Session",
                    "your uploaded files" if st.session_state.get("dataset_override") is not None else "server data",
                ),
            ],
            columns=["item", "value"],
        )
        st.subheader("What is loaded")
        render.table(sources)
        st.subheader("Every row accounted for")
        st.markdown(
            f"`rows read = in a ward + outside {AREA.name} + no location + rejected`: "
            f"{rec.rows_read:,} = {rec.in_area:,} + {rec.outside_area:,} + {rec.no_location:,} + "
            f"{rec.rejected_total:,}."
        )
        rows = rec.table()
        render.table(rows.assign(share=[percent_text(v) for v in rows["share"]]))  # 1 row of 215,518: 0.00046%
        with st.expander("By file and by month"):
            render.table(_file_names(rec.by_file))
            render.table(rec.by_month.assign(month=[month_words(str(m)) for m in rec.by_month["month"]]))
        if len(dataset.rejects):
            with st.expander(f"Rejected rows ({len(dataset.rejects):,})"):
                render.table(_file_names(dataset.rejects.head(500)))
        for note in [*dataset.wards.notes, *dataset.notes]:
            st.caption(render.md_escape(note))
    st.subheader("Sources: what they hold, how old they are, how to refresh them")
    render.table(source_table(dataset), wrap=True)
    st.caption(
        "Your analyst can bring in current ward boundaries (ONS), new police.uk months and the Fingertips "
        "context figures with the tool's fetch command (docs/fetch.md); only what is missing is downloaded."
    )
    if st.button(
        "Reload data (after a fetch or new files)",
        help="Read the sources again; unchanged files come straight from the cache.",
    ):
        data.reload()
        st.rerun()
    st.subheader("Licences")
    render.table(licence_table(), wrap=True)
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
