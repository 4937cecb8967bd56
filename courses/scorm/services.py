"""Writes: a package uploaded into a course (as a draft lesson in the approval workflow), and a learner's
commit from the SCORM runtime (completing the lesson the way any lesson completes)."""

import posixpath

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.models import CoursePage, LessonPage
from courses.scorm.cmi import CmiCommit
from courses.scorm.models import ScormAttempt, ScormPackage
from courses.scorm.package import ScormPackageContents, package_read
from courses.scorm.selectors import course_offered
from courses.scorm.storage import package_storage
from courses.services import lesson_complete


class CourseNotOffered(ValueError):
    """The course is not offered to the package's municipality (another municipality's own, ADR 0024)."""


def package_upload(*, user, municipality, course: CoursePage, title: str, archive) -> LessonPage:
    """Check ``archive`` whole (``package.PackageRefused`` otherwise, nothing stored), store its files,
    and add a draft lesson showing it under ``course``, submitted to the course's approval workflow.
    ``course`` must be offered to ``municipality`` (``CourseNotOffered`` otherwise, nothing stored)."""
    if not course_offered(course=course, municipality=municipality):
        raise CourseNotOffered(
            _("コース「%(course)s」は%(municipality)sに提供されていないため、教材を登録できません。")
            % {"course": course.title, "municipality": municipality.name}
        )
    contents = package_read(archive)
    package = ScormPackage(
        municipality=municipality,
        title=title or contents.title or _("SCORM 教材"),
        version=contents.version,
        launch=contents.launch,
        items=contents.items,
        file_count=len(contents.members),
        total_bytes=contents.total_bytes,
        uploaded_by=user,
    )
    _files_store(package, contents, archive)
    try:
        return _lesson_create(user=user, course=course, package=package)
    except BaseException:
        _files_delete(package)
        raise


def _files_store(package: ScormPackage, contents: ScormPackageContents, archive) -> None:
    import zipfile

    if hasattr(archive, "seek"):
        archive.seek(0)
    try:
        with zipfile.ZipFile(archive) as zip_file:
            for member in contents.members:
                with zip_file.open(member.info) as source:
                    package_storage.save(f"{package.storage_key}/{member.name}", source)
    except BaseException:
        _files_delete(package)
        raise


def _files_delete(package: ScormPackage) -> None:
    import shutil

    shutil.rmtree(posixpath.join(package_storage.location, str(package.storage_key)), ignore_errors=True)


@transaction.atomic
def _lesson_create(*, user, course: CoursePage, package: ScormPackage) -> LessonPage:
    package.save()
    lesson = LessonPage(
        title=package.title,
        slug=f"scorm-{slugify(package.title, allow_unicode=False)[:40] or 'package'}-{package.pk}",
        summary=_("SCORM 教材(%(version)s)") % {"version": package.get_version_display()},
        body=[("scorm", {"package": package})],
        owner=user,
        live=False,
    )
    course.add_child(instance=lesson)
    lesson.save_revision(user=user)
    workflow = lesson.get_workflow()
    if workflow is not None:
        workflow.start(lesson, user)
    return lesson


def attempt_start(*, user, lesson: LessonPage, package: ScormPackage, item: str) -> ScormAttempt:
    """The learner's attempt at the SCO ``item`` (an identifier of ``package.items``, checked by the
    caller) of ``package`` in ``lesson``, created when they first open it."""
    fields = {"user": user, "lesson": lesson, "package": package, "item": item}
    try:
        with transaction.atomic():
            attempt, _created = ScormAttempt.objects.get_or_create(**fields)
    except IntegrityError:  # two tabs launched at once
        attempt = ScormAttempt.objects.get(**fields)
    return attempt


@transaction.atomic
def attempt_commit(*, attempt: ScormAttempt, commit: CmiCommit) -> ScormAttempt:
    """Keep a validated commit to one SCO's attempt. When it finishes the last of the package's SCOs
    this learner had not finished, complete the lesson (and through it the course and its evidence, as
    for any lesson), once. A finished attempt stays finished."""
    siblings = list(
        ScormAttempt.objects.select_for_update()
        .filter(user_id=attempt.user_id, package_id=attempt.package_id, lesson_id=attempt.lesson_id)
        .order_by("pk")
    )  # every SCO of this learner's run, locked in one order: two SCOs finishing at once take turns
    attempt = next(sibling for sibling in siblings if sibling.pk == attempt.pk)
    finished = attempt.finished
    if not finished:
        attempt.status, attempt.success_status = commit.status, commit.success_status
    for field in ("score_raw", "score_min", "score_max", "score_scaled"):
        if getattr(commit, field) is not None:
            setattr(attempt, field, getattr(commit, field))
    attempt.location, attempt.suspend_data = commit.location, commit.suspend_data
    if commit.total_time is not None:
        attempt.total_time = max(attempt.total_time, commit.total_time)
    attempt.committed_at = timezone.now()
    attempt.save()
    if commit.completes() and not finished:
        done = {sibling.item for sibling in siblings if sibling.finished}
        if attempt.package.required_items() <= done:
            lesson_complete(user=attempt.user, lesson=attempt.lesson)
    return attempt
