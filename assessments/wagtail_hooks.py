"""Question bank and quizzes in the Wagtail admin (drafts, revisions, approval), plus Moodle import/export."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from assessments import admin_urls, conflicts
from assessments.models import ExamConflictException, Question, Quiz
from lms_site.admin_menu import ExtraMenuItemsMixin
from lms_site.organisation.api import OwnedContentViewSetMixin


class QuestionViewSet(OwnedContentViewSetMixin, SnippetViewSet):
    """Everyone sees the questions offered to their municipality; only the owner changes one (ADR 0024)."""

    model = Question
    icon = "help"
    menu_label = _("問題")
    list_display = ["title", "competency", "level", "difficulty", "question_type", "municipality"]
    list_filter = ["competency__area", "level", "difficulty", "live"]
    search_fields = ["title"]
    ordering = ["title"]


class QuizViewSet(OwnedContentViewSetMixin, SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("小テスト")
    list_display = [
        "title",
        "selection",
        "passing_percent",
        "time_limit_minutes",
        "max_attempts",
        "municipality",
    ]
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


class ExamConflictExceptionForm(WagtailAdminModelForm):
    """人事課 grants an exception; the person granting is the signed-in user, never a form field."""

    class Meta(WagtailAdminModelForm.Meta):  # keeps Wagtail's form fields (and the owner-aware choices)
        model = ExamConflictException
        fields = ["user", "quiz", "reason", "valid_until"]

    def clean(self):
        cleaned = super().clean()
        problems = conflicts.exam_exception_problems(
            user=cleaned.get("user"),
            quiz=cleaned.get("quiz"),
            reason=cleaned.get("reason", ""),
            valid_until=cleaned.get("valid_until"),
            granted_by=self.for_user,
        )
        for field, message in problems.items():
            self.add_error(None if field == "__all__" or field not in self.fields else field, message)
        return cleaned


class ExamConflictExceptionCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return conflicts.exam_exception_grant(
            user=data["user"],
            quiz=data["quiz"],
            reason=data["reason"],
            valid_until=data["valid_until"],
            granted_by=self.request.user,
        )


class ExamConflictExceptionViewSet(ModelViewSet):
    """Only added and read: the records are the audit trail (no edit or delete permission for 人事課)."""

    model = ExamConflictException
    add_view_class = ExamConflictExceptionCreateView
    icon = "lock-open"
    menu_label = _("試験受験の特例")
    add_to_admin_menu = True
    list_display = ["user", "quiz", "valid_until", "granted_by", "granted_at"]
    inspect_view_enabled = True
    inspect_view_fields = ["user", "quiz", "reason", "valid_until", "granted_by", "granted_at"]

    def get_form_class(self, for_update: bool = False):
        return ExamConflictExceptionForm


@hooks.register("register_admin_viewset")
def register_exam_conflict_exceptions():
    return ExamConflictExceptionViewSet("exam_conflict_exceptions")
