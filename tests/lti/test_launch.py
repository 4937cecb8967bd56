"""Issue 17 part 1, ADR 0023: launches from an independent LTI 1.3 platform (tools/lti-platform), and
every bad launch refused with its reason and nothing written."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lti.models import LtiIdentity, Registration, ToolKey, UsedNonce
from tests.factories import StaffProfileFactory
from tests.lti.conftest import launch, launch_form

pytestmark = pytest.mark.django_db


def test_a_launch_opens_the_quiz_as_an_lti_user_not_linked_to_hr(client, platform, city_lms, quiz):
    response = launch(
        client, platform, "city-tool", sub="moodle-42", name="受講 太郎", target=f"quiz:{quiz.pk}"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:quiz", args=[quiz.pk])
    identity = LtiIdentity.objects.get()
    assert (identity.registration, identity.subject, identity.is_staff_match) == (
        city_lms,
        "moodle-42",
        False,
    )
    assert not hasattr(identity.user, "staff_profile") or identity.user.staff_profile is None
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "LTI 小テスト" in page.content.decode()
    # framed by that LMS only, on this session's pages
    assert f"frame-ancestors {platform}" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page


def test_the_same_lms_user_comes_back_as_the_same_user(client, platform, city_lms, quiz):
    launch(client, platform, "city-tool", sub="moodle-42", target=f"quiz:{quiz.pk}")
    client.logout()
    launch(client, platform, "city-tool", sub="moodle-42", target=f"quiz:{quiz.pk}")
    assert LtiIdentity.objects.count() == 1


def test_other_sessions_keep_frame_ancestors_none(client, platform, city_lms, quiz, hanako):
    client.force_login(hanako.user)
    page = client.get(reverse("assessments:quiz", args=[quiz.pk]))
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_over_https_the_launched_session_cookie_is_samesite_none(client, platform, city_lms, quiz):
    response = launch(client, platform, "city-tool", secure=True, sub="moodle-7", target=f"quiz:{quiz.pk}")
    assert response.status_code == 302, response.content.decode()[:500]
    cookie = response.cookies["sessionid"]
    assert (cookie["samesite"], cookie["secure"]) == ("None", True)


def test_a_trusted_registration_signs_in_the_staff_member(client, platform, town_lms, town, quiz):
    staff = StaffProfileFactory(municipality=town, employee_number="200001")
    response = launch(
        client, platform, "town-tool", sub="t-1", employee_number="200001", target=f"quiz:{quiz.pk}"
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).wsgi_request.user == staff.user
    assert LtiIdentity.objects.get().is_staff_match


def test_a_completed_course_owes_full_marks_to_the_course_s_line_item(
    client, platform, city_lms, curriculum, django_capture_on_commit_callbacks
):
    """The score's way to the platform is the quiz's (tests/lti/test_grades_and_deep_linking.py)."""
    from courses.models import LessonPage
    from courses.services import lesson_complete
    from lti.models import GradeLink, Score

    course = curriculum["basics"]
    response = launch(client, platform, "city-tool", sub="moodle-c1", target=f"course:{course.pk}")
    assert response["Location"] == course.url
    assert client.get(course.url).status_code == 200
    link = GradeLink.objects.get()
    assert (link.course_id, link.quiz_id) == (course.pk, None)
    user = LtiIdentity.objects.get().user
    lessons = list(LessonPage.objects.live().child_of(course))
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=user, lesson=lessons[0])
    progress = Score.objects.get()  # not complete yet: its progress, in progress (ADR 0023)
    assert (progress.score_given, progress.score_maximum) == (1, len(lessons))
    assert (progress.activity_progress, progress.grading_progress) == ("InProgress", "Pending")
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons[1:]:
            lesson_complete(user=user, lesson=lesson)
    score = Score.objects.filter(source__startswith="completion:").get()
    assert (score.link, score.score_given, score.score_maximum) == (link, 100, 100)
    assert (score.activity_progress, score.grading_progress) == ("Completed", "FullyGraded")
    # the last lesson owes no progress of its own: the completion is the course's grade
    assert Score.objects.count() == len(lessons)


def refused(response, caplog, code: str, users_before: int) -> str:
    assert response.status_code == 403, response.content.decode()[:500]
    assert any(getattr(r, "refusal", None) == code for r in caplog.records), caplog.text
    assert get_user_model().objects.count() == users_before
    assert not LtiIdentity.objects.exists()
    assert "_auth_user_id" not in response.wsgi_request.session
    return response.content.decode()


def test_a_registration_of_one_municipality_cannot_sign_in_another_ones_staff(
    client, platform, town_lms, city, hanako, quiz, caplog
):
    """青葉町's trusted LMS names 若葉市's 花子 by her employee number: not 青葉町's staff, refused."""
    users = get_user_model().objects.count()
    response = launch(
        client, platform, "town-tool", sub="t-9", employee_number="100001", target=f"quiz:{quiz.pk}"
    )
    page = refused(response, caplog, "no_record", users)
    assert "青葉町の人事データに、職員番号 100001 の職員がいません" in page


