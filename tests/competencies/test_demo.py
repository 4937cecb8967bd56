"""The demo hook: the default framework as current, once."""

import io

import pytest

from courses.competencies import demo, services
from courses.competencies.models import CompetencyFramework

from .conftest import framework_row_counts


@pytest.mark.django_db
def test_demo_loads_the_default_framework_as_current_and_a_second_run_adds_nothing():
    demo.load(stdout=io.StringIO())
    framework = CompetencyFramework.objects.get()
    assert framework.is_current and framework.competencies.count() == 24
    before = framework_row_counts()

    stdout = io.StringIO()
    demo.load(stdout=stdout)

    assert framework_row_counts() == before and "already there" in stdout.getvalue()


def test_demo_leaves_an_edited_framework_alone(framework):
    """Once the version is there (and perhaps edited in the admin), the demo does not touch it."""
    framework.competencies.filter(code="A1").update(name="編集済み")
    services.framework_set_current(
        framework=services.framework_new_version(framework=framework, version="1.1")
    )
    before = framework_row_counts()
    demo.load(stdout=io.StringIO())
    assert framework_row_counts() == before
    assert CompetencyFramework.objects.get(is_current=True).version == "1.1"
