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
    st.title("Violence hotspots")
    st.caption(
        f"{scope.describe()} · violence-group offences (violence and sexual offences, robbery, possession of "
        "weapons) · drug-related where drugs offences co-locate significantly"
    )
    render.headline(
        [
            (
                "Hotspots",
                f"{len(table)}",
                f"{len(clusters)} clusters, {len(table) - len(clusters)} hot wards",
            ),
            ("Drug-related", f"{int(table['drug_related'].sum())}", None),
            ("Violence in clusters", f"{int(clusters['violence_count'].sum()):,}", None),
            (
                "Prediction accuracy (PAI)",
                f"{backtest.ours.pai:.0f}" if backtest else "n/a",
                f"naive grid {backtest.naive.pai:.0f}" if backtest else None,
            ),
        ]
    )
    for note in bundle.notes:
        st.info(note)

    kinds = {"all": "Clusters and hot wards", "cluster": "Clusters only", "ward": "Hot wards only"}
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
        st.markdown(
            f"Hit rate = share of later violence inside; PAI = hit rate ÷ share of area. Our footprints: hit rate "
            f"**{100 * backtest.ours.hit_rate:.1f}%**, PAI **{backtest.ours.pai:.1f}**; the naive peer (busiest "
            f"250 m cells of the same area): **{100 * backtest.naive.hit_rate:.1f}%**, PAI "
            f"**{backtest.naive.pai:.1f}**."
        )
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
        "colocation_quotient",
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
            "Files hold the whole ranked list shown above (the same files `python -m vrc_geo hotspots` "
            "writes); the XLSX has an About sheet with the method, parameters, backtest and caveats."
        )
        limit = None if top >= len(table) and shown == "all" else top
        if shown != "all":
            st.caption("Downloads hold every kind; the filter above only narrows the map and table.")
            limit = None
        cols = st.columns(3)
        for col, fmt in zip(cols, (".csv", ".xlsx", ".geojson"), strict=True):
            with col:
                render.download(
                    f"Download {fmt[1:].upper()}",
                    bundle.file_bytes(fmt, top=limit),
                    f"hotspots{fmt}",
                    key=f"dl_hot_{fmt}",
                )
    st.page_link("pages/briefing.py", label="One-page briefing for this view", icon=":material/description:")
    render.footer()
