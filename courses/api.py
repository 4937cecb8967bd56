"""The courses app's door: what the other apps may use (ADR 0028).

Other apps import from here, never from ``models``, ``services``, ``selectors``, ``hooks``, ``profile`` or
``curriculum_setup`` directly; import-linter's "one door per app" contract holds them to it. The competency
framework nested in this package has a door of its own, ``courses.competencies.api``. Foreign keys keep
their string references ("courses.CoursePage"), the migrations are untouched, and other apps' demo builders
may still read ``demo``.
"""

from .curriculum_setup import curriculum_workflow
from .hooks import (
    levels_provider_register,
    me_section_register,
    me_sources_register,
    requirements_provider_register,
)
from .models import (
    CourseCompetency,
    CoursePage,
    CourseRetake,
    Enrollment,
    LessonCompletion,
    LessonPage,
    OwnApprovalTask,
)
from .profile import level_from_course
from .selectors import OfferedTarget, course_offered_by_slug, offered_targets
from .services import COURSE_COMPLETED, LESSON_COMPLETED, course_completed_hooks, enrollment_complete

__all__ = [
    "COURSE_COMPLETED",
    "LESSON_COMPLETED",
    "CourseCompetency",
    "CoursePage",
    "CourseRetake",
    "Enrollment",
    "LessonCompletion",
    "LessonPage",
    "OfferedTarget",
    "OwnApprovalTask",
    "course_completed_hooks",
    "course_offered_by_slug",
    "curriculum_workflow",
    "enrollment_complete",
    "level_from_course",
    "levels_provider_register",
    "me_section_register",
    "me_sources_register",
    "offered_targets",
    "requirements_provider_register",
]
