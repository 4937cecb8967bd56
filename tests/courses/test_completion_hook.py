"""A completed course reaches the apps above courses through the Wagtail hook ``course_completed``, on
commit; the assessments app records the course's evidence there, which notifies ``evidence_changed``
once for the learner (ADR 0027)."""

from collections import Counter

import pytest
from wagtail import hooks

from assessments.evidence import EVIDENCE_CHANGED
from assessments.models import EvidenceSource
from courses import services
from courses.models import LessonPage
from tests.factories import StaffProfileFactory

pytestmark = pytest.mark.django_db


def complete(user, course) -> None:
    for lesson in LessonPage.objects.child_of(course).live().order_by("path"):
        services.lesson_complete(user=user, lesson=lesson)


def test_completion_calls_the_course_completed_hooks_on_commit(
    curriculum, django_capture_on_commit_callbacks
):
    learner = StaffProfileFactory().user
    calls = []
    with (
        hooks.register_temporarily(services.COURSE_COMPLETED, lambda *args: calls.append(args)),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        complete(learner, curriculum["basics"])
        assert calls == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert calls == [(learner.pk, curriculum["basics"].pk)]


def test_completion_records_course_evidence_and_notifies_the_learner_once(
    curriculum, django_capture_on_commit_callbacks
):
    learner = StaffProfileFactory().user
    notified: Counter[int] = Counter()
    with (
        hooks.register_temporarily(EVIDENCE_CHANGED, lambda user_id: notified.update([user_id])),
        django_capture_on_commit_callbacks(execute=True),
    ):
        complete(learner, curriculum["basics"])
    rows = learner.evidence.filter(source=EvidenceSource.COURSE)
    assert sorted(rows.values_list("competency__code", "level")) == [("A1", 2), ("A2", 2)]
    assert notified == {learner.pk: 1}  # two rows, one notification
