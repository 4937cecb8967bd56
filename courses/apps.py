from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("研修コース")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import post_page_move

        from courses import approval_mail, hooks, learner_cache, navigation
        from courses.models import owner_follow_move

        navigation.connect_signals()
        hooks.me_sources_register(learner_cache.course_sources)  # /me/'s cache: the rows it reads
        approval_mail.install()  # who is told that something waits: only those who may approve it
        post_page_move.connect(owner_follow_move, dispatch_uid="courses-owner-follows-move")
