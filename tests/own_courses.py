"""A municipality's own course (ADR 0024), for the tests of the places that name a course by id or slug
on a municipality's behalf: the page in the municipality's own site, so that it belongs to it."""

from courses.models import CoursePage, CurriculumIndexPage, LessonPage
from lms_site.home.services import municipality_site_ensure
from tests.courses.conftest import course


def own_course(municipality, framework, *, hostname: str, slug: str, title: str = "") -> CoursePage:
    """A live course with two live lessons in ``municipality``'s own site (created if missing)."""
    site = municipality_site_ensure(municipality=municipality, hostname=hostname)
    index = CurriculumIndexPage.objects.child_of(site.root_page).get()
    page = course(
        index,
        framework,
        slug=slug,
        title=title or f"{municipality.name}の情報セキュリティ規程",
        audience="all_staff",
        delivery="elearning",
        targets=[("A1", 1)],
    )
    assert CoursePage.objects.get(pk=page.pk).municipality_id == municipality.pk
    return page


def first_lesson(page: CoursePage) -> LessonPage:
    return LessonPage.objects.child_of(page).order_by("path").first()
