"""Hotspots: footprints over the Gi* ward layer, the ranked list, the backtest, and the files."""

import geopandas as gpd
import streamlit as st

from ui import data, maps, page, render
from vrc_geo.aggregate import Selection
from vrc_geo.mapping import browser_geojson

with render.guard():
    dataset, view, selection = page.setup()
    scope = Selection(selection.start, selection.end, selection.districts, None)
    bundle = data.hotspots(dataset, dataset.key, scope, data.HOTSPOT_DEFAULTS)
    result, backtest = bundle.result, bundle.backtest
    table = result.table
    clusters = table[table["kind"] == "cluster"]
    n_wards, n_sites = int((table["kind"] == "ward").sum()), int((table["kind"] == "site").sum())
    st.title("Violence hotspots")
    st.caption(
        f"{scope.describe()} · violence-group offences (violence and sexual offences, robbery, possession of "
        "weapons) · drug-related where drugs offences co-locate significantly"
    )
    render.headline(
        [
            ("Places to patrol", f"{len(clusters):,}", f"{n_wards} hot wards, {n_sites} sites listed apart"),
            ("Drug-related", f"{int(table['drug_related'].sum())}", None),
            ("Violence in the places", f"{int(clusters['violence_count'].sum()):,}", None),
            (
                "Prediction accuracy (PAI)",
                f"{backtest.ours.pai:.0f}" if backtest else "n/a",
                f"busiest snap points {backtest.discs.pai:.0f}" if backtest else None,
            ),
        ]
    )
    for note in bundle.notes:
        st.info(note)

    kinds = {"all": "Everything", "cluster": "Places to patrol", "ward": "Hot wards", "site": "Sites"}
    top = len(table)
    if not view.present:
        left, right = st.columns(2)
        shown = left.segmented_control("Show", list(kinds), format_func=kinds.get, default="all", key="f_hkind")
        top = right.slider("How many (ranked)", 1, max(len(table), 1), len(table), key="f_top") if len(table) > 1 else 1
        shown = shown or "all"
    else:
        shown = "all"
    keep = table["kind"].eq(shown) if shown != "all" else table["kind"].notna()
    listed = table[keep].head(top)
    footprints = result.footprints[keep.to_numpy()].iloc[:top]

    layers = data.browser_layers(dataset, dataset.key)
    shapes = gpd.GeoDataFrame(
        {
            "hotspot_id": [f" — #{r} {h}" for r, h in zip(listed["rank"], listed["hotspot_id"], strict=True)],
            "code": listed["hotspot_id"],
            "name": listed["top_locations"].str.split(" \\(").str[0],
            "district_name": listed["district_name"],
            "value_text": [
                f"{'DRUG-RELATED, ' if d else ''}violence {v}, drugs {g}"
                for d, v, g in zip(listed["drug_related"], listed["violence_count"], listed["drugs_count"], strict=True)
            ],
            "count_text": [f"{v:,}" for v in listed["violence_count"]],
            # Hot wards are already coloured by the Gi* layer: outline only, so clusters inside them show.
            "fill": [
                [0, 0, 0, 0] if k == "ward" else [120, 0, 30, 170] if d else [255, 140, 0, 150]
                for k, d in zip(listed["kind"], listed["drug_related"], strict=True)
            ],
        },
        geometry=footprints.to_numpy(),
        crs="EPSG:27700",
    )
    # Hot wards underneath, clusters on top (features are drawn in order).
    shapes = shapes.iloc[listed["kind"].eq("cluster").to_numpy().argsort(kind="stable")]
    footprint_json = browser_geojson(
        shapes,
        tolerance_m=2,
        keep=("hotspot_id", "code", "name", "district_name", "value_text", "count_text", "fill"),
    )
    deck = maps.hotspot_deck(layers, result.wards, footprint_json, basemap=view.basemap, filtered=bool(scope.districts))
    st.pydeck_chart(deck, key="hotspot_map", height=560)
    render.legend(
        "Wards: Gi* hot/cold spot of violence-group records (FDR-adjusted); footprints: hotspots",
        [(maps.GI_LABELS[b], maps.GI_COLOURS[b]) for b in (3, 2, 1, 0, -1, -2, -3)]
        + [("Drug-related hotspot", (120, 0, 30)), ("Other hotspot", (255, 140, 0))],
    )
    if backtest:
        st.subheader("How good are these hotspots?")
        st.markdown(backtest.sentence())
        st.dataframe(backtest.table(), hide_index=True)
    st.subheader("Ranked hotspots")
    columns = [
        "rank",
        "hotspot_id",
        "kind",
        "district_name",
        "ward_names",
        "violence_count",
        "drugs_count",
        "weapons_count",
        "robbery_count",
        "drug_related",
        "colocation_ratio",
        "p_value",
        "trend_class",
        "top_locations",
        "main_site_share",
        "area_km2",
    ]
    st.dataframe(
        listed[columns],
        hide_index=True,
        height=420,
        column_config={
            "drug_related": st.column_config.CheckboxColumn("drug-related"),
            "main_site_share": st.column_config.ProgressColumn("one-site share", min_value=0, max_value=1),
        },
    )
    if not view.present:
        st.caption(
            f"The files hold exactly the {len(listed)} rows shown above, with the period and districts in "
            "every row and in the file name; the XLSX adds the method, the backtest, the harm weights and "
            "plain-English column labels."
        )
        limit = None if top >= int(keep.sum()) else top
        cols = st.columns(3)
        for col, fmt in zip(cols, (".csv", ".xlsx", ".geojson"), strict=True):
            with col:
                render.download(
                    f"Download {fmt[1:].upper()}",
                    bundle.file_bytes(fmt, top=limit, kind=shown),
                    bundle.file_name(fmt, top=limit, kind=shown),
                    key=f"dl_hot_{fmt}",
                )
    st.page_link("pages/briefing.py", label="One-page briefing for this view", icon=":material/description:")
    render.footer()
