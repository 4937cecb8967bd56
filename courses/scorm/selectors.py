"""Reads: the courses a package may be uploaded into, who may run a package in a lesson, and what the
player needs to start."""

from django.db.models import QuerySet
from django.urls import reverse

from courses.models import CoursePage, LessonPage
from courses.scorm.models import ScormAttempt, ScormPackage
from lms_site.organisation.api import is_offered, offered_in, offered_to


def upload_courses(*, municipality_ids: list[int] | None) -> QuerySet[CoursePage]:
    """The courses a package may be uploaded into for these municipalities (ADR 0024): those offered to
    them (shared, their own, their prefecture's), never another municipality's own; every course
    platform-wide (``None``)."""
    courses = CoursePage.objects.order_by("path")
    return courses if municipality_ids is None else courses.filter(offered_in(municipality_ids))


def course_offered(*, course: CoursePage, municipality) -> bool:
    """Whether ``course`` is offered to ``municipality`` (a ``Municipality`` or its id): the one a
    package is uploaded for. One query at most."""
    owner = course.municipality_id
    if owner is None or owner == getattr(municipality, "pk", municipality):
        return True
    return CoursePage.objects.filter(offered_to(municipality), pk=course.pk).exists()


def lesson_shows_package(*, lesson: LessonPage, package_id: int) -> bool:
    return any(
        block["type"] == "scorm" and str(block["value"].get("package")) == str(package_id)
        for block in lesson.body.raw_data
    )


def package_for_reader(*, user, lesson: LessonPage, package_id: int) -> ScormPackage | None:
    """The package, when ``user`` may run it here: it is their municipality's (the scoped manager), the
    lesson is offered to them (not another municipality's own, ADR 0024) and shows it, and the lesson is
    published, or the reader works in the admin (a reviewer's preview)."""
    if not user.is_authenticated or not lesson_shows_package(lesson=lesson, package_id=package_id):
        return None
    if not is_offered(user, lesson.municipality_id):
        return None
    if not (lesson.live or user.has_perm("wagtailadmin.access_admin")):
        return None
    return ScormPackage.objects.filter(pk=package_id).first()


def item_statuses(*, user, lesson: LessonPage, package: ScormPackage) -> dict[str, str]:
    """{item identifier: "finished" | "failed" | "started"} for the SCOs ``user`` has opened. One query."""
    statuses = {}
    for attempt in ScormAttempt.objects.filter(user=user, lesson=lesson, package=package).only(
        "item", "status", "success_status"
    ):
        statuses[attempt.item] = (
            "finished" if attempt.finished else "failed" if attempt.success_status == "failed" else "started"
        )
    return statuses


def _toc(items: list, statuses: dict[str, str], current: str) -> list[dict]:
    return [
        {
            **item,
            "state": statuses.get(item["identifier"], ""),
            "current": bool(item["launch"]) and item["identifier"] == current,
            "children": _toc(item["children"], statuses, current),
        }
        for item in items
    ]


def scorm_player(*, request, lesson, package) -> dict | None:
    """What the block shows: the launch URL, the item to open first (the one asked for with ``?sco=``,
    else the first SCO this learner has not finished) and the table of contents, or None when this
    reader may not run the package."""
    if request is None or lesson is None or package is None:
        return None
    if package_for_reader(user=request.user, lesson=lesson, package_id=package.pk) is None:
        return None
    items = package.launchable_items()
    statuses = item_statuses(user=request.user, lesson=lesson, package=package)
    asked = package.item(request.GET.get("sco", ""))
    first = asked or next(
        (item for item in items if item["sco"] and statuses.get(item["identifier"]) != "finished"),
        items[0] if items else None,
    )
    current = first["identifier"] if first else ""
    return {
        "package": package,
        "launch_url": reverse("scorm:launch", args=[lesson.pk, package.pk]),
        "current": current,
        "toc": _toc(package.items, statuses, current) if len(items) > 1 else [],
    }
