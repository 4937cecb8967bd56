"""Data and sessions for the web benchmark, run inside the benchmark's Django (a child process).

``python -m bench.web.prepare QUIZ_USERS READERS SUBMISSIONS`` prints one JSON object: the URLs to drive,
a session cookie per user (made as ``django.contrib.auth.login`` makes them, so that no login form or rate
limit is in the way), READERS learners enrolled in the lesson's course, for the quiz one in-progress
attempt per bench learner with an answer to autosave, and SUBMISSIONS fresh attempts to submit once each.
"""

import json
import secrets
import sys


def session_for(user) -> str:
    """A signed-in session as after the whole sign-in: the password and, for the roles that need one (HR,
    所属長, DX推進課 in production), the second factor."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from lms_site.identity import mfa

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "lms_site.organisation.auth_backends.CachedModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[mfa.VERIFIED_KEY] = True
    store.save()
    return store.session_key


def bare_page_url() -> str:
    """A plain ``wagtail.models.Page`` under the site root: Wagtail's own page, nothing of ours in it."""
    from wagtail.models import Page, Site

    root = Site.objects.get(is_default_site=True).root_page
    page = root.get_children().filter(slug="bench-bare").first()
    if page is None:
        page = root.add_child(instance=Page(title="ベンチマーク用の素のページ", slug="bench-bare"))
        page.save_revision().publish()
    return page.relative_url(Site.objects.get(is_default_site=True))


def lesson_for(user):
    """A lesson of a course the learner is enrolled in (the demo enrols demo-learner)."""
    from courses.models import Enrollment, LessonPage

    enrolled = Enrollment.objects.filter(user=user).values_list("course__path", flat=True)
    for path in enrolled:
        lesson = LessonPage.objects.live().filter(path__startswith=path).order_by("path").first()
        if lesson is not None:
            return lesson
    return LessonPage.objects.live().order_by("path").first()


def readers(lesson, count: int) -> list[str]:
    """Sessions of ``count`` learners enrolled in the lesson's course, so that concurrent page views are
    different people's (one person's views would queue on their one enrolment row)."""
    from django.contrib.auth import get_user_model

    from courses.services import enrollment_create

    sessions = []
    for n in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-reader-{n}")
        enrollment_create(user=user, course=lesson.course())
        sessions.append(session_for(user))
    return sessions


def autosave_target(attempt) -> tuple[int, str]:
    """A position and a form body that saves a valid answer there."""
    from dx_assessment import grading

    for item in attempt.items.select_related("version").order_by("position"):
        question = grading.Question.from_dict(item.version.definition)
        key = f"q{item.position}"
        if isinstance(question, grading.TrueFalse):
            return item.position, f"{key}=true"
        if isinstance(question, grading.SingleChoice):
            return item.position, f"{key}={question.choices[0].id}"
        if isinstance(question, grading.ShortText | grading.Numeric):
            return item.position, f"{key}=1"
    raise RuntimeError("no question in the quiz that the benchmark knows how to answer")


def quiz_learners(count: int) -> list[dict]:
    from django.contrib.auth import get_user_model

    from assessments import attempts
    from assessments.models import Quiz

    quiz = Quiz.objects.filter(live=True, time_limit_minutes__isnull=True).order_by("pk").first() or (
        Quiz.objects.filter(live=True).order_by("pk").first()
    )
    learners = []
    for n in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-learner-{n}")
        attempt = attempts.attempt_start(user=user, quiz=quiz)
        position, body = autosave_target(attempt)
        learners.append(
            {
                "session": session_for(user),
                "csrf": secrets.token_hex(16),  # a CSRF secret: the cookie and the header carry the same
                "path": f"/attempts/{attempt.pk}/answers/{position}/",
                "body": body,
            }
        )
    return learners


def quiz_submissions(count: int) -> list[dict]:
    """``count`` learners with a fresh attempt each (the bench's earlier attempts are deleted first), and
    the form that submits it: one question answered, the rest left blank, ``action=submit``."""
    from django.contrib.auth import get_user_model

    from assessments import attempts
    from assessments.models import Attempt, Quiz

    quiz = Quiz.objects.filter(live=True).order_by("pk").first()
    Attempt.objects.filter(user__username__startswith="bench-submitter-").delete()
    submissions = []
    for n in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-submitter-{n}")
        attempt = attempts.attempt_start(user=user, quiz=quiz)
        _position, answer = autosave_target(attempt)
        submissions.append(
            {
                "session": session_for(user),
                "csrf": secrets.token_hex(16),
                "path": f"/attempts/{attempt.pk}/",
                "body": f"{answer}&action=submit",
            }
        )
    return submissions


def training_report_path() -> str | None:
    """The report of the demo city's first training rule (assigned training and who has done it)."""
    from django.urls import reverse

    from lms_site.organisation.demo import CITY_CODE
    from training.models import TrainingRule

    rule = TrainingRule.objects.filter(municipality__code=CITY_CODE).order_by("pk").first()
    rule = rule or TrainingRule.objects.order_by("pk").first()
    return reverse("training:rule_detail", args=[rule.pk]) if rule else None


def prepare(quiz_users: int, readers_count: int, submissions: int = 0) -> dict:
    from django.contrib.auth import get_user_model
    from django.urls import NoReverseMatch, reverse
    from wagtail.models import Site

    users = get_user_model().objects
    learner = users.get(username="demo-learner")
    lesson = lesson_for(learner)
    try:
        hr_path = reverse("analytics:dashboard")
    except NoReverseMatch:
        hr_path = None
    return {
        "bare": bare_page_url(),
        "lesson": lesson.relative_url(Site.objects.get(is_default_site=True)),  # a site per municipality
        "learner_session": session_for(learner),
        "reader_sessions": readers(lesson, readers_count),
        "hr": hr_path,
        "hr_session": session_for(users.get(username="demo-hr")),
        "hr_manager_session": session_for(users.get(username="demo-manager")),
        "hr_reviewer_session": session_for(users.get(username="demo-reviewer")),
        "pref_session": session_for(users.get(username="demo-pref")),
        "training_report": training_report_path(),
        "quiz": quiz_learners(quiz_users),
        "submissions": quiz_submissions(submissions),
    }


if __name__ == "__main__":
    import django

    django.setup()
    from lms_site.organisation.tenancy import platform_wide

    with platform_wide():  # setting up data, as load_demo does
        prepared = prepare(*(int(arg) for arg in sys.argv[1:4]))
    from django.db import connection

    # The planner's statistics, as the other suites take them after loading (and as autovacuum keeps them
    # in production): without them a freshly loaded database plans every join as if its tables were empty
    # (the training report's people, a join of 310 dues to their staff records, compared 48,000 rows).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps(prepared))
