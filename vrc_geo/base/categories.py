"""Text of a stored column, made once per category rather than once per record.

The processed records keep months, offence types and codes as categories (docs/data.md). Reading them
as text with ``astype(str)`` builds a string for every record; over a county's records that was about a
fifteenth of a new hotspot selection's CPU (benchmarks/README.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["text_of"]


def text_of(values: pd.Series) -> np.ndarray:
    """``values.astype(str).to_numpy()``: the same strings, missing values as NaN, in an object array.
    Categories of text are read by code; anything else (numbers as categories print as pandas prints
    them: ``1.0`` beside a missing value) goes through ``astype(str)`` as before."""
    if isinstance(values.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(values.cat.categories):
        names = np.append(values.cat.categories.astype(str).to_numpy(dtype=object), np.nan)
        return names[values.cat.codes.to_numpy()]  # code -1 (missing) takes the last entry
    return values.astype(str).to_numpy()
