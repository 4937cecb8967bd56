"""The dashboard's figures are valid plotly figures (checked against plotly's own schema)."""

import datetime
import json

import plotly.graph_objects as go

from analytics import charts

MONTHS = [datetime.date(2026, m, 1) for m in range(1, 7)]


def valid(figure_json: str) -> go.Figure:
    return go.Figure(json.loads(figure_json))  # raises on any property plotly does not know


def test_every_figure_matches_plotlys_schema():
    valid(
        charts.coverage_heatmap(
            rows=["市民課"], columns=["A1"], column_names=["A1 名称"], shares=[[40.0]], texts=[["40%"]]
        )
    )
    valid(charts.leaders_vs_target(departments=["市民課"], targets=[3], actual=[1]))
    figure = valid(
        charts.trend(
            months=MONTHS,
            leaders=[0, 1, 1, 2, None, 3],
            target=6,
            forecast_months=MONTHS[-2:],
            forecast_mid=[3, 4],
            forecast_low=[3, 3.5],
            forecast_high=[3, 4.5],
        )
    )
    assert figure.layout.shapes[0].y0 == 6
    valid(charts.funnel(stages=["受講登録", "認定取得"], people=[10, None]))
