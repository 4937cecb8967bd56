"""When does a department reach its target at its current pace? Pure (numpy); see ADR 0006.

Method: an ordinary least-squares line through the last (up to) 12 monthly counts gives the pace
(people per month) and its standard error. The expected month is the last count plus the remaining gap
divided by the pace; the range uses the pace ± z·SE (z = 1.28, an 80% interval). When the slow end of
that range is zero or negative (or more than ten years away), the latest month is open.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Z80 = 1.2816
WINDOW = 12
MIN_POINTS = 3
HORIZON = 120  # months: a range end further than ten years out is shown as open

REACHED = "reached"
ON_PACE = "on_pace"
NO_PROGRESS = "no_progress"
TOO_FEW = "too_few"


@dataclass(frozen=True)
class Forecast:
    status: str
    pace: float | None = None  # people per month
    pace_low: float | None = None
    pace_high: float | None = None
    expected: datetime.date | None = None
    earliest: datetime.date | None = None
    latest: datetime.date | None = None  # None with status ON_PACE: the slow end never gets there
    points: int = 0


def add_months(day: datetime.date, months: float) -> datetime.date:
    whole = math.ceil(months)
    month_index = day.year * 12 + day.month - 1 + whole
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def forecast_reach(*, months: Sequence[datetime.date], values: Sequence[float], target: float) -> Forecast:
    """``months``: first days of consecutive months (oldest first); ``values``: the count in each."""
    months, values = list(months)[-WINDOW:], [float(v) for v in list(values)[-WINDOW:]]
    n = len(values)
    if n and values[-1] >= target:
        return Forecast(status=REACHED, points=n)
    if n < MIN_POINTS:
        return Forecast(status=TOO_FEW, points=n)
    t = np.array([(m.year - months[0].year) * 12 + m.month - months[0].month for m in months], dtype=float)
    y = np.array(values)
    t_mean = t.mean()
    sxx = float(((t - t_mean) ** 2).sum())
    slope = float(((t - t_mean) * (y - y.mean())).sum() / sxx)
    residuals = y - (y.mean() + slope * (t - t_mean))
    se = math.sqrt(float((residuals**2).sum()) / (n - 2) / sxx) if n > 2 else 0.0
    low, high = slope - Z80 * se, slope + Z80 * se
    if slope <= 0:
        return Forecast(status=NO_PROGRESS, pace=slope, pace_low=low, pace_high=high, points=n)
    gap = target - values[-1]
    last = months[-1]
    return Forecast(
        status=ON_PACE,
        pace=slope,
        pace_low=low,
        pace_high=high,
        expected=add_months(last, gap / slope),
        earliest=add_months(last, gap / high),
        latest=add_months(last, gap / low) if low > 0 and gap / low <= HORIZON else None,
        points=n,
    )
