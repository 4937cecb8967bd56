"""The forecast: a least-squares pace with an 80% interval turned into a range of months."""

import datetime

from analytics import forecast

MONTHS = [datetime.date(2025, m, 1) for m in range(4, 13)] + [datetime.date(2026, m, 1) for m in (1, 2, 3)]


def test_a_steady_pace_reaches_the_target_on_the_expected_month():
    result = forecast.forecast_reach(months=MONTHS, values=list(range(12)), target=15)
    assert result.status == forecast.ON_PACE
    assert round(result.pace, 6) == 1
    # 11 at 2026-03, 4 more at one a month: 2026-07; a perfect line has no uncertainty
    assert result.expected == result.earliest == result.latest == datetime.date(2026, 7, 1)


def test_noise_widens_the_interval():
    values = [0, 2, 1, 3, 2, 4, 3, 5, 4, 6, 5, 7]
    result = forecast.forecast_reach(months=MONTHS, values=values, target=12)
    assert result.earliest < result.expected < result.latest


def test_reached_flat_and_too_few():
    assert forecast.forecast_reach(months=MONTHS[:2], values=[3, 5], target=5).status == forecast.REACHED
    assert forecast.forecast_reach(months=MONTHS[:2], values=[1, 2], target=5).status == forecast.TOO_FEW
    flat = forecast.forecast_reach(months=MONTHS, values=[2] * 12, target=5)
    assert flat.status == forecast.NO_PROGRESS


def test_a_pace_that_may_be_zero_leaves_the_latest_month_open():
    values = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0]
    result = forecast.forecast_reach(months=MONTHS, values=values, target=10)
    assert result.status == forecast.ON_PACE and result.latest is None
