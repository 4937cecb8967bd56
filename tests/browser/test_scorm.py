"""SCORM packages built by simple-scorm-packager, uploaded by HR through the admin, approved, and run by
a learner in Chromium: the SCO finds scorm-again's API, its completion and score reach the database, and
the next visit resumes with its suspend data. Another municipality's learner cannot run it."""

import pytest
from playwright.sync_api import expect

from courses.models import CoursePage, LessonCompletion, LessonPage
from courses.scorm.models import ScormAttempt, ScormPackage
from tests.browser.conftest import log_in, serious_violations
from tests.scorm.packages import build_package, install_packager

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def packager():
    install_packager()


@pytest.fixture
def scorm_lesson(request, page, demo_site, settings, tmp_path, packager):
    """Upload the package of ``request.param`` as 若葉市's HR through the admin, and approve it."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    archive = build_package(tmp_path / "build", request.param)
    course = CoursePage.objects.live().order_by("-path").first()
    log_in(page, demo_site.url, "demo-hr")
    page.goto(f"{demo_site.url}/admin/scorm/upload/")
    page.get_by_label("コース").select_option(str(course.pk))
    page.get_by_label("SCORM パッケージ(.zip)").set_input_files(str(archive))
    page.get_by_role("button", name="検証して登録する").click()
    expect(page.get_by_text("承認を依頼しました")).to_be_visible()
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    task_state = lesson.current_workflow_state.current_task_state
    reviewer = _user("demo-reviewer")
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="")
    page.context.clear_cookies()
    lesson.refresh_from_db()
    yield lesson
    ScormAttempt.objects.filter(lesson=lesson).delete()
    lesson.delete()
    ScormPackage.objects.all().delete()


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize("scorm_lesson", ["1.2", "2004 4th Edition"], indirect=True)
def test_a_learner_runs_the_package_and_resumes_where_they_left_off(page, demo_site, scorm_lesson):
    log_in(page, demo_site.url, "demo-learner")
    page.goto(f"{demo_site.url}{scorm_lesson.url}")
    sco = page.frame_locator("iframe.scorm-player__frame")
    expect(sco.locator("#done")).to_have_text("commit:true")
    expect(sco.locator("#resumed")).to_have_text("resumed:")
    assert serious_violations(page) == []

    attempt = ScormAttempt.objects.get(user__username="demo-learner", lesson=scorm_lesson)
    assert attempt.score_raw == 85 and attempt.suspend_data == "page=3;answers=abc"
    assert attempt.status in {"passed", "completed"} and attempt.success_status == "passed"
    assert LessonCompletion.objects.filter(user__username="demo-learner", lesson=scorm_lesson).exists()

    page.reload()
    expect(sco.locator("#resumed")).to_have_text("resumed:page=3;answers=abc")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("scorm_lesson", ["1.2"], indirect=True)
def test_another_municipalitys_learner_cannot_run_it(page, demo_site, scorm_lesson):
    log_in(page, demo_site.url, "demo-learner-town")
    page.goto(f"{demo_site.url}{scorm_lesson.url}")
    expect(page.get_by_text("この教材はあなたの自治体では利用できません。")).to_be_visible()
    assert page.locator("iframe.scorm-player__frame").count() == 0
    package = ScormPackage.objects.get()
    response = page.request.get(demo_site.url + _file_path(scorm_lesson, package))
    assert response.status == 404
    assert not ScormAttempt.objects.filter(user__username="demo-learner-town").exists()


def _file_path(lesson, package) -> str:
    from django.urls import reverse

    return reverse("scorm:file", args=[lesson.pk, package.pk, "index.html"])
