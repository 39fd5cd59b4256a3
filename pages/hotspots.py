"""Hotspots: footprints over the Gi* ward layer, the ranked list, the backtest, and the files."""

import pandas as pd
import streamlit as st

from ui import data, maps, page, render, state
from vrc_geo.base.decimals import percent_text
from vrc_geo.dataset.aggregate import Selection
from vrc_geo.hotspots.evaluate.backtest import DISCS, OURS
from vrc_geo.hotspots.footprint import row_place
from vrc_geo.hotspots.headline import hotspot_headline
from vrc_geo.hotspots.plain_words import colocation_null, gi_inference
from vrc_geo.hotspots.snap.institutions import institutions_sheet
from vrc_geo.reference.kinds import HOTSPOT_KINDS

# Plain words on screen; the files keep the documented column names (the XLSX adds these labels too).
TABLE_LABELS = {  # what a patrol plan reads first, so it fits a 1366 px laptop before the grid scrolls
    "rank": "Rank",
    "top_locations": "Place",
    "district_name": "District",
    "expected_per_month": "Expected a month",
    "drug_related": "Drug-related",
    "why": "Why it is here",
    "zone_name": "Patrol zone",
    "violence_count": "Violence records",
    "drugs_count": "Drugs records",
    "weapons_count": "Weapons",
    "robbery_count": "Robbery",
    "trend_class": "Trend of its ward",
    "colocation_ratio": "Drugs near the violence (× chance)",
    "main_site_share": "Share at the busiest point",
    "kind": "Kind",
    "institution": "Institution (public register)",
    "ward_names": "Wards",
    "area_km2": "Area (km²)",
    "hotspot_id": "ID",
}
KIND_LABELS = {k.key: k.label for k in HOTSPOT_KINDS}
#: Why a place with a higher ratio can be "not drug-related": the test, not the ratio, decides.
DRUG_MEANING = (
    "Yes when drug offences sit closer to this place's violence than chance would put them (the ratio above "
    "1) and a test of shuffled offence labels finds that unlikely by chance. A place with few records can show "
    "a high ratio and still not pass."
)
#: The ward trend's own test, beside the headline's hot wards (a ward can be one and not the other).
TREND_MEANING = (
    "Month by month: each month's Gi* against the whole period, then a trend test (emerging hot spot "
    "analysis). 'Persistent hot spot': hot in at least 9 months in 10. The headline's hot wards are tested "
    "once, on the period's total, so a ward can be one and not the other."
)
ZONE_TABLE = {
    "zone_id": "Zone",
    "zone_name": "Where",
    "places": "Places",
    "expected_per_month": "Expected a month",
    "share_of_violence": "Share of the violence",
    "drug_related": "Drug-related",
}
BACKTEST_LABELS = {
    "method": "Method",
    "cut": "Part of the list",
    "rows": "Places",
    "hit_rate": "Later records inside (%)",
    "area_share": "Share of the land",
    "area_km2": "Land (km²)",
    "pai": "PAI (× chance)",
    "pei": "PEI (of the best)",
    "rri": "RRI (held up)",
    "hits": "Later records inside",
}
#: Each backtest header's full meaning, as its tooltip (the short headers fit a 1366 px laptop).
BACKTEST_MEANINGS = {
    "Later records inside (%)": "The share of the later months' records that fell inside these places",
    "PAI (× chance)": "Times better than chance: the share of later records inside, divided by the share of the land",
    "PEI (of the best)": "Against the best any choice of the same land could have done, in the method's own "
    "shapes (1 = the best; 250 m cells are measured against the best 250 m cells, so a coarse method can "
    "score 1 and still hold fewer later records)",
    "RRI (held up)": "The records inside, later against earlier, compared with the whole area's (above 1: held more)",
}

