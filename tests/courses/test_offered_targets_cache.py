"""/me/ reads the curriculum the same for everyone (each offered course's competencies, the live lessons
per course) from the shared cache (issue 18, ADR 0009): every change of a course, a lesson, a
competency or the framework is seen on the next view, and one municipality's cached courses are never
another's."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from courses import selectors
from courses.competencies.models import Competency
from courses.models import CourseCompetency, CoursePage, CurriculumIndexPage, LessonPage
from lms_site.home.services import municipality_site_ensure
from tests.courses.conftest import course
from tests.factories import MunicipalityFactory, StaffProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """The curriculum cache switched on, in a cache of this test's own."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.CURRICULUM_CACHE_SECONDS = 600
    cache.clear()


def targets(user, framework) -> set[tuple[str, str, int]]:
    return {(t.title, t.code, t.level) for t in selectors.offered_targets(user=user, framework=framework)}


def test_the_cached_targets_are_read_without_a_query_and_follow_every_change(
    curriculum, framework, django_assert_num_queries
):
    learner = StaffProfileFactory().user
    before = targets(learner, framework)
    assert ("DXリテラシー基礎", "A2", 2) in before
    with django_assert_num_queries(0):
        assert targets(learner, framework) == before

    basics = CoursePage.objects.get(pk=curriculum["basics"].pk)
    basics.title = "DXリテラシー基礎(改訂)"
    basics.competency_targets.filter(competency__code="A2").update(level=1)  # no signal: the page's publish
    basics.save_revision().publish()
    after = targets(learner, framework)
    assert ("DXリテラシー基礎(改訂)", "A2", 1) in after and ("DXリテラシー基礎", "A2", 2) not in after

    CourseCompetency.objects.create(course=basics, competency=framework.competencies.get(code="C1"), level=1)
    assert ("DXリテラシー基礎(改訂)", "C1", 1) in targets(learner, framework)

    basics.unpublish()
    assert not {t for t in targets(learner, framework) if t[0].startswith("DXリテラシー基礎")}

    data = Competency.objects.get(framework=framework, code="C2")
    data.code = "C9"
    data.save()
    assert {t[1] for t in targets(learner, framework) if t[0] == "データ活用入門"} >= {"C9"}


def test_the_lesson_counts_follow_a_new_and_an_unpublished_lesson(curriculum):
    path = curriculum["basics"].path
    counts = selectors._lesson_counts([path])
    assert counts == {path: LessonPage.objects.live().child_of(curriculum["basics"]).count()}
    first = LessonPage.objects.child_of(curriculum["basics"]).order_by("path").first()
    first.unpublish()
    assert selectors._lesson_counts([path]) == {path: counts[path] - 1}
    curriculum["basics"].add_child(
        instance=LessonPage(title="追加回", slug="extra", body=[("text", "<p>追</p>")])
    )
    assert selectors._lesson_counts([path]) == {path: counts[path]}


def test_one_municipality_s_cached_courses_are_never_another_s(curriculum, framework):
    """The city's learner fills the cache first; the town's learner, asking next, gets the town's
    entry: the shared courses, never the city's own."""
    city = MunicipalityFactory(code="999991", name="若葉市", prefecture="架空県")
    town = MunicipalityFactory(code="999992", name="みどり町", prefecture="架空県")
    site = municipality_site_ensure(municipality=city, hostname="city.example.jp")
    index = CurriculumIndexPage.objects.child_of(site.root_page).get()
    own = course(
        index,
        framework,
        slug="city-rules",
        title="若葉市の情報セキュリティ規程",
        audience="all_staff",
        delivery="elearning",
        targets=[("A1", 1)],
    )
    city_learner = StaffProfileFactory(municipality=city).user
    town_learner = StaffProfileFactory(municipality=town).user
    assert (own.title, "A1", 1) in targets(city_learner, framework)
    town_targets = targets(town_learner, framework)
    assert own.title not in {t[0] for t in town_targets}
    assert ("DXリテラシー基礎", "A2", 2) in town_targets
    [target] = [
        t for t in selectors.offered_targets(user=city_learner, framework=framework) if t.title == own.title
    ]
    request = RequestFactory().get("/", HTTP_HOST="city.example.jp")
    assert target.url(request) == own.get_url(request) == "/courses/city-rules/"
