"""plotly figures of the HR reports, as JSON strings. No models: lists in, figures out.

The figures are plain dicts in plotly's figure schema, serialised with ``json``: building them through
``plotly.graph_objects`` validated every property and cost ~30 ms per figure, most of the dashboard's
server time. ``tests/analytics/test_charts.py`` loads each one into ``plotly.graph_objects.Figure`` so the
schema is still checked. Every figure has a table alternative on the page for screen readers.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from django.utils.translation import gettext as _

FONT = {"family": "Hiragino Sans, Noto Sans JP, Meiryo, sans-serif"}
PRIMARY = "#0b4f8a"
ACCENT = "#a4161a"
# Light to dark blue; plotly picks a readable text colour for each cell.
SCALE = [[0, "#f1f5fb"], [0.5, "#6b9bd1"], [1, "#0b3a66"]]


def _json(figure: dict) -> str:
    return json.dumps(figure, ensure_ascii=False, default=_default)


def _default(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value))


def coverage_heatmap(
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    column_names: Sequence[str],
    shares: list[list],
    texts: list[list],
) -> str:
    """Department × competency: share of staff at the level or above (None where suppressed)."""
    heatmap = {
        "type": "heatmap",
        "z": shares,
        "x": list(columns),
        "y": list(rows),
        "text": texts,
        "texttemplate": "%{text}",
        "customdata": [list(column_names) for _row in rows],
        "hovertemplate": "%{y} / %{customdata}: %{text}<extra></extra>",
        "colorscale": SCALE,
        "zmin": 0,
        "zmax": 100,
        "colorbar": {"title": {"text": "%"}},
        "hoverongaps": False,
    }
    layout = {
        "height": max(260, 60 + 28 * len(rows)),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "xaxis": {"side": "top", "automargin": True},
        "font": FONT,
    }
    return _json({"data": [heatmap], "layout": layout})


def leaders_vs_target(*, departments: Sequence[str], targets: Sequence, actual: Sequence) -> str:
    bars = [
        {
            "type": "bar",
            "orientation": "h",
            "y": list(departments),
            "x": list(targets),
            "name": _("目標"),
            "marker": {"color": "#9fb7d4"},
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": list(departments),
            "x": list(actual),
            "name": _("認定者"),
            "marker": {"color": PRIMARY},
        },
    ]
    layout = {
        "barmode": "group",
        "height": max(240, 60 + 40 * len(departments)),
        "yaxis": {"autorange": "reversed", "automargin": True},
        "xaxis": {"title": {"text": _("人数")}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "font": FONT,
    }
    return _json({"data": bars, "layout": layout})


def trend(
    *,
    months: Sequence[datetime.date],
    leaders: Sequence,
    target: float | None,
    forecast_months: Sequence[datetime.date] = (),
    forecast_mid: Sequence[float] = (),
    forecast_low: Sequence[float] = (),
    forecast_high: Sequence[float] = (),
) -> str:
    """Certified leaders by month, the target, and the forecast with its 80% band."""
    data = []
    if forecast_months:
        x = list(forecast_months)
        data += [
            {
                "type": "scatter",
                "x": x,
                "y": list(forecast_high),
                "mode": "lines",
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "x": x,
                "y": list(forecast_low),
                "mode": "lines",
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": "rgba(11,79,138,0.15)",
                "name": _("予測の80%区間"),
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "x": x,
                "y": list(forecast_mid),
                "mode": "lines",
                "name": _("予測(現在のペース)"),
                "line": {"dash": "dash", "color": PRIMARY},
            },
        ]
    data.append(
        {
            "type": "scatter",
            "x": list(months),
            "y": list(leaders),
            "mode": "lines+markers",
            "name": _("認定者"),
            "line": {"color": PRIMARY},
        }
    )
    layout = {
        "height": 340,
        "yaxis": {"title": {"text": _("DX推進リーダー(人)")}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.25},
        "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "font": FONT,
    }
    if target is not None:
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": target,
                "y1": target,
                "line": {"color": ACCENT, "dash": "dot"},
            }
        ]
        layout["annotations"] = [
            {"xref": "paper", "x": 1, "y": target, "text": _("目標"), "showarrow": False, "yanchor": "bottom"}
        ]
    return _json({"data": data, "layout": layout})


def funnel(*, stages: Sequence[str], people: Sequence) -> str:
    data = [
        {
            "type": "funnel",
            "y": list(stages),
            "x": list(people),
            "marker": {"color": PRIMARY},
            "textinfo": "value+percent initial",
        }
    ]
    layout = {"height": 300, "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "font": FONT}
    return _json({"data": data, "layout": layout})
