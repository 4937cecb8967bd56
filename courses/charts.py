"""plotly figures of the learner's competency profile (returned as JSON text)."""

import json
from functools import lru_cache

import plotly.graph_objects as go
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.profile import CompetencyInfo


def competency_profile_figure(
    *, competencies: list[CompetencyInfo], levels: dict[str, int], required: dict[str, int]
) -> str:
    """Bars of the current level per competency, with the DX推進リーダー requirement as markers.

    Everything but the bars' heights is the same for every learner, and building a plotly figure (it
    validates every property) costs more than the rest of /me/'s Python: the figure is built once per
    framework, requirement and language, and each learner's levels are filled into a copy.
    """
    figure = json.loads(_profile_figure(tuple(competencies), tuple(sorted(required.items())), get_language()))
    figure["data"][0]["y"] = [levels.get(c.code, 0) for c in competencies]
    return json.dumps(figure)


@lru_cache(maxsize=32)
def _profile_figure(competencies: tuple[CompetencyInfo, ...], required_items: tuple, language: str) -> str:
    required = dict(required_items)
    codes = [c.code for c in competencies]
    labels = [f"{c.code} {c.name}" for c in competencies]
    figure = go.Figure()
    figure.add_bar(
        x=codes,
        y=[0] * len(codes),  # the learner's levels, filled in by competency_profile_figure
        name=_("現在のレベル"),
        marker_color="#0b4f8a",
        customdata=labels,
        hovertemplate="%{customdata}: Lv%{y}<extra></extra>",
    )
    figure.add_scatter(
        x=codes,
        y=[required.get(code, 0) for code in codes],
        name=_("DX推進リーダーの要件"),
        mode="markers",
        marker={"symbol": "line-ew-open", "size": 22, "color": "#a4161a", "line": {"width": 3}},
        customdata=labels,
        hovertemplate="%{customdata}: " + _("要件") + " Lv%{y}<extra></extra>",
    )
    figure.update_layout(
        yaxis={"range": [0, 5], "dtick": 1, "title": _("習熟度レベル")},
        xaxis={"title": _("能力項目")},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        height=360,
        font={"family": "Hiragino Sans, Noto Sans JP, Meiryo, sans-serif"},
    )
    return figure.to_json()