BAD_LAUNCHES = {
    "expired": ({"expires_in": -120}, "expired", "有効期限が切れています"),
    "wrong audience": ({"claims": {"aud": "someone-else"}}, "wrong_audience", "このサイトあてではありません"),
    "unknown deployment": (
        {"claims": {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-nobody"}},
        "unknown_deployment",
        "デプロイメント ID",
    ),
    "forged signature": ({"forge": True}, "bad_signature", "署名を確認できませんでした"),
    "unknown target": ({"target": "quiz:987654"}, "unknown_target", "見つかりません"),
    "no target": ({"target": "../../admin/"}, "unknown_target", "見つかりません"),
}


@pytest.mark.parametrize("case", BAD_LAUNCHES, ids=list(BAD_LAUNCHES))
def test_a_bad_launch_is_refused_and_creates_nothing(client, platform, city_lms, quiz, caplog, case):
    spec, code, words = BAD_LAUNCHES[case]
    users = get_user_model().objects.count()
    response = launch(client, platform, "city-tool", sub="moodle-1", **{"target": f"quiz:{quiz.pk}", **spec})
    assert words in refused(response, caplog, code, users)
    assert not UsedNonce.objects.exists()


def test_an_unknown_issuer_is_refused_at_login(client, platform, city_lms, quiz, caplog):
    users = get_user_model().objects.count()
    with pytest.raises(AssertionError):  # the tool does not send the browser on to that platform
        launch_form(platform, "stranger", {"target": f"quiz:{quiz.pk}"}, client)
    assert any(getattr(r, "refusal", None) == "unknown_issuer" for r in caplog.records)
    assert get_user_model().objects.count() == users


def test_an_unknown_issuer_posting_an_id_token_is_refused(client, platform, city_lms, quiz, caplog):
    _action, fields = launch_form(platform, "city-tool", {"target": f"quiz:{quiz.pk}"}, client)
    Registration.objects.update(issuer="https://elsewhere.example.jp")
    users = get_user_model().objects.count()
    assert "登録されていません" in refused(
        client.post("/lti/launch/", fields), caplog, "unknown_issuer", users
    )


def test_a_replayed_id_token_is_refused(client, platform, city_lms, quiz, caplog):
    _action, fields = launch_form(
        platform, "city-tool", {"sub": "moodle-5", "target": f"quiz:{quiz.pk}"}, client
    )
    assert client.post("/lti/launch/", fields).status_code == 302
    client.logout()
    users = get_user_model().objects.count()
    again = client.post("/lti/launch/", fields)
    assert again.status_code == 403
    assert any(getattr(r, "refusal", None) == "replayed" for r in caplog.records)
    assert get_user_model().objects.count() == users
    assert "_auth_user_id" not in again.wsgi_request.session


def test_a_replayed_deep_linking_token_shows_no_second_picker(client, platform, city_lms, quiz, caplog):
    """The picker answers once per id_token: a captured deep-linking form posted again is refused."""
    _action, fields = launch_form(platform, "city-tool", {"sub": "author-9", "deep_link": True}, client)
    first = client.post("/lti/launch/", fields)
    assert first.status_code == 200 and f"quiz:{quiz.pk}" in first.content.decode()
    again = client.post("/lti/launch/", fields)
    assert again.status_code == 403
    assert f"quiz:{quiz.pk}" not in again.content.decode()
    assert any(getattr(r, "refusal", None) == "replayed" for r in caplog.records)


def test_a_garbage_id_token_is_refused(client, platform, city_lms, caplog):
    response = client.post("/lti/launch/", {"id_token": "a.b", "state": "x"})
    assert response.status_code == 403
    assert "読み取れませんでした" in response.content.decode()


# --- keys, JWKS and the commands --------------------------------------------------------------------------


def test_the_jwks_publishes_the_signing_key_and_a_rotated_one_for_the_grace_period(client, settings):
    first = client.get("/lti/jwks/").json()["keys"]
    assert len(first) == 1 and "d" not in first[0]  # public halves only
    call_command("lti_keys", "rotate")
    kids = {k["kid"] for k in client.get("/lti/jwks/").json()["keys"]}
    assert len(kids) == 2 and first[0]["kid"] in kids
    old = ToolKey.objects.get(kid=first[0]["kid"])
    assert not old.private_key_sealed.startswith("-----BEGIN")  # sealed at rest
    ToolKey.objects.filter(pk=old.pk).update(retired_at=old.retired_at - datetime.timedelta(days=8))
    assert {k["kid"] for k in client.get("/lti/jwks/").json()["keys"]} == kids - {old.kid}


def test_the_command_registers_an_lms_and_prints_the_tool_urls(city, capsys):
    call_command(
        "lti_registration",
        "add",
        "--municipality",
        city.code,
        "--issuer",
        "https://moodle.city.example.lg.jp",
        "--client-id",
        "abc123",
        "--auth-login-url",
        "https://moodle.city.example.lg.jp/mod/lti/auth.php",
        "--auth-token-url",
        "https://moodle.city.example.lg.jp/mod/lti/token.php",
        "--keyset-url",
        "https://moodle.city.example.lg.jp/mod/lti/certs.php",
        "--deployment-id",
        "1",
    )
    out = capsys.readouterr().out
    for path in ("/lti/login/", "/lti/launch/", "/lti/jwks/"):
        assert path in out
    call_command("lti_registration", "list")
    assert "abc123" in capsys.readouterr().out
    assert Registration.objects.get().deployments.get().deployment_id == "1"


def test_the_command_refuses_bad_values_naming_each_and_writes_nothing(city):
    with pytest.raises(CommandError) as error:
        call_command(
            "lti_registration",
            "add",
            "--municipality",
            city.code,
            "--issuer",
            "https://moodle.example.jp",
            "--client-id",
            "abc",
            "--auth-login-url",
            "http://moodle.example.jp/auth",
            "--auth-token-url",
            "ftp://x",
            "--keyset-url",
            "https://moodle.example.jp/certs",
            "--deployment-id",
            " ",
        )
    message = str(error.value)
    for option in ("--auth-login-url", "--auth-token-url", "--deployment-id"):
        assert option in message
    assert not Registration.objects.exists()


def test_the_deep_linking_picker_lists_live_content_in_a_fixed_number_of_queries(
    platform, city_lms, quiz, curriculum, django_assert_num_queries
):
    from django.test import Client

    from assessments.models import Quiz

    def picker() -> tuple:
        client = Client()  # each time a browser as fresh as the first
        _action, fields = launch_form(platform, "city-tool", {"sub": "author", "deep_link": True}, client)
        with django_assert_num_queries(PICKER_QUERIES):
            response = client.post("/lti/launch/", fields)
        assert response.status_code == 200
        return response, response.content.decode()

    Client().get("/login/")  # the site's look, read once into the shared cache (as any earlier page does)
    response, page = picker()
    assert "LTI 小テスト" in page and curriculum["basics"].title in page
    assert "frame-ancestors " + platform in response["Content-Security-Policy"]
    Quiz.objects.create(title="下書きの小テスト", live=False)
    more = Quiz(title="二つ目の小テスト")
    more.save()
    more.save_revision().publish()
    _response, page = picker()
    assert "二つ目の小テスト" in page and "下書きの小テスト" not in page
    assert not LtiIdentity.objects.exists()  # picking signs nobody in


PICKER_QUERIES = 16  # registration, deployment, key and session; the nonce spent (savepoint, insert,
# release); one per kind of content


def test_another_municipalitys_own_quiz_is_neither_launched_nor_offered(
    client, platform, city_lms, town_lms, quiz, city, caplog
):
    """ADR 0024: the town's LMS names the city's own quiz by its number: refused, and its picker does not
    list it (the shared quiz it does)."""
    from assessments.models import Quiz

    own = Quiz(title="若葉市だけの小テスト", passing_percent=70, municipality=city)
    own.items = [quiz.items.first().__class__(question=quiz.items.first().question, weight=1)]
    own.save()
    own.save_revision().publish()
    response = launch(client, platform, "town-tool", sub="town-7", target=f"quiz:{own.pk}")
    assert response.status_code == 403
    assert any(getattr(r, "refusal", None) == "unknown_target" for r in caplog.records)
    _action, fields = launch_form(platform, "town-tool", {"sub": "town-author", "deep_link": True}, client)
    picker = client.post("/lti/launch/", fields).content.decode()
    assert f"quiz:{quiz.pk}" in picker and f"quiz:{own.pk}" not in picker
    # the city's own LMS launches it
    assert launch(client, platform, "city-tool", sub="city-7", target=f"quiz:{own.pk}").status_code == 302
