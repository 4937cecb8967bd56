"""The benchmark's synthetic data: deterministic, with rotations, ~15 evidence rows per person, and a
level table that the project's own rule derives from them."""

import datetime
import random

from django.db.models import Count

from assessments.certification.levels import EvidenceFact, competency_levels
from assessments.certification.models import CompetencyLevel
from assessments.models import Evidence
from fixtures import synthetic
from lms_site.organisation.models import Assignment, Department, StaffProfile


def rows(seed: int) -> dict:
    ids = synthetic.Ids(dict.fromkeys(synthetic.TABLES, 1))
    context = {"competencies": list(range(1, 25)), "programs": {"DX_BASIC": 1, "DX_LEADER": 2}}
    return synthetic._municipality(
        0, 200, random.Random(seed), ids, context, 1, EvidenceFact, competency_levels
    )


def test_the_same_seed_gives_the_same_data():
    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_load_creates_a_city_with_history(framework, database_owner):  # COPY, as the bench loads: the owner
    counts = synthetic.load(staff=120, seed=1)

    assert StaffProfile.objects.count() == 120 and counts["organisation_municipality"] == 1
    assert Department.objects.filter(kind="bu").count() == 16
    moved = Assignment.objects.filter(ends_on=datetime.date(2026, 3, 31)).count()
    assert 10 < moved < 80  # about a third rotate on 1 April
    per_person = Evidence.objects.values("user").annotate(n=Count("pk"))
    assert all(10 <= row["n"] <= 20 for row in per_person)
    assert CompetencyLevel.objects.filter(level__gte=3).exists()
    # treebeard agrees with the paths, depths and child counts written without it
    assert Department.find_problems() == ([], [], [], [], [])
