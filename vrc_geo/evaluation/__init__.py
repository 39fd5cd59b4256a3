"""Did it work? Before/after evaluation of targeted work against what would have happened anyway.

``did`` (the difference-in-differences Poisson model), ``displacement`` (WDQ, WDD), ``panel`` (records
into target, buffer and control counts per month), ``placebo`` (permutation inference from comparable
untouched places), ``service`` (one call for the faces), ``report`` (files). Method page:
docs/methods/evaluation.md.
"""
