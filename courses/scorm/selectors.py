"""Reads: who may run a package in a lesson, and what the player needs to start."""

from django.urls import reverse

from courses.models import LessonPage
from courses.scorm.models import ScormPackage


def lesson_shows_package(*, lesson: LessonPage, package_id: int) -> bool:
    return any(
        block["type"] == "scorm" and str(block["value"].get("package")) == str(package_id)
        for block in lesson.body.raw_data
    )


def package_for_reader(*, user, lesson: LessonPage, package_id: int) -> ScormPackage | None:
    """The package, when ``user`` may run it here: it is their municipality's (the scoped manager), the
    lesson shows it, and the lesson is published, or the reader works in the admin (a reviewer's preview)."""
    if not user.is_authenticated or not lesson_shows_package(lesson=lesson, package_id=package_id):
        return None
    if not (lesson.live or user.has_perm("wagtailadmin.access_admin")):
        return None
    return ScormPackage.objects.filter(pk=package_id).first()


def scorm_player(*, request, lesson, package) -> dict | None:
    """What the block shows: the launch URL, or None when this reader may not run the package."""
    if request is None or lesson is None or package is None:
        return None
    if package_for_reader(user=request.user, lesson=lesson, package_id=package.pk) is None:
        return None
    return {
        "package": package,
        "launch_url": reverse("scorm:launch", args=[lesson.pk, package.pk]),
    }
