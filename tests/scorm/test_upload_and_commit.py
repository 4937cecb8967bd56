"""SCORM packages built by simple-scorm-packager, uploaded through the admin view; bad archives refused
with their reason and nothing stored; the runtime's commit endpoint refusing what it must."""

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from courses.models import Enrollment, LessonCompletion, LessonPage
from courses.scorm.models import ScormAttempt, ScormPackage
from courses.scorm.storage import package_root
from lms_site.organisation.roles import ROLES, Role
from tests.factories import MunicipalityFactory, StaffProfileFactory

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/scorm/upload/"


def person(municipality, username: str, *roles: Role):
    profile = StaffProfileFactory(municipality=municipality, user__username=username)
    for role in roles:
        profile.user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    return profile.user


@pytest.fixture
def city():
    return MunicipalityFactory(code="999991", name="若葉市")


@pytest.fixture
def town():
    return MunicipalityFactory(code="999992", name="みどり町")


@pytest.fixture
def hr(city):
    return person(city, "hr", Role.HR, Role.LEARNER)


def upload(client, user, course, content: bytes, name="package.zip"):
    client.force_login(user)
    municipality = user.staff_profile.municipality_id
    return client.post(
        UPLOAD,
        {"course": course.pk, "municipality": municipality, "title": "", "package": _file(content, name)},
    )


def _file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/zip")


def stored_files() -> list[Path]:
    root = package_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_a_packaged_sco_becomes_a_draft_lesson_submitted_for_approval(
    client, hr, curriculum, scorm_zips, version
):
    course = curriculum["basics"]
    response = upload(client, hr, course, scorm_zips[version])

    package = ScormPackage.objects.get()
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    assert response.status_code == 302 and response["Location"] == UPLOAD  # HR does not edit pages
    assert package.version == version and package.launch == "index.html"
    assert package.municipality == hr.staff_profile.municipality
    assert lesson.get_parent().pk == course.pk and not lesson.live
    assert lesson.current_workflow_state.status == "in_progress"  # waiting for the DX推進課
    names = {str(p.relative_to(package_root() / str(package.storage_key))) for p in stored_files()}
    assert {"imsmanifest.xml", "index.html"} <= names and len(names) == package.file_count


def _zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


MANIFEST = b"""<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
 <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
 <organizations default="o"><organization identifier="o"><title>t</title>
  <item identifier="i" identifierref="r"><title>t</title></item></organization></organizations>
 <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html">
  <file href="index.html"/></resource></resources>
</manifest>"""

ENTITY_MANIFEST = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "a">]><manifest>&a;</manifest>'

BAD_PACKAGES = {
    "dot-dot": (
        _zip({"imsmanifest.xml": MANIFEST, "index.html": b"x", "../evil.html": b"x"}),
        "../evil.html",
    ),
    "absolute": (_zip({"imsmanifest.xml": MANIFEST, "index.html": b"x", "/etc/cron.d/x": b"x"}), "絶対パス"),
    "no manifest": (_zip({"index.html": b"x"}), "imsmanifest.xml がありません"),
    "launch missing": (_zip({"imsmanifest.xml": MANIFEST, "other.html": b"x"}), "起動ファイル「index.html」"),
    "zip bomb": (
        _zip({"imsmanifest.xml": MANIFEST, "index.html": b"x", "big.bin": b"\0" * 20_000_000}),
        "圧縮率",
    ),
    "not a zip": (b"%PDF-1.4 not a zip", "ZIP 形式のファイルではありません"),
    "server script": (_zip({"imsmanifest.xml": MANIFEST, "index.html": b"x", "shell.php": b"<?php"}), ".php"),
    "windows program": (_zip({"imsmanifest.xml": MANIFEST, "index.html": b"x", "setup.exe": b"MZ"}), ".exe"),
    "symlink": (
        _zip({"imsmanifest.xml": MANIFEST, "index.html": b"x"}, symlink="link"),
        "シンボリックリンク",
    ),
    "not scorm": (
        _zip(
            {
                "imsmanifest.xml": MANIFEST.replace(b">1.2<", b">9.9<").replace(b"adlcp_rootv1p2", b"x"),
                "index.html": b"x",
            }
        ),
        "SCORM 1.2 または SCORM 2004",
    ),
    "entity": (
        _zip(
            {
                "imsmanifest.xml": ENTITY_MANIFEST,
                "index.html": b"x",
            }
        ),
        "DTD",
    ),
    "broken xml": (
        _zip({"imsmanifest.xml": b"<manifest><organizations>", "index.html": b"x"}),
        "正しい XML ではありません",
    ),
}


