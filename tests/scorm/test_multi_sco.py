"""A package of several SCOs (simple-scorm-packager's output with a chapter and a second SCO added, see
``build_multi_sco_package``): its table of contents is kept, each SCO has its own record, and the lesson
(and through it the course and its evidence) is completed once, when the last SCO is finished. An item
that is not in the package is refused and nothing is stored; another learner's record and another
municipality's package stay out of reach."""

import pytest
from django.urls import reverse

from assessments.models import Evidence, EvidenceSource
from courses.models import CourseCompetency, Enrollment, LessonCompletion, LessonPage
from courses.scorm.models import ScormAttempt, ScormPackage
from lms_site.organisation.api import platform_wide
from lms_site.organisation.roles import Role
from tests.factories import MunicipalityFactory
from tests.scorm.packages import build_multi_sco_package, install_packager
from tests.scorm.test_upload_and_commit import person, post_commit, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return MunicipalityFactory(code="999991", name="若葉市")


@pytest.fixture
def town():
    return MunicipalityFactory(code="999992", name="みどり町")


@pytest.fixture
def hr(city):
    return person(city, "hr", Role.HR, Role.LEARNER)


@pytest.fixture
def learner(city):
    return person(city, "learner", Role.LEARNER)


DONE_12 = {"cmi": {"core": {"lesson_status": "passed", "score": {"raw": "90"}}, "suspend_data": "x"}}
DONE_2004 = {"cmi": {"completion_status": "completed", "success_status": "passed", "suspend_data": "x"}}


@pytest.fixture(scope="session")
def multi_zips(tmp_path_factory) -> dict[str, bytes]:
    install_packager()
    root = tmp_path_factory.mktemp("multi")
    return {
        "1.2": build_multi_sco_package(root / "v12", "1.2").read_bytes(),
        "2004": build_multi_sco_package(root / "v2004", "2004 4th Edition").read_bytes(),
    }


def publish(client, hr, course, content: bytes):
    upload(client, hr, course, content)
    client.logout()
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    reviewer = person(hr.staff_profile.municipality, "reviewer", Role.REVIEWER, Role.SHARED_REVIEWER)
    task_state = lesson.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="")
    lesson.refresh_from_db()
    return lesson, ScormPackage.objects.get()


def start(client, user, lesson, package, item=None):
    client.force_login(user)
    data = {} if item is None else {"item": item}
    return client.post(reverse("scorm:launch", args=[lesson.pk, package.pk]), data)


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_the_table_of_contents_is_kept_nested_with_each_sco_s_launch_file(
    client, hr, curriculum, multi_zips, version
):
    _lesson, package = publish(client, hr, curriculum["basics"], multi_zips[version])
    (chapter,) = package.items
    assert (chapter["identifier"], chapter["launch"]) == ("chapter_1", "")
    assert [(i["identifier"], i["launch"], i["sco"]) for i in chapter["children"]] == [
        ("sco_1", "index.html", True),
        ("sco_2", "sco2.html", True),
    ]
    assert package.launch == "index.html" and package.required_items() == {"sco_1", "sco_2"}


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_each_sco_has_its_own_record_and_the_lesson_completes_once_when_the_last_is_done(
    client,
    hr,
    learner,
    curriculum,
    multi_zips,
    version,
    django_capture_on_commit_callbacks,
):
    course = curriculum["basics"]
    lesson, package = publish(client, hr, course, multi_zips[version])
    for other in LessonPage.objects.child_of(course).exclude(pk=lesson.pk):
        LessonCompletion.objects.create(user=learner, lesson=other)
    done = DONE_12 if version == "1.2" else DONE_2004

    first = start(client, learner, lesson, package).json()  # no item asked: the first SCO
    assert first["item"] == "sco_1" and first["content_url"].endswith("/files/index.html")
    second = start(client, learner, lesson, package, "sco_2").json()
    assert second["content_url"].endswith("/files/sco2.html")
    assert second["commit_url"] != first["commit_url"]

    with django_capture_on_commit_callbacks(execute=True):
        assert post_commit(client, first["commit_url"], done).json()["result"] is True
    assert ScormAttempt.objects.get(user=learner, item="sco_1").finished
    assert not LessonCompletion.objects.filter(user=learner, lesson=lesson).exists()  # SCO 2 is left
    assert start(client, learner, lesson, package, "sco_2").json()["states"] == {
        "sco_1": "finished",
        "sco_2": "started",
    }

    with django_capture_on_commit_callbacks(execute=True):
        post_commit(client, second["commit_url"], done)
    with django_capture_on_commit_callbacks(execute=True) as again:
        post_commit(client, second["commit_url"], done)  # a SCO committing once more changes nothing
        post_commit(client, first["commit_url"], done)
    assert again == []
    assert LessonCompletion.objects.filter(user=learner, lesson=lesson).count() == 1
    assert Enrollment.objects.get(user=learner, course=course).completed_at is not None
    with platform_wide():
        evidence = Evidence.objects.filter(
            user=learner, source=EvidenceSource.COURSE, source_key=f"course:{course.pk}"
        )
        targets = CourseCompetency.objects.filter(course=course).count()
        assert targets and evidence.count() == targets
    resumed = start(client, learner, lesson, package, "sco_1").json()["cmi"]
    assert resumed["suspend_data"] == "x"
    assert resumed.get("entry", resumed.get("core", {}).get("entry")) == "resume"
    if version == "1.2":  # 90 goes back as "90", not Decimal's "9E+1" (which the runtime refuses)
        assert resumed["core"]["score"]["raw"] == "90"


