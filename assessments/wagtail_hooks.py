"""Question bank and quizzes in the Wagtail admin (drafts, revisions, approval), plus Moodle import/export."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from assessments import admin_urls
from assessments.models import Question, Quiz
from lms_site.admin_menu import ExtraMenuItemsMixin


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("問題")
    list_display = ["title", "competency", "level", "difficulty", "question_type"]
    list_filter = ["competency__area", "level", "difficulty", "live"]
    search_fields = ["title"]
    ordering = ["title"]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("小テスト")
    list_display = ["title", "selection", "passing_percent", "time_limit_minutes", "max_attempts"]
    list_filter = ["selection", "is_leader_exam", "live"]
    search_fields = ["title"]


class AssessmentGroup(ExtraMenuItemsMixin, SnippetViewSetGroup):
    extra_menu_items = [
        {
            "label": _("問題の取込・書出し"),
            "url": reverse_lazy("assessments_admin:import"),
            "permission": "assessments.add_question",
            "icon_name": "upload",
        }
    ]
    menu_label = _("評価・テスト")
    menu_icon = "tasks"
    items = (QuestionViewSet, QuizViewSet)


register_snippet(AssessmentGroup)


@hooks.register("register_admin_urls")
def register_assessments_admin_urls():
    return [path("assessments/", include((admin_urls, "assessments_admin")))]
