"""The competency-profile figure: each learner's levels in a copy of a figure built once."""

import json

from django.utils import translation

from courses import charts
from courses.profile import CompetencyInfo

COMPETENCIES = [
    CompetencyInfo(code="A1", name="行政DXの理解", area_code="A", is_core=False),
    CompetencyInfo(code="C1", name="データリテラシー", area_code="C", is_core=True),
]


def figure(levels, required=None, language="ja"):
    with translation.override(language):
        return json.loads(
            charts.competency_profile_figure(
                competencies=COMPETENCIES, levels=levels, required=required or {"C1": 3}
            )
        )


def test_each_learner_gets_their_own_levels_in_the_shared_figure():
    charts._profile_figure.cache_clear()
    first, second = figure({"A1": 2}), figure({"C1": 4})
    assert first["data"][0]["y"] == [2, 0] and second["data"][0]["y"] == [0, 4]
    assert first["data"][0]["x"] == ["A1", "C1"] and first["data"][1]["y"] == [0, 3]  # the requirement
    assert first["data"][0]["customdata"] == ["A1 行政DXの理解", "C1 データリテラシー"]
    assert {k: v for k, v in first.items() if k != "data"} == {k: v for k, v in second.items() if k != "data"}
    assert charts._profile_figure.cache_info().hits == 1  # built once for both


def test_the_figure_follows_the_language_and_the_requirement():
    ja, en = figure({}), figure({}, language="en")
    assert ja["data"][0]["name"] == "現在のレベル" and en["data"][0]["name"] == "Current level"
    assert figure({}, required={"A1": 2})["data"][1]["y"] == [2, 0]