def test_a_failed_sco_does_not_complete_the_lesson(client, hr, learner, curriculum, multi_zips):
    lesson, package = publish(client, hr, curriculum["basics"], multi_zips["2004"])
    for item in ("sco_1", "sco_2"):
        url = start(client, learner, lesson, package, item).json()["commit_url"]
        post_commit(client, url, {"cmi": {"completion_status": "completed", "success_status": "failed"}})
    assert not LessonCompletion.objects.filter(user=learner, lesson=lesson).exists()


@pytest.mark.parametrize("item", ["sco_9", "chapter_1", "", "x" * 300])
def test_a_learner_cannot_open_an_item_that_is_not_a_sco_of_the_package(
    client,
    hr,
    learner,
    curriculum,
    multi_zips,
    item,
):
    lesson, package = publish(client, hr, curriculum["basics"], multi_zips["1.2"])
    response = start(client, learner, lesson, package, item)
    assert response.status_code == 404
    assert "この SCORM 教材にありません" in response.json()["error"]
    assert not ScormAttempt.objects.filter(user=learner).exists()


def test_another_learner_cannot_commit_to_a_sco_s_record(client, hr, learner, city, curriculum, multi_zips):
    lesson, package = publish(client, hr, curriculum["basics"], multi_zips["2004"])
    url = start(client, learner, lesson, package, "sco_2").json()["commit_url"]
    client.force_login(person(city, "colleague", Role.LEARNER))
    response = post_commit(client, url, DONE_2004)
    assert response.status_code == 403
    assert ScormAttempt.objects.get(user=learner, item="sco_2").committed_at is None


def test_another_municipality_cannot_launch_any_sco(client, hr, learner, town, curriculum, multi_zips):
    lesson, package = publish(client, hr, curriculum["basics"], multi_zips["2004"])
    url = start(client, learner, lesson, package, "sco_2").json()["commit_url"]
    outsider = person(town, "outsider", Role.LEARNER)
    for item in ("sco_1", "sco_2"):
        assert start(client, outsider, lesson, package, item).status_code == 404
    assert client.get(reverse("scorm:file", args=[lesson.pk, package.pk, "sco2.html"])).status_code == 404
    assert post_commit(client, url, DONE_2004).status_code == 404
    assert not ScormAttempt.objects.filter(user=outsider).exists()


def test_the_lesson_page_shows_the_table_of_contents_with_the_current_item(
    client,
    hr,
    learner,
    curriculum,
    multi_zips,
):
    lesson, package = publish(client, hr, curriculum["basics"], multi_zips["1.2"])
    client.force_login(learner)
    html = client.get(lesson.url).content.decode()
    assert 'aria-label="教材の目次"' in html and "第1章 情報セキュリティの基本" in html
    assert 'data-scorm-item="sco_1" aria-current="page"' in html
    html = client.get(lesson.url + "?sco=sco_2").content.decode()
    assert 'data-scorm-item="sco_2" aria-current="page"' in html
    url = start(client, learner, lesson, package, "sco_1").json()["commit_url"]
    post_commit(client, url, DONE_12)
    html = client.get(lesson.url).content.decode()  # the next unfinished SCO is opened first
    assert 'data-scorm-item="sco_2" aria-current="page"' in html and "(完了)" in html


def test_a_sco_s_last_commit_sent_as_a_beacon_carries_the_csrf_token_in_its_body(
    hr, learner, curriculum, multi_zips
):
    import json
    import re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    lesson, package = publish(Client(), hr, curriculum["basics"], multi_zips["2004"])
    client.force_login(learner)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(lesson.url).content.decode())[
        1
    ]
    launch_url = reverse("scorm:launch", args=[lesson.pk, package.pk])
    url = client.post(launch_url, {"item": "sco_1"}, headers={"X-CSRFToken": token}).json()["commit_url"]

    def send(body):
        return client.post(url, json.dumps(body), content_type="text/plain")

    forged = send(DONE_2004)  # no token at all
    assert forged.status_code == 403 and "CSRF" in forged.json()["error"]
    wrong = client.post(
        url, json.dumps({**DONE_2004, "csrfmiddlewaretoken": "x" * 64}), content_type="text/plain"
    )
    assert wrong.status_code == 403
    assert ScormAttempt.objects.get(user=learner, item="sco_1").committed_at is None

    beacon = client.post(
        url, json.dumps({**DONE_2004, "csrfmiddlewaretoken": token}), content_type="text/plain"
    )
    assert beacon.json() == {"result": True, "errorCode": 0}
    assert ScormAttempt.objects.get(user=learner, item="sco_1").finished
