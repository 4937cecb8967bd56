"""The coverage snapshot's keys are not checked by the database (ADR 0006, "Snapshot rows carry no
foreign-key constraints"): what keeps them honest instead is that a run writes only rows joined from
existing departments and competencies of its own municipality, and that deleting one of those removes its
rows through Django's cascade. These tests hold both."""

import datetime

import pytest
from django.db import connection

from analytics import services
from analytics.models import CoverageSnapshot
from lms_site.organisation.tenancy import platform_wide
from tests.factories import DepartmentFactory, MunicipalityFactory

from .factories import levels, people

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture
def snapshot(competencies):
    with platform_wide():
        city = DepartmentFactory(municipality=MunicipalityFactory(code="999981"))
        town = DepartmentFactory(municipality=MunicipalityFactory(code="999982"))
        for department in (city, town):
            levels(people(department, 3), competencies["D1"], 3)
        services.snapshot_take(municipality_id=city.municipality_id, on=TODAY)
        return city, town


def test_a_run_writes_only_rows_naming_existing_departments_and_competencies_of_its_municipality(
    snapshot, competencies
):
    city, _town = snapshot
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT s.municipality_id, s.department_id, s.competency_id, d.municipality_id, c.id
                 FROM analytics_coveragesnapshot s
                 LEFT JOIN organisation_department d ON d.id = s.department_id
                 LEFT JOIN competencies_competency c ON c.id = s.competency_id"""
        )
        rows = cursor.fetchall()
    assert rows, "the run stored no coverage rows"
    assert {(r[0], r[1], r[2], r[3], r[4]) for r in rows} == {
        (city.municipality_id, city.pk, competencies["D1"].pk, city.municipality_id, competencies["D1"].pk)
    }


def test_deleting_a_department_removes_its_snapshot_rows_and_only_those(snapshot):
    # (A municipality with departments cannot be deleted: Department.municipality protects it.)
    city, _town = snapshot
    with platform_wide():
        assert CoverageSnapshot.objects.filter(department=city).exists()
        CoverageSnapshot.objects.create(
            municipality=city.municipality,
            department=DepartmentFactory(municipality=city.municipality, code="990001"),
            competency_id=CoverageSnapshot.objects.first().competency_id,
            taken_on=TODAY,
            level=2,
            people=1,
        )
        lone = CoverageSnapshot.objects.get(level=2).department
        lone.delete()
        assert not CoverageSnapshot.objects.filter(department_id=lone.pk).exists()
        assert CoverageSnapshot.objects.filter(department=city).exists()  # the others stay
