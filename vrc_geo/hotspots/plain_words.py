"""How sure the hotspot tests are, in the words the screens, the glossary and the briefing use.

One place for the sentences, so the page legend, the ward detail, the glossary and the briefing say the
same thing about the same test (methods: docs/methods/gistar.md, docs/methods/colocation.md).
"""

from __future__ import annotations

__all__ = ["colocation_null", "gi_inference"]


def gi_inference(*, permutations: int = 9999, inference: str = "permutation") -> str:
    """How a ward's hot/cold class is decided, for readers who do not know the Gi* test."""
    if inference == "analytic":
        how = "from the normal curve the Gi* score follows when crime is spread at random"
    else:
        how = (
            f"by shuffling the other wards' counts at random {permutations:,} times and seeing how often a "
            "ward and its neighbours come out as high by luck"
        )
    return (
        f"Hot and cold wards come from the Gi* test: how sure (90, 95 or 99 %) is worked out {how}, "
        "with the bar raised for testing every ward at once (FDR)."
    )


def colocation_null(*, permutations: int = 999) -> str:
    """What "drug-related" is tested against, in plain words."""
    return (
        "Drug-related: the violence stays where it is and the other crimes' labels (drugs, theft, and so on) "
        f"are shuffled among them at random {permutations:,} times; a place is drug-related when its drugs "
        "offences sit closer to its violence than in nearly all of those shuffles (allowing for testing many "
        "places at once)."
    )
