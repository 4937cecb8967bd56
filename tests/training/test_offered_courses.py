"""ADR 0024, issue 13: ``manage.py training_assign --course SLUG`` finds only a course offered to the
``--municipality`` given (shared, its own). Naming 若葉市's own course for みどり町 is refused like an
unknown slug, and nothing is written."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.own_courses import own_course
from training.models import TrainingDue, TrainingRule

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(city, town, framework, curriculum):
    return {
        "city_course": own_course(
            city["municipality"], framework, hostname="city.example.jp", slug="city-rules"
        ),
        "town_course": own_course(
            town["municipality"], framework, hostname="town.example.jp", slug="town-rules"
        ),
    }


def assign(municipality, slug: str) -> str:
    out = StringIO()
    call_command(
        "training_assign",
        "--municipality",
        municipality.code,
        "--course",
        slug,
        "--due",
        "2026-12-31",
        "--today",
        TODAY.isoformat(),
        stdout=out,
    )
    return out.getvalue()


def test_another_municipality_s_own_course_is_refused_and_nothing_is_written(town, owned):
    with pytest.raises(
        CommandError, match="no live course offered to みどり町 \\(999992\\) has the slug 'city-rules'"
    ):
        assign(town["municipality"], "city-rules")
    assert not TrainingRule._base_manager.exists() and not TrainingDue._base_manager.exists()


@pytest.mark.parametrize(("slug", "which"), [("dx-basics", "shared"), ("town-rules", "own")])
def test_a_shared_course_and_the_municipality_s_own_are_assigned(town, owned, curriculum, slug, which):
    assert "to 2 people" in assign(town["municipality"], slug)  # the town's HR and its one staff member
    rule = TrainingRule._base_manager.get()
    expected = curriculum["basics"] if which == "shared" else owned["town_course"]
    assert (rule.course_id, rule.municipality_id) == (expected.pk, town["municipality"].pk)


def test_a_copy_under_the_shared_slug_is_the_municipality_s_own_never_another_s(
    city, town, framework, curriculum
):
    city_copy = own_course(city["municipality"], framework, hostname="city.example.jp", slug="dx-basics")
    assign(town["municipality"], "dx-basics")
    assign(city["municipality"], "dx-basics")
    courses = dict(TrainingRule._base_manager.values_list("municipality__code", "course_id"))
    assert courses == {"999992": curriculum["basics"].pk, city["municipality"].code: city_copy.pk}
