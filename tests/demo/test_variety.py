"""The demo looks like a city in year two of its plan (issue 19): competencies within an area differ from
person to person (so the heatmap's cells of one area differ), and some twenty to thirty-five DX推進リーダー
hold a valid certificate, spread over many departments, some departments still without one."""

from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from assessments.certification.models import Certificate, CompetencyLevel
from courses.competencies.models import Competency
from lms_site.organisation.demo import CITY_CODE
from lms_site.organisation.models import Assignment, Department, DepartmentKind

pytestmark = pytest.mark.django_db  # the test database is set up even when this module runs alone


@pytest.fixture
def city() -> dict[int, int]:
    """Today's assignments of 若葉市 in the demo, as ``{user_id: department_id}``."""
    on_duty = Assignment.objects.on(timezone.localdate()).filter(staff__municipality__code=CITY_CODE)
    return dict(on_duty.values_list("staff__user_id", "department_id"))


@pytest.mark.parametrize("level", [1, 2, 3])
def test_competencies_of_an_area_are_not_covered_alike(city, level):
    """In at least five of the six areas, at least half the departments of five or more people do not
    have the same number of people at ``level`` or above in each of the area's competencies."""
    sizes = Counter(city.values())
    departments = [department for department, n in sizes.items() if n >= 5]
    assert len(departments) >= 20
    coverage: Counter = Counter()
    levels = CompetencyLevel.objects.filter(
        user_id__in=list(city), level__gte=level, competency__framework__is_current=True
    )
    for user_id, competency_id in levels.values_list("user_id", "competency_id"):
        coverage[(city[user_id], competency_id)] += 1
    areas: dict[str, list[int]] = defaultdict(list)
    for competency in Competency.objects.filter(framework__is_current=True).select_related("area"):
        areas[competency.area.code].append(competency.pk)
    varied = {
        area: sum(1 for d in departments if len({coverage[(d, c)] for c in competencies}) > 1)
        for area, competencies in areas.items()
    }
    assert sum(1 for n in varied.values() if 2 * n >= len(departments)) >= 5, (varied, len(departments))


def test_twenty_to_thirty_five_valid_leaders_over_many_departments(city):
    today = timezone.localdate()
    certificates = Certificate.objects.filter(program__code="DX_LEADER", user_id__in=list(city))
    valid = [c for c in certificates if c.status_on(today) == "valid"]
    assert 20 <= len(valid) <= 35
    per_department = Counter(city[c.user_id] for c in valid)
    assert len(per_department) >= 8
    assert max(per_department.values()) <= 3
    divisions = Department.objects.filter(pk__in=set(city.values()), kind=DepartmentKind.KA)
    assert divisions.exclude(pk__in=list(per_department)).exists()  # some 課 still have none
