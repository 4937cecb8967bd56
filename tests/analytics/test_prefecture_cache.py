"""The prefecture's suppressed stack in the shared cache (ADR 0025): the same tables as a fresh build,
replaced when any of its municipalities' snapshots is written, never another prefecture's."""

import datetime

import pytest
from django.test import override_settings

from analytics import stack_cache
from analytics.models import DepartmentSnapshot
from analytics.prefecture import prefecture_report
from lms_site.organisation.models import MunicipalityKind
from tests.factories import MunicipalityFactory

from .test_prefecture import TODAY, region, rows  # noqa: F401 - the fixture, re-used

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.ANALYTICS_CACHE_SECONDS = 3600


def tables(report) -> dict:
    return {name: (table.columns, table.rows) for name, table in report.tables.items()}


def test_the_cached_report_is_the_fresh_one_and_reads_no_snapshot(region, django_assert_num_queries):  # noqa: F811
    prefecture, _towns = region
    first = prefecture_report(prefecture=prefecture, today=TODAY)
    with override_settings(ANALYTICS_CACHE_SECONDS=0):
        fresh = prefecture_report(prefecture=prefecture, today=TODAY)
    with django_assert_num_queries(4):  # municipalities, competencies, two for the targets; no snapshot
        again = prefecture_report(prefecture=prefecture, today=TODAY)
    assert tables(first) == tables(fresh) == tables(again)


def test_a_new_snapshot_of_one_municipality_replaces_the_prefecture_s_stack(region):  # noqa: F811
    prefecture, towns = region
    assert (
        rows(prefecture_report(prefecture=prefecture, today=TODAY).tables["municipalities"])["中央市"][0]
        == 120
    )
    DepartmentSnapshot.objects.filter(
        municipality=towns["中央市"], taken_on=datetime.date(2026, 11, 30)
    ).update(headcount=130)
    # Rows changed behind the service's back are not seen until the service's signal...
    assert (
        rows(prefecture_report(prefecture=prefecture, today=TODAY).tables["municipalities"])["中央市"][0]
        == 120
    )
    stack_cache.snapshots_changed(towns["中央市"].pk)  # ...which every snapshot write sends
    assert (
        rows(prefecture_report(prefecture=prefecture, today=TODAY).tables["municipalities"])["中央市"][0]
        == 130
    )


def test_another_prefecture_never_reads_this_one_s_stack(region):  # noqa: F811
    prefecture, _towns = region
    prefecture_report(prefecture=prefecture, today=TODAY)
    other = MunicipalityFactory(
        code="990002", name="別県", prefecture="別県", kind=MunicipalityKind.PREFECTURE
    )
    overview = rows(prefecture_report(prefecture=other, today=TODAY).tables["municipalities"])
    assert set(overview) == {"県内の合計", "東市"}
    assert overview["東市"][0] == 80