@pytest.mark.parametrize("case", BAD_PACKAGES)
def test_a_bad_package_is_refused_with_its_reason_and_nothing_is_stored(client, hr, curriculum, case):
    content, reason = BAD_PACKAGES[case]
    pages_before = LessonPage.objects.count()
    response = upload(client, hr, curriculum["basics"], content)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["package"])
    assert reason in errors, errors
    assert not ScormPackage.objects.exists() and LessonPage.objects.count() == pages_before
    assert stored_files() == []


def test_an_oversized_file_is_refused(client, hr, curriculum, monkeypatch):
    from courses.scorm import package

    monkeypatch.setattr(package, "MAX_FILE_BYTES", 1000)
    content = _zip({"imsmanifest.xml": MANIFEST, "index.html": b"x", "video.mp4": bytes(range(256)) * 8})
    response = upload(client, hr, curriculum["basics"], content)
    assert "ファイル「video.mp4」が大きすぎます" in " ".join(response.context["form"].errors["package"])
    assert not ScormPackage.objects.exists() and stored_files() == []


def test_an_advisor_goes_on_to_the_lesson_they_may_edit(client, city, curriculum, scorm_zips):
    advisor = person(city, "advisor", Role.ADVISOR, Role.SHARED_AUTHOR)  # a shared course (ADR 0024)
    response = upload(client, advisor, curriculum["basics"], scorm_zips["1.2"])
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    assert response["Location"] == f"/admin/pages/{lesson.pk}/edit/"
    assert lesson.owner == advisor and ScormPackage.objects.get().municipality == city
    editor = client.get(f"/admin/pages/{lesson.pk}/edit/")  # the block's form takes the package in scope
    assert editor.status_code == 200 and "SCORM" in editor.content.decode()


def test_a_municipality_s_advisor_does_not_go_on_to_a_shared_course_s_lesson(
    client, city, curriculum, scorm_zips
):
    advisor = person(city, "advisor", Role.ADVISOR)  # no platform role: no grant on the shared course
    response = upload(client, advisor, curriculum["basics"], scorm_zips["1.2"])
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    assert response["Location"] == UPLOAD
    assert client.get(f"/admin/pages/{lesson.pk}/edit/").status_code in (302, 403)


def test_a_learner_cannot_upload(client, city, curriculum, scorm_zips):
    learner = person(city, "learner", Role.LEARNER)
    client.force_login(learner)
    response = client.post(
        UPLOAD, {"course": curriculum["basics"].pk, "package": _file(scorm_zips["1.2"], "p.zip")}
    )
    assert response.status_code in (302, 403)
    assert not ScormPackage.objects.exists() and stored_files() == []


def test_hr_cannot_upload_for_another_municipality(client, hr, town, curriculum, scorm_zips):
    client.force_login(hr)
    response = client.post(
        UPLOAD,
        {
            "course": curriculum["basics"].pk,
            "municipality": town.pk,
            "package": _file(scorm_zips["1.2"], "p.zip"),
        },
    )
    # staff upload for their own municipality only: the form does not ask, and ignores a forged choice
    assert response.status_code == 302
    assert ScormPackage.objects.get().municipality == hr.staff_profile.municipality


@pytest.fixture
def published(client, hr, curriculum, scorm_zips):
    """The 2004 package uploaded by the city's HR and approved by a reviewer; the course's other lessons
    already done by the learner, so that finishing the SCO completes the course."""
    upload(client, hr, curriculum["basics"], scorm_zips["2004"])
    client.logout()
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    # a shared course: approved by the platform's reviewer (ADR 0024), here one of the city's DX推進課
    reviewer = person(hr.staff_profile.municipality, "reviewer", Role.REVIEWER, Role.SHARED_REVIEWER)
    task_state = lesson.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="")
    lesson.refresh_from_db()
    assert lesson.live
    return lesson, ScormPackage.objects.get()


@pytest.fixture
def learner(city):
    return person(city, "learner", Role.LEARNER)


def launch(client, user, lesson, package):
    client.force_login(user)
    return client.post(reverse("scorm:launch", args=[lesson.pk, package.pk]))


COMMIT = {
    "cmi": {
        "completion_status": "completed",
        "success_status": "passed",
        "score": {"raw": "85", "min": "0", "max": "100", "scaled": "0.85"},
        "location": "page-3",
        "suspend_data": "page=3",
        "session_time": "PT1M30S",
        "total_time": "PT1M30S",
    }
}


