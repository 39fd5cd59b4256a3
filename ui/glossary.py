"""Plain-words meanings of the terms the pages use, one click away on every page (ui.render)."""

from __future__ import annotations

from vrc_geo.hotspots.plain_words import colocation_null, gi_inference

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Hot spot (Gi*)",
        "A ward whose violence, taken together with its neighbouring wards', is higher than chance would "
        "give if crime were spread at random across the wards (the Getis-Ord Gi* test). Cold spot: lower. "
        "“90 %, 95 %, 99 %” is how sure the test is. " + gi_inference(),
    ),
    (
        "FDR (false discovery rate)",
        "Testing 300 wards at once finds some by luck. The FDR correction raises the bar so that, of the "
        "wards called hot, no more than the stated share (10 %, 5 %, 1 %) are expected to be flukes.",
    ),
    (
        "z-score",
        "How many standard deviations above (or below) what chance would give. Above about 2 is unusual; "
        "it says how strong, not how sure: the confidence classes say that.",
    ),
    (
        "Place to patrol",
        "A circle of 40 m radius (80 m across), placed where the most violence is expected next month: it "
        "covers one or a few police.uk map points (each record is placed on the nearest of a fixed set of "
        "points, a “snap point”). A busy town centre is several circles, each what one officer can watch.",
    ),
    (
        "Institutional site",
        "A police station, custody suite, prison, hospital or port, or records with a blank location: "
        "crimes are recorded there for reasons patrols cannot change, so such places are listed apart.",
    ),
    (
        "Drug-related",
        "Drugs offences gather at the same place as the violence, more than they would if the two kinds of "
        "records were placed independently (co-location). Co-location ratio: how many times more drugs "
        "offences are close to the violence than expected by chance; above 1 means they go together. "
        + colocation_null(),
    ),
    (
        "PAI (prediction accuracy index)",
        "Share of next months' violence inside the places, divided by the share of land they cover. PAI 100: "
        "the places caught 100 times more than their size alone would. Compared with the simplest "
        "alternatives (the busiest snap points or grid squares over the same land).",
    ),
    (
        "PEI (prediction efficiency index)",
        "PAI divided by the best PAI anyone could have reached with the same land, knowing the future: 1 is perfect.",
    ),
    (
        "Emerging hot spot classes",
        "How a hot spot has behaved month by month (ArcGIS Pro's definitions). New: hot only in the last "
        "month. Consecutive: hot for an unbroken run of recent months. Intensifying / diminishing: hot in "
        "most months and getting stronger / weaker. Persistent: hot in most months without a trend. "
        "Sporadic: on and off, never a clear run. Oscillating: sometimes hot, sometimes cold. Historical: "
        "hot in most months but not the last one.",
    ),
    (
        "Crime harm",
        "Records weighted by seriousness (the ONS Crime Severity Score: roughly the days in prison a first "
        "offence would bring), so a wounding counts for more than a stalking report.",
    ),
    (
        "Suppressed [c]",
        "Small counts of hospital admissions are hidden (and a second number where the first could be "
        "worked out from a total) so no patient can be recognised.",
    ),
    (
        "Possible under-reporting",
        "A ward with more hospital admissions for assault than its police-recorded violence and residents "
        "would predict, beyond the 99.8 % limit of a funnel plot.",
    ),
    (
        "SYNTHETIC",
        "Made-up health figures generated for demonstration. Never read them as real hospital data.",
    ),
    (
        "Rate per 1,000 residents",
        "Records per 1,000 people living in the ward. Town centres have few residents and many visitors, so "
        "their rates run high: read rates beside counts.",
    ),
    (
        "Expected, had nothing changed (Did it work?)",
        "What the target areas would have recorded after the start if they had followed the rest of the area "
        "month by month, as they did before. The change is recorded against this.",
    ),
    (
        "p-value and 95 % interval (Did it work?)",
        "The same comparison is made for many sets of comparable places where nobody worked. p: the share "
        "of them that changed at least as much (p = 0.06: 6 in 100 did, so the change could be chance). "
        "The 95 % interval: the changes the data leave plausible.",
    ),
    (
        "Buffer (ring round the targets)",
        "A band of set width round the target areas, watched for violence that moved there (displacement) "
        "or fell there too (a spread of benefit).",
    ),
    (
        "WDQ (weighted displacement quotient)",
        "The buffer's change set against the targets' fall, both measured against the rest of the area. Above "
        "0: the benefit spread; 0 to -1: some violence moved, less than was prevented; below -1: more moved "
        "than was prevented. WDD (weighted displacement difference): the same as a count of records, with "
        "its p-value.",
    ),
)
