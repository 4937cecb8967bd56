from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 連携")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail import hooks

        from courses.api import LESSON_COMPLETED, course_completed_hooks

        from . import signals

        course_completed_hooks.append(signals.score_on_course_completion)
        hooks.register(
            LESSON_COMPLETED, signals.score_on_lesson_completion
        )  # a lesson's grade, a course's progress

        from lms_site.organisation.api import Role, role_permissions_extend

        # 人事課 sees the members of its LMS's courses from the admin (設定 › LMS 連携, ADR 0023).
        role_permissions_extend(Role.HR, {"lti.view_lms_members"})
