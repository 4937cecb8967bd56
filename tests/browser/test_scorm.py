"""SCORM packages built by simple-scorm-packager, uploaded by HR through the admin, approved, and run by
a learner in Chromium: the SCO finds scorm-again's API, its completion and score reach the database, and
the next visit resumes with its suspend data. Another municipality's learner cannot run it."""

import pytest
from playwright.sync_api import expect

from courses.models import CoursePage, LessonCompletion, LessonPage
from courses.scorm.models import ScormAttempt, ScormPackage
from tests.browser.conftest import log_in, path_of, serious_violations
from tests.scorm.packages import build_multi_sco_package, build_package, install_packager

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def packager():
    install_packager()


@pytest.fixture
def scorm_lesson(request, page, demo_site, settings, tmp_path, packager):
    """Upload the package of ``request.param`` (a version; "multi " and a version for the two-SCO
    package) as 若葉市's HR through the admin, and approve it."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    if request.param.startswith("multi "):
        archive = build_multi_sco_package(tmp_path / "build", request.param.removeprefix("multi "))
    else:
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
    page.goto(demo_site.url + path_of(scorm_lesson))
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
    page.goto(demo_site.url + path_of(scorm_lesson))
    expect(page.get_by_text("この教材はあなたの自治体では利用できません。")).to_be_visible()
    assert page.locator("iframe.scorm-player__frame").count() == 0
    package = ScormPackage.objects.get()
    response = page.request.get(demo_site.url + _file_path(scorm_lesson, package))
    assert response.status == 404
    assert not ScormAttempt.objects.filter(user__username="demo-learner-town").exists()


def _file_path(lesson, package) -> str:
    from django.urls import reverse

    return reverse("scorm:file", args=[lesson.pk, package.pk, "index.html"])


def _toc_link(page, title):
    return page.get_by_role("navigation", name="教材の目次").get_by_role("link", name=title)


@pytest.mark.parametrize("scorm_lesson", ["multi 1.2", "multi 2004 4th Edition"], indirect=True)
def test_a_learner_goes_through_a_multi_sco_package_by_its_table_of_contents(page, demo_site, scorm_lesson):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_site.url, "demo-learner")
    page.goto(demo_site.url + path_of(scorm_lesson))
    toc = page.get_by_role("navigation", name="教材の目次")
    expect(toc.get_by_text("第1章 情報セキュリティの基本")).to_be_visible()  # the chapter, not a link
    expect(_toc_link(page, "第1節 情報資産")).to_have_attribute("aria-current", "page")
    sco = page.frame_locator("iframe.scorm-player__frame")
    expect(sco.get_by_role("heading", name="SCO 1")).to_be_visible()
    sco.get_by_role("button", name="完了する").click()
    expect(sco.locator("#done")).to_have_text("commit:true")
    expect(toc.get_by_text("(完了)")).to_have_count(1)
    assert not LessonCompletion.objects.filter(user__username="demo-learner", lesson=scorm_lesson).exists()

    _toc_link(page, "第2節 パスワード").focus()  # by keyboard
    page.keyboard.press("Enter")
    expect(sco.get_by_role("heading", name="SCO 2")).to_be_visible()
    expect(_toc_link(page, "第2節 パスワード")).to_have_attribute("aria-current", "page")
    expect(_toc_link(page, "第1節 情報資産")).not_to_have_attribute("aria-current", "page")
    sco.get_by_role("button", name="完了する").click()
    expect(sco.locator("#done")).to_have_text("commit:true")
    expect(toc.get_by_text("(完了)")).to_have_count(2)
    assert serious_violations(page) == []

    attempts = ScormAttempt.objects.filter(user__username="demo-learner", lesson=scorm_lesson)
    assert sorted(attempts.values_list("item", flat=True)) == ["sco_1", "sco_2"]
    assert all(attempt.finished for attempt in attempts)
    assert LessonCompletion.objects.filter(user__username="demo-learner", lesson=scorm_lesson).count() == 1

    _toc_link(page, "第1節 情報資産").click()  # SCO 1 resumes with its own suspend data
    page.wait_for_timeout(2000)
    expect(sco.get_by_role("heading", name="SCO 1"), f"console errors: {errors}").to_be_visible()
    assert sco.locator("#resumed").text_content() == "resumed:SCO 1:seen", errors

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(_toc_link(page, "第2節 パスワード")).to_be_visible()


@pytest.mark.parametrize("scorm_lesson", ["multi 2004 4th Edition"], indirect=True)
def test_a_scorm_2004_sco_s_navigation_requests_move_through_the_organisation(page, demo_site, scorm_lesson):
    log_in(page, demo_site.url, "demo-learner")
    page.goto(demo_site.url + path_of(scorm_lesson))
    sco = page.frame_locator("iframe.scorm-player__frame")
    sco.get_by_role("button", name="完了する").click()
    expect(sco.locator("#done")).to_have_text("commit:true")
    sco.get_by_role("button", name="次へ").click()  # adl.nav.request = continue, then Terminate
    expect(sco.get_by_role("heading", name="SCO 2")).to_be_visible()
    expect(_toc_link(page, "第2節 パスワード")).to_have_attribute("aria-current", "page")
    assert "sco=sco_2" in page.url
    sco.get_by_role("button", name="完了する").click()
    expect(sco.locator("#done")).to_have_text("commit:true")
    sco.get_by_role("button", name="次へ").click()  # nothing after SCO 2: the player says so
    expect(page.get_by_role("status")).to_contain_text("すべての項目を終えました")
    assert LessonCompletion.objects.filter(user__username="demo-learner", lesson=scorm_lesson).count() == 1

    _toc_link(page, "第1節 情報資産").click()
    expect(sco.get_by_role("heading", name="SCO 1")).to_be_visible()
    sco.get_by_role("button", name="2 へ").click()  # adl.nav.request = {target=sco_2}choice
    expect(sco.get_by_role("heading", name="SCO 2")).to_be_visible()
    attempts = ScormAttempt.objects.filter(user__username="demo-learner", lesson=scorm_lesson)
    assert attempts.count() == 2
