"""The view state: sidebar filters that live in the URL, so a view can be bookmarked and reopened.

URL keys: ``d`` districts (codes, comma-separated; absent = all), ``from``/``to`` months, ``g`` offence
groups, ``t`` police.uk categories (narrower than groups), ``m`` measure (count, rate, change), ``h``
health source (none, demo, upload), ``r`` ranking method (a registered key), ``ward`` the selected
ward, ``present`` presentation mode, ``base`` basemap. Bad values in a shared link fall back to
defaults with a warning, never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.render import md_escape
from vrc_geo.base.months import month_words
from vrc_geo.dataset.aggregate import Selection, make_selection
from vrc_geo.errors import VrcGeoError
from vrc_geo.hotspots.methods import METHODS
from vrc_geo.hotspots.place_options import PLACE_DEFAULTS
from vrc_geo.reference.area import AREA, DISTRICTS, selection_name
from vrc_geo.reference.taxonomy import CRIME_TYPES, GROUP_LABELS

MEASURE_LABELS = {"count": "Count", "rate": "Rate per 1,000 residents", "change": "Change on previous period"}
HEALTH_LABELS = {
    "none": "Police data only",
    "demo": "Health: SYNTHETIC demo",
    "upload": "Health: uploaded extract",
}
DEFAULT_GROUPS = ("violence",)
DEFAULT_MEASURE = "count"
DEFAULT_HEALTH = "none"
HOTSPOT_TOP = 30  # places the Hotspots page lists and maps at first (the "How many" slider goes to every row)
_TOP_STEPS = (5, 10, 20, 30, 50, 100, 200, 500, 1000)


def top_choices(rows: int) -> list[int]:
    """The "How many" slider's stops for a list of ``rows``: round numbers a patrol plan uses, then all of
    them (a slider over every count jumped from 30 to 104 in one short drag)."""
    return [n for n in _TOP_STEPS if n < rows] + ([rows] if rows > 0 else [])


DEFAULT_METHOD = PLACE_DEFAULTS["method"]
WIDGET_KEYS = (
    "f_present",
    "f_districts",
    "f_period",
    "f_groups",
    "f_types",
    "f_measure",
    "f_health",
    "f_method",
    "f_basemap",
)


def method_labels() -> dict[str, str]:
    """Registered ranking methods: key -> label (the registry may grow after import)."""
    return {m.key: m.label for m in METHODS.values()}


@dataclass(frozen=True)
class ViewState:
    districts: tuple[str, ...]
    start: str
    end: str
    groups: tuple[str, ...]
    types: tuple[str, ...]
    measure: str
    health: str
    ward: str | None
    present: bool
    basemap: bool
    method: str = DEFAULT_METHOD

    @property
    def hotspot_params(self) -> tuple[tuple[str, object], ...]:
        """Options of the hotspot list this view asks for (none: the defaults)."""
        return () if self.method == DEFAULT_METHOD else (("method", self.method),)

    @property
    def selection(self) -> Selection:
        # No group chosen means every crime, not anti-social behaviour: police.uk's ASB rows are incidents,
        # not crimes, and would swell "all offences" by about a quarter. ASB is a group of its own.
        wanted = list(self.types) if self.types else list(self.groups) or ["crime"]
        return make_selection(
            start=self.start,
            end=self.end,
            districts=list(self.districts) or None,
            crime_types=wanted or None,
        )

    def describe(self) -> str:
        where = selection_name(self.districts)
        what = ", ".join(self.types) if self.types else ", ".join(GROUP_LABELS[g] for g in self.groups)
        return f"{where} · {what or 'all crime (not anti-social behaviour)'}"

    def place(self) -> str:
        """Where the view looks, for titles: the districts chosen, or Kent & Medway."""
        names = [DISTRICTS[d] for d in self.districts]
        if not names:
            return AREA.name
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _split(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


#: A history longer than this opens on its latest :data:`OPENING_MONTHS` (the slider reaches back to the first).
LONG_HISTORY_MONTHS = 24
OPENING_MONTHS = 12


def default_period(months: list[str]) -> tuple[str, str]:
    """The months a view opens on: all of them, or the latest year of a long history (years of data would
    otherwise open every page, and the hotspots, on a decade nobody patrols; docs/app.md)."""
    if len(months) > LONG_HISTORY_MONTHS:
        return months[-OPENING_MONTHS], months[-1]
    return months[0], months[-1]


def opening_view(months: list[str]) -> ViewState:
    """The view a link without filters opens on (the sidebar's defaults; :mod:`ui.warm` prepares it)."""
    start, end = default_period(months)
    return ViewState(
        districts=(),
        start=start,
        end=end,
        groups=DEFAULT_GROUPS,
        types=(),
        measure=DEFAULT_MEASURE,
        health=DEFAULT_HEALTH,
        ward=None,
        present=False,
        basemap=False,
    )


def _initialise(months: list[str]) -> None:
    """Put the URL's values into the widgets' state, once per session (later runs keep the widgets')."""
    if st.session_state.get("_state_ready"):
        return
    q = st.query_params
    problems = []
    districts = [d for d in _split(q.get("d")) if d in DISTRICTS]
    if len(districts) != len(_split(q.get("d"))):
        problems.append("district")
    first, last = default_period(months)
    start, end = q.get("from", first), q.get("to", last)
    if start not in months or end not in months or start > end:
        if "from" in q or "to" in q:
            problems.append("period")
        start, end = first, last
    groups = [g for g in _split(q.get("g")) if g in GROUP_LABELS]
    if "g" not in q:
        groups = list(DEFAULT_GROUPS)
    types = [t for t in _split(q.get("t")) if t in CRIME_TYPES]
    measure = q.get("m", DEFAULT_MEASURE)
    if measure not in MEASURE_LABELS:
        problems.append("measure")
        measure = DEFAULT_MEASURE
    health = q.get("h", DEFAULT_HEALTH)
    if health not in HEALTH_LABELS:
        problems.append("health source")
        health = DEFAULT_HEALTH
    method = q.get("r", DEFAULT_METHOD)
    if method not in METHODS:
        problems.append("ranking method")
        method = DEFAULT_METHOD
    st.session_state.update(
        {
            "f_districts": [DISTRICTS[d] for d in districts],
            "p_period": (start, end),  # the Months slider takes it as its value (see sidebar)
            "f_groups": [GROUP_LABELS[g] for g in groups],
            "f_types": types,
            "f_measure": MEASURE_LABELS[measure],
            "f_health": HEALTH_LABELS[health],
            "f_method": method_labels()[method],
            "f_ward": q.get("ward") or None,
            "f_present": q.get("present") == "1",
            "f_basemap": q.get("base") == "1",
            "_state_ready": True,
        }
    )
    if problems:
        st.session_state["_url_warning"] = (
            "The link had values this data cannot show (" + ", ".join(problems) + "); defaults are used for them."
        )


def _valid(key: str, value: object) -> bool:
    # A month range is always two months; a lone value (seen from the test harness) is not kept.
    return key != "f_period" or (isinstance(value, (tuple, list)) and len(value) == 2)


def _keep(key: str) -> None:
    if _valid(key, st.session_state[key]):
        st.session_state["p" + key[1:]] = st.session_state[key]


def _bound(key: str) -> dict:
    """Widget options that keep the value under a ``p_`` key when the user changes it."""
    return {"key": key, "on_change": _keep, "args": (key,)}


def set_value(key: str, value: object) -> None:
    """Change a filter from code (a button, a map click): the widget shows it on the next run."""
    st.session_state["p" + key[1:]] = value


#: What a page can say it does not use, and why (the control is greyed out there, with this as its help).
BASEMAP_STYLE_URL = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"  # Carto "light"


@st.cache_data(ttl=300, show_spinner=False)
def basemap_reachable(url: str = BASEMAP_STYLE_URL, timeout_s: float = 2.0) -> bool:
    """Whether the basemap's tile server answers (checked from the server, every five minutes at most)."""
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


UNUSED = {
    "months": "Not used on this page: health figures are published for whole years only (choose the year on the "
    "page), and the police figures beside them cover the same months.",
    "groups": "Not used on this page: it uses its own offences (the caption under the title says which).",
    "measure": "Not used on this page: it has its own map.",
    "health": "Not used on this page.",
    "method": "Not used on this page: it lists no hotspots.",
}


def sidebar(months: list[str], *, unused: dict[str, str] | None = None) -> ViewState:
    """Render the filters (hidden in presentation mode) and return the state they hold. ``unused``
    names the controls the page ignores (``groups``, ``measure``, ``health``) and why: they are greyed
    out there rather than silently doing nothing."""
    unused = unused or {}
    _initialise(months)
    by_name = {v: k for k, v in DISTRICTS.items()}
    by_label = {v: k for k, v in GROUP_LABELS.items()}
    # Widget state is dropped when a page stops drawing a widget; the filters are kept under "p_" keys and
    # handed back to the widgets on every run, so they survive page changes.
    for key in WIDGET_KEYS:
        if key != "f_period" and "p" + key[1:] in st.session_state:
            st.session_state[key] = st.session_state["p" + key[1:]]
    # The Months slider is a range slider only if it is given a range as its value: given its value through
    # session state alone it is a one-thumb slider drawn with two thumbs, and every move comes back as one
    # month and is thrown away (the "snap back"). It gets the kept range as ``value`` instead; while the user
    # moves it, its own state wins.
    period = st.session_state.get("p_period")
    if not (_valid("f_period", period) and set(period) <= set(months)):
        period = default_period(months)
    live = st.session_state.get("f_period")
    if live is not None and not (_valid("f_period", live) and set(live) <= set(months)):
        del st.session_state["f_period"]  # another dataset's months, or a one-month value: start again
    with st.sidebar:
        st.toggle("Presentation mode", help="Larger type, controls hidden, figures first.", **_bound("f_present"))
        st.multiselect(f"Districts (none = all {len(DISTRICTS)})", list(by_name), **_bound("f_districts"))
        if len(months) > 1:
            st.select_slider(
                "Months",
                options=months,
                value=tuple(period),
                format_func=month_words,
                disabled="months" in unused,
                help=unused.get("months"),
                **_bound("f_period"),
            )
        groups = {"disabled": "groups" in unused, "help": unused.get("groups")}
        st.multiselect("Offence groups", list(by_label), **groups, **_bound("f_groups"))
        with st.expander("Narrow to police.uk categories"):
            st.multiselect("Categories (override the groups)", list(CRIME_TYPES), **groups, **_bound("f_types"))
        measure = {"disabled": "measure" in unused, "help": unused.get("measure")}
        st.radio("Map measure", list(MEASURE_LABELS.values()), **measure, **_bound("f_measure"))
        health = {"disabled": "health" in unused, "help": unused.get("health")}
        st.radio("Data sources", list(HEALTH_LABELS.values()), **health, **_bound("f_health"))
        ranking = " ".join(f"**{m.label}**: {m.summary}" for m in METHODS.values())
        method = {
            "disabled": "method" in unused,
            "help": unused.get("method") or f"How places to patrol are ranked. {ranking}",
        }
        st.selectbox("Ranking method", list(method_labels().values()), **method, **_bound("f_method"))
        st.toggle("Basemap (needs internet)", **_bound("f_basemap"))
        if st.session_state.get("f_basemap") and not basemap_reachable():
            st.warning(
                "The basemap's tiles cannot be reached from here (no internet, or blocked): the maps show "
                "wards and districts only.",
                icon=":material/cloud_off:",
            )
    for key in WIDGET_KEYS:
        if key in st.session_state and _valid(key, st.session_state[key]):
            st.session_state["p" + key[1:]] = st.session_state[key]
    if "_url_warning" in st.session_state:
        st.warning(md_escape(st.session_state.pop("_url_warning")))
    period = st.session_state.get("p_period", default_period(months))
    start, end = period if _valid("f_period", period) and set(period) <= set(months) else default_period(months)
    state = ViewState(
        districts=tuple(by_name[n] for n in st.session_state.get("f_districts", [])),
        start=start,
        end=end,
        groups=tuple(by_label[g] for g in st.session_state.get("f_groups", [])),
        types=tuple(st.session_state.get("f_types", [])),
        measure={v: k for k, v in MEASURE_LABELS.items()}[st.session_state.get("f_measure", "Count")],
        health={v: k for k, v in HEALTH_LABELS.items()}[st.session_state.get("f_health", HEALTH_LABELS["none"])],
        ward=st.session_state.get("f_ward"),
        present=bool(st.session_state.get("f_present", False)),
        method={v: k for k, v in method_labels().items()}.get(st.session_state.get("f_method", ""), DEFAULT_METHOD),
        basemap=bool(st.session_state.get("f_basemap", False)),
    )
    write_query(state, months)
    return state


def presenting() -> bool:
    """Presentation mode for a page without the filters (Data): as the other pages left it, or as its
    link says for a session that starts there. The link keeps it, so a reload stays presenting."""
    present = bool(st.session_state["p_present"]) if "p_present" in st.session_state else None
    if present is None:
        present = st.query_params.get("present") == "1"
        st.session_state["p_present"] = present
    if present:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]
    return present


def write_query(state: ViewState, months: list[str]) -> None:
    """Mirror the state into the URL (defaults left out, so links stay short)."""
    params: dict[str, str] = {}
    if state.districts:
        params["d"] = ",".join(state.districts)
    first, last = default_period(months)
    if state.start != first:
        params["from"] = state.start
    if state.end != last:
        params["to"] = state.end
    if tuple(state.groups) != DEFAULT_GROUPS:
        params["g"] = ",".join(state.groups)
    if state.types:
        params["t"] = ",".join(state.types)
    if state.measure != DEFAULT_MEASURE:
        params["m"] = state.measure
    if state.health != DEFAULT_HEALTH:
        params["h"] = state.health
    if state.method != DEFAULT_METHOD:
        params["r"] = state.method
    if state.ward:
        params["ward"] = state.ward
    if state.present:
        params["present"] = "1"
    if state.basemap:
        params["base"] = "1"
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def safe_selection(state: ViewState) -> Selection | None:
    """The state's selection, or ``None`` after showing why it cannot be used."""
    try:
        return state.selection
    except VrcGeoError as exc:
        st.error(md_escape(exc))
        return None
