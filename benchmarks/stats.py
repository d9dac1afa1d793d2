"""Percentiles and ratios as the benchmarks print them."""

from __future__ import annotations

import math
import shutil
from collections.abc import Sequence
from pathlib import Path


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return "—" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def ratio(a: float, b: float) -> str:
    if math.isnan(a) or math.isnan(b) or b == 0:
        return "—"
    return f"{a / b:.2f}"


def keep_or_remove(state: Path, keep: bool) -> None:
    """A benchmark's state directory: kept for a look (``--keep``), else removed."""
    if keep:
        print(f"state kept in {state}")
    else:
        shutil.rmtree(state, ignore_errors=True)
