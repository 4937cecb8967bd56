"""Issue 17 part 1, ADR 0023: the municipality's HR opens an LMS course's members from the Wagtail admin
(設定 › LMS 連携). The course and its memberships URL come from a real launch by the independent platform
(tools/lti-platform); the members are fetched from it over real HTTP with the tool's service token (the
platform checks our signed assertion against the live server's JWKS), shown, never stored, and logged.
Everyone but the city's HR is refused on the URL with the city's ids, and nothing is fetched or logged."""

import pytest
import requests
from django.test import Client
from django.urls import reverse

from lms_site.organisation.models import AdvisorContract, PersonalDataAccess
from lms_site.organisation.roles import Role, role_group, roles_sync
from lti import nrps
from lti.models import LaunchContext, LtiIdentity
from tests.factories import StaffProfileFactory, UserFactory
from tests.lti.conftest import pass_quiz, register
from tests.lti.test_grades_and_deep_linking import _scores_sent_here, live_launch  # noqa: F401 - fixture
from tests.lti.test_names_and_roles import INSTRUCTOR, member, members_at

pytestmark = pytest.mark.django_db(transaction=True)

COURSE_TITLE = "情報セキュリティ研修 2026(LMS)"


def person(municipality, *roles: Role, number: str = ""):
    staff = StaffProfileFactory(municipality=municipality, **({"employee_number": number} if number else {}))
    staff.user.groups.add(*(role_group(role) for role in roles))
    return staff


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def launch_in_course(platform: str, context: str, sub: str, quiz, **spec) -> None:
    """A learner of the LMS course opens the quiz: the course and its memberships URL are remembered."""
    with requests.Session() as browser:
        page = live_launch(
            browser,
            platform,
            "live-tool",
            sub=sub,
            nrps=True,
            context=context,
            target=f"quiz:{quiz.pk}",
            claims={nrps.CONTEXT_CLAIM: {"id": context, "title": COURSE_TITLE}},
            **spec,
        )
    assert page.status_code == 200 and "LTI 小テスト" in page.text, page.text[:300]


@pytest.fixture
def roles(db):
    roles_sync()  # transactional tests start from a flushed database


def test_the_city_s_hr_sees_the_course_members_with_staff_and_completion_and_the_view_is_logged(
    live_platform, city, quiz, live_server, roles
):
    registration = register(city, live_platform, "live-tool", "dep-live", match_staff=True)
    learner = person(city, Role.LEARNER, number="100010")
    launch_in_course(live_platform, "course-h", "m-1", quiz, employee_number="100010")
    pass_quiz(learner.user, quiz)
    context = LaunchContext.objects.get()
    assert (context.registration, context.context_id, context.title) == (
        registration,
        "course-h",
        COURSE_TITLE,
    )
    assert context.targets == [f"quiz:{quiz.pk}"]
    assert context.memberships_url == f"{live_platform}/contexts/course-h/memberships"
    members_at(
        live_platform,
        "course-h",
        [
            member("teacher-1", "講師 一郎", INSTRUCTOR),
            member("m-1", "若葉 一郎"),
            member("m-2", "未起動 二郎"),
        ],
        page_size=2,
    )
    hr = signed_in(person(city, Role.LEARNER, Role.HR).user)
    before = LtiIdentity.objects.count()

    listing = hr.get(reverse("lti_admin:registrations"))
    page = hr.get(reverse("lti_admin:members", args=[registration.pk, context.pk]))

    assert listing.status_code == 200 and COURSE_TITLE in listing.content.decode()
    assert page.status_code == 200, page.content.decode()[:500]
    text = page.content.decode()
    for shown in ("講師 一郎", "若葉 一郎", "未起動 二郎", "講師", learner.full_name, "100010", "合格 100%"):
        assert shown in text, shown
    assert "no-store" in page["Cache-Control"]
    log = PersonalDataAccess.objects.get(view="lti:context_members")
    assert (log.rows, log.municipality_id, log.viewer_id) == (3, city.pk, page.wsgi_request.user.pk)
    assert log.parameters == {"registration": registration.pk, "context": context.pk}
    assert LtiIdentity.objects.count() == before  # nothing of the roster is stored


