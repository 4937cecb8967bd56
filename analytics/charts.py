"""plotly figures of the HR reports, as JSON strings. No models: frames and plain lists in, figures out.

Every figure has a table alternative on the page (``tables.ReportTable``) for screen readers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.translation import gettext as _

FONT = {"family": "Hiragino Sans, Noto Sans JP, Meiryo, sans-serif"}
PRIMARY = "#0b4f8a"
ACCENT = "#a4161a"
# Light to dark blue; every step readable with the text colour plotly picks.
SCALE = [[0, "#f1f5fb"], [0.5, "#6b9bd1"], [1, "#0b3a66"]]


def coverage_heatmap(
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    column_names: Sequence[str],
    shares: list[list],
    texts: list[list],
) -> str:
    """Department × competency: share of staff at the level or above (None where suppressed)."""
    figure = go.Figure(
        go.Heatmap(
            z=shares,
            x=list(columns),
            y=list(rows),
            text=texts,
            texttemplate="%{text}",
            customdata=[list(column_names) for _row in rows],
            hovertemplate="%{y} / %{customdata}: %{text}<extra></extra>",
            colorscale=SCALE,
            zmin=0,
            zmax=100,
            colorbar={"title": {"text": "%"}},
            hoverongaps=False,
        )
    )
    figure.update_layout(
        height=max(260, 60 + 28 * len(rows)),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"side": "top", "automargin": True},
        font=FONT,
    )
    return figure.to_json()


def leaders_vs_target(*, departments: Sequence[str], targets: Sequence, actual: Sequence) -> str:
    figure = go.Figure()
    figure.add_bar(
        y=list(departments), x=list(targets), name=_("目標"), orientation="h", marker_color="#9fb7d4"
    )
    figure.add_bar(
        y=list(departments), x=list(actual), name=_("認定者"), orientation="h", marker_color=PRIMARY
    )
    figure.update_layout(
        barmode="group",
        height=max(240, 60 + 40 * len(departments)),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": _("人数"), "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        font=FONT,
    )
    return figure.to_json()


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
    figure = go.Figure()
    if forecast_months:
        x = list(forecast_months)
        figure.add_scatter(
            x=x, y=list(forecast_high), mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
        )
        figure.add_scatter(
            x=x,
            y=list(forecast_low),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(11,79,138,0.15)",
            name=_("予測の80%区間"),
            hoverinfo="skip",
        )
        figure.add_scatter(
            x=x,
            y=list(forecast_mid),
            mode="lines",
            name=_("予測(現在のペース)"),
            line={"dash": "dash", "color": PRIMARY},
        )
    figure.add_scatter(
        x=list(months), y=list(leaders), mode="lines+markers", name=_("認定者"), line={"color": PRIMARY}
    )
    if target is not None:
        figure.add_hline(y=target, line={"color": ACCENT, "dash": "dot"}, annotation_text=_("目標"))
    figure.update_layout(
        height=340,
        yaxis={"title": _("DX推進リーダー(人)"), "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        font=FONT,
    )
    return figure.to_json()


def funnel(*, stages: Sequence[str], people: Sequence) -> str:
    figure = go.Figure(
        go.Funnel(y=list(stages), x=list(people), marker={"color": PRIMARY}, textinfo="value+percent initial")
    )
    figure.update_layout(height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, font=FONT)
    return figure.to_json()