def post_commit(client, url, body):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def test_a_commit_records_the_score_and_completes_the_lesson_and_course(
    client, published, learner, curriculum
):
    lesson, package = published
    for other in LessonPage.objects.child_of(curriculum["basics"]).exclude(pk=lesson.pk):
        LessonCompletion.objects.create(user=learner, lesson=other)
    started = launch(client, learner, lesson, package).json()
    assert started["version"] == "2004" and started["cmi"]["entry"] == "ab-initio"
    response = post_commit(client, started["commit_url"], COMMIT)
    assert response.json() == {"result": True, "errorCode": 0}

    attempt = ScormAttempt.objects.get(user=learner)
    assert (attempt.status, attempt.success_status, attempt.score_raw) == ("completed", "passed", 85)
    assert attempt.suspend_data == "page=3" and attempt.total_time.total_seconds() == 90
    assert LessonCompletion.objects.filter(user=learner, lesson=lesson).exists()
    assert Enrollment.objects.get(user=learner, course=curriculum["basics"]).completed_at is not None

    resumed = launch(client, learner, lesson, package).json()
    assert resumed["commit_url"] == started["commit_url"]
    assert resumed["cmi"]["entry"] == "resume" and resumed["cmi"]["suspend_data"] == "page=3"


REFUSED_COMMITS = {
    "score above 1": ({"cmi": {"score": {"scaled": "1.5"}}}, "cmi.score.scaled「1.5」は範囲外です"),
    "unknown status": ({"cmi": {"completion_status": "done"}}, "cmi.completion_status の値「done」"),
    "bad duration": ({"cmi": {"session_time": "90 seconds"}}, "cmi.session_time「90 seconds」"),
    "suspend data too long": ({"cmi": {"suspend_data": "x" * 64001}}, "cmi.suspend_data が長すぎます"),
    "no cmi": ({"core": {}}, "cmi オブジェクトがありません"),
    "not json": (b"cmi.completion_status=completed", "JSON ではありません"),
    "oversized": (json.dumps({"cmi": {"x": "y" * 300_000}}), "大きすぎます"),
}


@pytest.mark.parametrize("case", REFUSED_COMMITS)
def test_a_commit_outside_the_data_model_is_refused_and_changes_nothing(client, published, learner, case):
    lesson, package = published
    url = launch(client, learner, lesson, package).json()["commit_url"]
    body, message = REFUSED_COMMITS[case]
    response = post_commit(client, url, body)
    assert response.status_code in (400, 413)
    assert response.json()["result"] is False and message in response.json()["error"], response.json()
    attempt = ScormAttempt.objects.get(user=learner)
    assert attempt.status == "not attempted" and attempt.committed_at is None
    assert not LessonCompletion.objects.filter(user=learner, lesson=lesson).exists()


def test_another_learner_cannot_commit_to_an_attempt(client, published, learner, city):
    lesson, package = published
    url = launch(client, learner, lesson, package).json()["commit_url"]
    client.force_login(person(city, "colleague", Role.LEARNER))
    response = post_commit(client, url, COMMIT)
    assert response.status_code == 403 and "他の受講者" in response.json()["error"]
    assert ScormAttempt.objects.get(user=learner).committed_at is None


def test_another_municipality_cannot_open_launch_or_commit(client, published, learner, town):
    lesson, package = published
    url = launch(client, learner, lesson, package).json()["commit_url"]
    outsider = person(town, "outsider", Role.LEARNER)
    client.force_login(outsider)
    file_url = reverse("scorm:file", args=[lesson.pk, package.pk, "index.html"])
    assert client.get(file_url).status_code == 404
    assert client.post(reverse("scorm:launch", args=[lesson.pk, package.pk])).status_code == 404
    assert post_commit(client, url, COMMIT).status_code == 404
    assert "この教材はあなたの自治体では利用できません" in client.get(lesson.url).content.decode()
    assert ScormAttempt.objects.filter(user=outsider).count() == 0
    assert ScormAttempt.objects.get(user=learner).committed_at is None


def test_package_files_are_served_sandboxed_to_the_municipalitys_learners(client, published, learner):
    lesson, package = published
    client.force_login(learner)
    response = client.get(reverse("scorm:file", args=[lesson.pk, package.pk, "index.html"]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox allow-scripts allow-same-origin" in response["Content-Security-Policy"]
    assert "form-action 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"API_1484_11" in b"".join(response.streaming_content)
    escape = reverse("scorm:file", args=[lesson.pk, package.pk, "x"]).replace("/x", "/%2E%2E/%2E%2E/secret")
    assert client.get(escape).status_code == 404
    client.logout()
    assert client.get(reverse("scorm:file", args=[lesson.pk, package.pk, "index.html"])).status_code == 302


def test_a_draft_lesson_does_not_serve_its_package_to_learners(client, hr, learner, curriculum, scorm_zips):
    upload(client, hr, curriculum["basics"], scorm_zips["1.2"])
    lesson, package = LessonPage.objects.get(slug__startswith="scorm-"), ScormPackage.objects.get()
    client.force_login(learner)
    assert client.get(reverse("scorm:file", args=[lesson.pk, package.pk, "index.html"])).status_code == 404
    assert client.post(reverse("scorm:launch", args=[lesson.pk, package.pk])).status_code == 404
