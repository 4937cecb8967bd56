"""The learner's actions (enrol, complete a lesson) and the My learning page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import charts, hooks, learner_cache, selectors, services
from courses.models import CoursePage, LessonPage


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def enrol(request, course_id: int):
    course = get_object_or_404(
        CoursePage.objects.live().filter(selectors.offered(request.user)), pk=course_id
    )
    services.enrollment_create(user=request.user, course=course)
    messages.success(request, _("「%(course)s」の受講を始めました。") % {"course": course.title})
    return redirect(_safe_next(request, course.get_url(request)))


@login_required
@require_POST
def restart(request, course_id: int):
    """Take a completed course again (this fiscal year's round of yearly training)."""
    course = get_object_or_404(
        CoursePage.objects.live().filter(selectors.offered(request.user)), pk=course_id
    )
    if services.enrollment_restart(user=request.user, course=course) is None:
        messages.error(
            request,
            _("「%(course)s」は修了していないため、受講し直す必要はありません。") % {"course": course.title},
        )
    else:
        messages.success(request, _("「%(course)s」をはじめから受講し直します。") % {"course": course.title})
    return redirect(_safe_next(request, course.get_url(request)))


@login_required
@require_POST
def complete_lesson(request, lesson_id: int):
    lesson = get_object_or_404(
        LessonPage.objects.live().filter(selectors.offered(request.user)), pk=lesson_id
    )
    enrollment = services.lesson_complete(user=request.user, lesson=lesson)
    if enrollment.completed_at and enrollment.last_lesson_id == lesson.pk:
        messages.success(request, _("コースのすべてのレッスンを完了しました。"))
    else:
        messages.success(request, _("レッスン「%(lesson)s」を完了にしました。") % {"lesson": lesson.title})
    return redirect(_safe_next(request, lesson.get_url(request)))


@login_required
def my_learning(request):
    """The learner's own overview: its content cached per learner until any row it shows changes
    (``learner_cache``, ADR 0009); the page around it (header, messages, the chart's script) per request."""
    html, chart = learner_cache.content(request, lambda marker: _my_learning_content(request, marker))
    return render(request, "courses/my_learning.html", {"content": mark_safe(html), "chart": chart})  # noqa: S308


def _my_learning_content(request, csrf_marker: str) -> tuple[str, str | None]:
    overview = selectors.learner_overview(user=request.user, request=request)
    if overview.get("framework"):
        overview["chart"] = charts.competency_profile_figure(
            competencies=overview["competencies"],
            levels=overview["levels"],
            required=overview["required"],
        )
        # The profile table's cells, looked up here once (not with two filters and a {% with %} per row).
        levels, required = overview["levels"], overview["required"]
        overview["profile_rows"] = [
            (c, levels.get(c.code) or 0, required.get(c.code)) for c in overview["competencies"]
        ]
    overview["sections"] = hooks.me_sections(request)
    overview["first_sections"] = hooks.me_sections(request, first=True)
    # Rendered without the context processors: the fragment is the same for every request it is served to.
    context = {**overview, "request": request, "csrf_token": csrf_marker}
    return render_to_string("courses/includes/my_learning_content.html", context), overview.get("chart")


def catalogue(request):
    """The header's 研修コース: the published course catalogue, wherever editors placed its page."""
    index = selectors.catalogue_index(request)
    if index is None:
        raise Http404(_("公開中の研修コース一覧がありません。"))
    return redirect(index.get_url(request))
