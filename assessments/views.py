"""Quiz pages for learners: the quiz, one attempt (resumable), its result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from dx_assessment import grading

from assessments import attempts, selectors
from assessments.forms import response_from_post
from assessments.models import Attempt, AttemptStatus, Quiz
from assessments.quiz_rules import quiz_rules


def _own_attempt(request, attempt_id: int) -> Attempt:
    attempt = get_object_or_404(Attempt.objects.select_related("quiz"), pk=attempt_id)
    if attempt.user_id != request.user.pk:
        raise Http404  # someone else's attempt does not exist, as far as this user can tell
    return attempt


@login_required
def quiz_detail(request, quiz_id: int):
    quiz = get_object_or_404(Quiz.objects.filter(live=True), pk=quiz_id)
    return render(
        request, "assessments/quiz_detail.html", selectors.quiz_overview(quiz=quiz, user=request.user)
    )


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    quiz = get_object_or_404(Quiz.objects.filter(live=True), pk=quiz_id)
    try:
        attempt = attempts.attempt_start(user=request.user, quiz=quiz)
    except attempts.AttemptError as exc:
        messages.error(request, str(exc))
        return redirect("assessments:quiz", quiz_id=quiz.pk)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


def _save_all(request, attempt: Attempt, questions, items) -> list[str]:
    """Save every answer of the posted attempt form at once; the problems, one line per refused answer."""
    problems: dict[int, str] = {}
    responses = {}
    for question in questions:
        try:
            responses[question["position"]] = response_from_post(
                question["view"], question["position"], request.POST
            )
        except grading.ResponseError as exc:
            problems[question["position"]] = attempts.response_problem(exc)
    problems.update(attempts.attempt_answer_all(attempt=attempt, responses=responses, items=items))
    return [
        _("問題 %(position)d: %(detail)s") % {"position": position, "detail": detail}
        for position, detail in sorted(problems.items())
    ]


@login_required
def attempt_take(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    attempts.attempt_expire_if_due(attempt=attempt)  # closes (and updates) ``attempt`` if it is overdue
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("assessments:result", attempt_id=attempt.pk)
    items = attempts.attempt_items(attempt=attempt)
    posted = request.method == "POST"
    context = selectors.attempt_questions(attempt=attempt, items=items, html=not posted)
    if posted:
        try:
            # The answers and, when asked, the submission: one transaction (one commit, not two).
            with transaction.atomic():
                problems = _save_all(request, attempt, context["questions"], items)
                submit = not problems and request.POST.get("action") == "submit"
                if submit:
                    attempts.attempt_submit(attempt=attempt, items=items)
        except attempts.AttemptError:  # over while the form was posted: submitted elsewhere, or too late
            attempts.attempt_expire_if_due(attempt=attempt)
            messages.error(request, _("制限時間を過ぎたため、受験を終了しました。"))
            return redirect("assessments:result", attempt_id=attempt.pk)
        if submit:
            return redirect("assessments:result", attempt_id=attempt.pk)
        if problems:
            for problem in problems:
                messages.error(request, problem)
        else:
            messages.success(request, _("回答を保存しました。"))
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    return render(request, "assessments/attempt.html", context)


@login_required
@require_POST
def attempt_answer(request, attempt_id: int, position: int):
    """Autosave of one answer (JSON), so a dropped connection loses at most the answer being typed."""
    attempt = _own_attempt(request, attempt_id)
    items = attempts.attempt_items(attempt=attempt)
    item = next((i for i in items if i.position == position), None)
    if item is None:
        raise Http404
    # the one question as the learner sees it (its options' ids, in their order), to read the answer by
    (question,) = selectors.attempt_questions(attempt=attempt, items=[item], html=False)["questions"]
    try:
        response = response_from_post(question["view"], position, request.POST)
        attempts.attempt_answer(attempt=attempt, position=position, response=response, items=items)
    except grading.ResponseError as exc:
        return JsonResponse({"saved": False, "error": attempts.response_problem(exc)}, status=400)
    except attempts.AttemptError as exc:
        return JsonResponse({"saved": False, "error": str(exc)}, status=400)
    return JsonResponse({"saved": True, "saved_at": timezone.localtime().strftime("%H:%M:%S")})


@login_required
def attempt_result(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    attempts.attempt_expire_if_due(attempt=attempt)  # closes (and updates) ``attempt`` if it is overdue
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    return render(request, "assessments/result.html", selectors.attempt_result(attempt=attempt))


@login_required
@require_POST
def xblock_handler(request, quiz_id: int, handler: str):
    """The handlers of a quiz XBlock rendered in a lesson, run by our runtime for this learner only."""
    from webob import Request as WebObRequest

    from assessments import xblock_runtime

    quiz = get_object_or_404(Quiz.objects.filter(live=True), pk=quiz_id)
    rules = quiz_rules(quiz=quiz, user=request.user)
    if handler not in ("submit",) or not rules.inline:
        raise Http404
    if not rules.may_start:  # closed, no attempts left: the same refusal as the quiz page's
        return JsonResponse({"error": rules.refusal}, status=403)
    runtime = xblock_runtime.SiteRuntime(user=request.user, quiz=quiz, rules=rules)
    webob_request = WebObRequest.blank(
        request.path,
        method="POST",
        body=request.body,
        content_type=request.content_type or "application/json",
    )
    try:
        with transaction.atomic():
            webob_response = runtime.handle(runtime.block(), handler, webob_request)
            if webob_response.status_code < 400:
                runtime.save()
    except RecursionError:  # JSON nested too deep for the parser: the XBlock library only catches ValueError
        return JsonResponse({"error": _("送信された内容を読み取れませんでした。")}, status=400)
    return HttpResponse(
        webob_response.body,
        status=webob_response.status_code,
        content_type=webob_response.content_type or "application/json",
    )