with render.guard():
    dataset, view, selection = page.setup(unused=("groups", "measure", "health"))
    scope = Selection(selection.start, selection.end, selection.districts, None)
    bundle = data.hotspots(dataset, dataset.key, scope, view.hotspot_params)
    result, backtest = bundle.result, bundle.backtest
    table = result.table
    head = hotspot_headline(table)
    st.title("Violence hotspots")
    st.caption(
        f"{scope.describe(types=False)} · violence-group offences (violence and sexual offences, robbery, "
        "possession of weapons) · drug-related where drugs offences co-locate significantly"
    )
    render.headline(
        [
            ("Places to patrol", f"{head.places:,}", f"{head.hot_wards} hot wards, {head.sites} sites listed apart"),
            ("Drug-related places", f"{head.drug_related_places:,}", None),
            ("Violence in the places", f"{head.violence_in_places:,}", None),
            (  # the top tenth, as the backtest's paragraph below reads it
                "Accuracy, top tenth (PAI)",
                f"{backtest.card(OURS, 'top tenth').pai:.0f}" if backtest else "n/a",
                f"busiest snap points: {backtest.card(DISCS, 'top tenth').pai:.0f}" if backtest else None,
            ),
        ]
    )
    if bundle.notes:  # how the data were read (police.uk's redrawn map, the registers): for analysts
        with st.expander(f"Notes on the data ({len(bundle.notes)})"):
            for note in bundle.notes:
                st.markdown(render.md_escape(note))

    kinds = {"all": "Everything", **{k.key: k.plural for k in HOTSPOT_KINDS}}
    # A patrol list, not the whole table, by default: the first 30 places read clearly on the map and in
    # the files (which hold exactly the rows shown); "How many" goes up to every row.
    top = min(state.HOTSPOT_TOP, len(table))
    if not view.present:
        left, right = st.columns(2)
        shown = left.segmented_control("Show", list(kinds), format_func=kinds.get, default="all", key="f_hkind")
        shown = shown or "all"
        keep = table["kind"].eq(shown) if shown != "all" else table["kind"].notna()
        rows = int(keep.sum())
        steps = state.top_choices(rows)
        if len(steps) > 1:
            top = right.select_slider(
                "How many (ranked)",
                steps,
                value=min(top, rows) if min(top, rows) in steps else steps[-1],
                format_func=lambda n, rows=rows, rest=shown: (
                    (f"all {n:,}" + (" rows" if rest == "all" else "")) if n == rows else f"{n:,}"
                ),
                key="f_top",
            )
    else:
        shown = "all"
        keep = table["kind"].notna()
    listed = table[keep].head(top)

    render.legend(
        "Places: numbered by rank, sized by violence records (zoom in for their footprints) · "
        "wards: hot/cold spots of violence-group records (Gi*)",
        [
            ("Drug-related place", maps.HOTSPOT_COLOURS["drug"]),
            ("Other place to patrol", maps.HOTSPOT_COLOURS["other"]),
            ("Institutional site", maps.HOTSPOT_COLOURS["site"]),
        ]
        + [(maps.GI_LABELS[b], maps.GI_COLOURS[b]) for b in (3, 2, 1, 0, -1, -2, -3)],
        alpha=170 / 255,
        solid=3,
    )
    chosen = dict(view.hotspot_params)
    st.caption(
        gi_inference(permutations=chosen.get("gi_permutations", 9999), inference=chosen.get("inference", "permutation"))
        + " "
        + colocation_null(permutations=chosen.get("permutations", 999))
    )
    # Patrol zones: a click on a zone's outline (or the box below) shows that zone close up with all its
    # circles. After any click (a zone, a ward, a marker) the chart restarts under a new key so Streamlit's
    # own selection styling never lingers.
    zones = result.zones
    listed_zones = zones[zones["zone_id"].isin(set(listed["zone_id"]))] if zones is not None else None
    chart_key = f"hotspot_map_{st.session_state.get('_zone_round', 0)}"
    event = st.session_state.get(chart_key)
    clicked = render.picked(event, "zones", "zone_id")
    if clicked:
        st.session_state["f_zone"] = clicked
    if render.picked_any(event):
        st.session_state["_zone_round"] = st.session_state.get("_zone_round", 0) + 1
        chart_key = f"hotspot_map_{st.session_state['_zone_round']}"
    zone_names = {}
    if zones is not None:
        zone_names = dict(zip(zones["zone_id"], zones["zone_id"] + " " + zones["zone_name"], strict=True))
    if st.session_state.get("f_zone") not in zone_names:
        st.session_state["f_zone"] = None
    zone = st.session_state.get("f_zone")
    deck = data.hotspot_deck(dataset, dataset.key, scope, shown, top, view.basemap, view.hotspot_params, zone)
    st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=chart_key, height=maps.MAP_HEIGHT_PX)
    if zones is not None and not view.present:
        choices = list(dict.fromkeys([*listed_zones["zone_id"], *([zone] if zone else [])]))
        st.selectbox(
            "Patrol zone (or click its outline on the map)",
            choices,
            format_func=zone_names.get,
            index=None,
            key="f_zone",
            placeholder="All zones of the places listed",
        )
    if zone:
        row = zones.set_index("zone_id").loc[zone]
        st.markdown(
            f"**{render.md_escape(zone_names[zone])}** — {int(row['places'])} place(s) to patrol, about "
            f"**{row['expected_per_month']:.0f}** violence-group records expected a month (in 8 months of 10 "
            f"between {int(row['expected_low'])} and {int(row['expected_high'])}), "
            f"{100 * row['share_of_violence']:.1f}% of the selection's violence"
            + (", drug-related." if row["drug_related"] else ".")
        )
        listed = table[table["zone_id"] == zone]
    if backtest:
        st.subheader("How good are these hotspots?")
        st.markdown(backtest.sentence())
        render.table(
            # the peers are counted in land, not places: no "0 places" beside them
            backtest.table()
            .assign(
                rows=lambda t: [f"{r:,}" if r > 0 else "" for r in t["rows"]],
                hit_rate=lambda t: 100 * t["hit_rate"],  # one decimal, as the sentence above
                area_share=lambda t: [percent_text(v) for v in t["area_share"]],  # as the sentence writes it
            )
            .rename(columns=BACKTEST_LABELS),
            meanings=BACKTEST_MEANINGS,
            column_config={
                "Later records inside (%)": st.column_config.NumberColumn(format="%.1f%%"),
                "Land (km²)": st.column_config.NumberColumn(format="%.1f"),
                "PAI (× chance)": st.column_config.NumberColumn(format="%.0f"),
                "PEI (of the best)": st.column_config.NumberColumn(format="%.2f"),
                "RRI (held up)": st.column_config.NumberColumn(format="%.2f"),
            },
        )
        st.caption(
            "Times better than chance (PAI): the share of later records inside, divided by the share of the "
            "land. Of the best possible (PEI): against the best any choice of the same land could have done "
            "(1 = the best). Held up (RRI): the records inside, later against earlier, compared with the whole "
            "area's (above 1: these places held more of the violence than before)."
        )
    if listed_zones is not None and len(listed_zones) and not zone:
        st.subheader("Patrol zones")
        st.caption(
            "The places listed, grouped into named zones at most 1 km wide (circles within 250 m of each other "
            "join); ranked by the violence-group records expected there a month."
        )
        render.table(
            pd.DataFrame(listed_zones.drop(columns="geometry"))[list(ZONE_TABLE)]
            .rename(columns=ZONE_TABLE)
            .assign(
                **{
                    "Drug-related": ["Yes" if d else "" for d in listed_zones["drug_related"]],
                    "Share of the violence": 100 * listed_zones["share_of_violence"].to_numpy(),
                }
            ),
            height=260,
            column_config={
                "Expected a month": st.column_config.NumberColumn(format="%.0f"),
                "Share of the violence": st.column_config.NumberColumn(format="%.1f%%"),
            },
        )
    st.subheader("Ranked hotspots")
    st.caption(
        "Ranked by the violence-group records expected there a month (recent months count most, and a "
        "quiet place is steadied by its neighbours), not by the period's total; places sharing a figure "
        "are listed by their own recent records."
        + {
            "ward": " Hot wards come after the places, listed by how sure the test is that they are hot (Gi*), "
            "so their expected records do not fall row by row; each row keeps its number in the whole list.",
            "site": " Sites come last in the whole list and keep their numbers from it.",
        }.get(shown, "")
    )
    plain = listed[list(TABLE_LABELS)].rename(columns=TABLE_LABELS)
    plain["Kind"] = listed["kind"].map(KIND_LABELS).fillna(listed["kind"]).to_numpy()
    plain["Drug-related"] = ["Yes" if d else "" for d in listed["drug_related"]]
    plain["Place"] = [
        row_place(*row)
        for row in zip(
            listed["kind"], listed["top_locations"], listed["ward_names"], listed["institution"], strict=True
        )
    ]
    if not listed["institution"].astype(bool).any():
        plain = plain.drop(columns="Institution (public register)")
    if listed["area_km2"].round(3).nunique() <= 1:  # every row the same circle: nothing to read in it
        plain = plain.drop(columns="Area (km²)")
    render.table(
        plain,
        height=420,
        meanings={"Trend of its ward": TREND_MEANING, "Drug-related": DRUG_MEANING},
        column_config={  # rank and place stay in view when the grid scrolls sideways
            "Rank": st.column_config.NumberColumn(pinned=True),
            "Place": st.column_config.TextColumn(pinned=True),
            "Why it is here": st.column_config.TextColumn(width="large"),
            "Share at the busiest point": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent"),
            "Drugs near the violence (× chance)": st.column_config.NumberColumn(format="%.1f"),
            "Area (km²)": st.column_config.NumberColumn(format="%.3f"),
            "Expected a month": st.column_config.NumberColumn(format="%.1f"),
        },
    )
    claims = result.places.claims if result.places is not None else None
    if claims is not None and not view.present:
        named = claims["institution"].nunique()
        with st.expander(f"Sites from the public registers: {named} institution{'' if named == 1 else 's'}"):
            st.markdown(
                "Hospitals and prisons of public registers (NHS website 2021, NHS trust sites 2018, Ministry of "
                "Justice 2022, prison estate 2017) claim the police.uk map point their records go to when that "
                "point looks like an institution's: busy and steady, mostly violence, little theft, and far "
                "busier than its neighbours. Those points are listed apart as sites, not as places to patrol."
            )
            render.table(institutions_sheet(claims, result.places.unclaimed), height=300)
    if not view.present:
        st.caption(
            f"The files hold exactly the {len(listed)} rows shown above, with the period and districts in "
            "every row and in the file name (columns under the names analysts' tools expect); the XLSX adds "
            "the method, the backtest, the harm weights and a sheet saying each column in plain words."
        )
        limit = None if top >= int(keep.sum()) else top
        cols = st.columns(3)
        for col, fmt in zip(cols, (".csv", ".xlsx", ".geojson"), strict=True):
            with col:
                render.download(
                    f"Download {render.format_name(fmt)}",
                    lambda fmt=fmt: bundle.file_bytes(fmt, top=limit, kind=shown),
                    bundle.file_name(fmt, top=limit, kind=shown),
                    key=f"dl_hot_{fmt}",
                )
        if zones is not None:
            cols = st.columns(3)
            for col, fmt in zip(cols, (".csv", ".xlsx", ".geojson"), strict=True):
                with col:
                    render.download(
                        f"Patrol zones {render.format_name(fmt)}",
                        lambda fmt=fmt: bundle.file_bytes(fmt, by="zone"),
                        bundle.file_name(fmt, by="zone"),
                        key=f"dl_zone_{fmt}",
                    )
    st.page_link("pages/briefing.py", label="One-page briefing for this view", icon=":material/description:")
    render.footer()
