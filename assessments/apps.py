from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    label = "assessments"
    verbose_name = _("評価・テスト")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail import hooks

        from courses.api import COURSE_COMPLETED
        from lms_site.organisation.api import Role, role_permissions_extend

        from .evidence import evidence_from_course_completion

        hooks.register(COURSE_COMPLETED, evidence_from_course_completion)  # a completed course is evidence
        authoring = {
            f"assessments.{action}_{model}"
            for action in ("add", "change", "view")
            for model in ("question", "quiz")
        }
        role_permissions_extend(Role.ADVISOR, authoring)
        role_permissions_extend(
            Role.REVIEWER, authoring | {"assessments.publish_question", "assessments.publish_quiz"}
        )
        # The platform's reviewers approve (publish) the shared library's questions and quizzes (ADR 0024):
        # they open what they approve, and the approval publishes it; the changing views stay the system
        # administrator's (``OwnedContentViewSetMixin``).
        role_permissions_extend(
            Role.SHARED_REVIEWER,
            {
                f"assessments.{action}_{model}"
                for action in ("view", "publish")
                for model in ("question", "quiz")
            },
        )
        # 人事課 grants (and reads) the audited exceptions to the exam's conflict-of-interest rule. The
        # bank with its keys (``export_question``) is exported by the system administrator only (ADR 0010).
        role_permissions_extend(
            Role.HR, {"assessments.add_examconflictexception", "assessments.view_examconflictexception"}
        )