def test_only_the_city_s_hr_may_open_the_members_nothing_is_fetched_or_logged_for_anyone_else(
    live_platform, city, town, quiz, live_server, roles
):
    registration = register(city, live_platform, "live-tool", "dep-live")
    launch_in_course(live_platform, "course-x", "m-1", quiz)
    members_at(live_platform, "course-x", [member("m-1", "若葉 秘密")])
    context = LaunchContext.objects.get()
    url = reverse("lti_admin:members", args=[registration.pk, context.pk])
    advisor = UserFactory(username="advisor")
    advisor.groups.add(role_group(Role.ADVISOR))
    AdvisorContract.objects.create(advisor=advisor, municipality=city, starts_on="2024-04-01")
    town_hr = person(town, Role.LEARNER, Role.HR).user
    admin = UserFactory(username="platform-admin", is_superuser=True, is_staff=True)
    attackers = {
        "town HR": (town_hr, 404),
        "city manager": (person(city, Role.LEARNER, Role.MANAGER).user, "login"),
        "city learner": (person(city, Role.LEARNER).user, "login"),
        "city advisor": (advisor, 403),
        "platform-wide administrator": (admin, 404),
    }

    answers = {}
    for who, (user, _expected) in attackers.items():
        response = signed_in(user).get(url)
        redirected = response.status_code == 302 and "/login/" in response["Location"]
        answers[who] = "login" if redirected else response.status_code
        assert "若葉 秘密" not in response.content.decode()

    assert answers == {who: expected for who, (_user, expected) in attackers.items()}
    assert PersonalDataAccess.objects.filter(view="lti:context_members").count() == 0
    # the town's HR lists only its own registrations; the city's course, mixed with a town's registration,
    # is not found either
    listing = signed_in(town_hr).get(reverse("lti_admin:registrations"))
    assert listing.status_code == 200 and COURSE_TITLE not in listing.content.decode()
    town_registration = register(town, live_platform, "live-tool-town", "dep-town")
    mixed = reverse("lti_admin:members", args=[town_registration.pk, context.pk])
    assert signed_in(town_hr).get(mixed).status_code == 404
    assert signed_in(advisor).get(reverse("lti_admin:registrations")).status_code == 403


def test_a_token_the_platform_refuses_is_reported_to_hr_and_nothing_is_logged(
    live_platform, city, quiz, live_server, roles
):
    registration = register(city, live_platform, "live-tool", "dep-live")
    launch_in_course(live_platform, "course-r", "m-1", quiz)
    members_at(live_platform, "course-r", [member("m-1", "受講者 1")], refuse=True)
    context = LaunchContext.objects.get()
    hr = signed_in(person(city, Role.LEARNER, Role.HR).user)

    page = hr.get(reverse("lti_admin:members", args=[registration.pk, context.pk]))

    assert page.status_code == 502
    text = page.content.decode()
    assert "参加者を読み取れませんでした" in text and "401" in text and "受講者 1" not in text
    assert not PersonalDataAccess.objects.filter(view="lti:context_members").exists()


def test_a_memberships_url_off_the_registration_s_platform_is_never_remembered(city, quiz, roles):
    from lti.services import Target

    registration = register(city, "http://127.0.0.1:9", "off-tool", "dep-off")
    target = Target("quiz", quiz.pk, "/", quiz.title)
    forged = {nrps.NRPS_CLAIM: {"context_memberships_url": "http://127.0.0.1:10/contexts/x/memberships"}}
    assert nrps.context_remember(registration=registration, claims=forged, target=target) is None
    no_url = {nrps.NRPS_CLAIM: {"context_memberships_url": "javascript:alert(1)"}}
    assert nrps.context_remember(registration=registration, claims=no_url, target=target) is None
    assert not LaunchContext.objects.exists()
    # a stored course whose registration moved to another platform is not asked there
    context = LaunchContext.objects.create(
        registration=registration,
        context_id="c",
        memberships_url="http://127.0.0.1:11/contexts/c/memberships",
    )
    refused = nrps.context_members(registration=registration, context=context)
    assert refused.code == "other_registration"
