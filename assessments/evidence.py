"""Recording competency evidence: the one door the certification rules read through.

Automatic sources (passed quizzes, completed courses) are recorded as verified; the rest start pending.
Recording the same source twice changes nothing (``source_key`` is unique per user and competency).
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from assessments.models import Evidence, EvidenceSource, EvidenceStatus
from courses.competencies.models import Competency
from courses.competencies.scale import KNOWLEDGE_LEVEL_CAP
from courses.models import CourseCompetency, CoursePage

QUIZ_LEVEL_CAP = KNOWLEDGE_LEVEL_CAP


def evidence_record(
    *,
    user,
    competency: Competency,
    level: int,
    source: str,
    source_key: str,
    status: str = EvidenceStatus.PENDING,
) -> tuple[Evidence, bool]:
    """Record one piece of evidence; returns (evidence, created). Idempotent per source."""
    try:
        with transaction.atomic():
            return Evidence.objects.get_or_create(
                user=user,
                competency=competency,
                source=source,
                source_key=source_key,
                defaults={"level": level, "status": status},
            )
    except IntegrityError:
        return Evidence.objects.get(
            user=user, competency=competency, source=source, source_key=source_key
        ), False


def evidence_from_course_completion(user_id: int, course_id: int) -> int:
    """Evidence for each competency a completed course develops, at the level the course brings.

    Recorded as the course states it, whatever its delivery; the level rule
    (``assessments.certification.levels``) alone caps what course evidence supports."""
    user = get_user_model().objects.get(pk=user_id)
    course = CoursePage.objects.get(pk=course_id)
    created = 0
    for target in CourseCompetency.objects.filter(course=course).select_related("competency"):
        _, was_created = evidence_record(
            user=user,
            competency=target.competency,
            level=target.level,
            source=EvidenceSource.COURSE,
            source_key=f"course:{course_id}",
            status=EvidenceStatus.VERIFIED,
        )
        created += was_created
    return created
