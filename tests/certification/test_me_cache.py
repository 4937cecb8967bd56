"""/me/'s content cached per learner (``courses.learner_cache``, ADR 0009): every kind of change to what it
shows is on the next view, whether made by a service, a queryset update without signals or raw SQL; the
cache never serves one learner's overview to another, nor across municipalities or scopes; the form's
CSRF token is the request's own. Without PostgreSQL and a shared cache the content is rendered every time,
and the same assertions hold (the SQLite leg); the PostgreSQL + Redis leg runs them against the cache."""

import datetime
import re

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.certification import services
from assessments.certification.models import CertificationProgram, CompetencyLevel, ProgramRequirement
from courses import learner_cache
from courses import services as course_services
from courses.competencies.models import Competency
from courses.models import Enrollment, LessonPage
from lms_site.organisation.models import StaffProfile
from lms_site.organisation.roles import Role
from tests.analytics.factories import CertificateFactory
from tests.courses.conftest import course, curriculum  # noqa: F401 - re-exported fixtures
from training import services as training_services
from training.models import TrainingDue
from training.services import RuleSpec

from .conftest import competency, person
from .factories import EvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_with_basics(municipality, framework, programs, curriculum):  # noqa: F811
    user = person("learner", municipality, Role.LEARNER)
    for code in ("A1", "A4", "C1", "D1", "E1"):
        EvidenceFactory(user=user, competency=competency(framework, code), level=2)
    services.levels_recompute(user=user)
    return user


def me(client, **extra) -> str:
    response = client.get("/me/", **extra)
    assert response.status_code == 200
    return response.content.decode()


def level_cell(page: str, code: str) -> str:
    """The 現在 cell of ``code``'s row in /me/'s profile table."""
    row = re.search(rf'<th scope="row">{code} .*?</th>\s*<td>(Lv\d)</td>', page, re.S)
    assert row, code
    return row.group(1)


def required_cell(page: str, code: str) -> str:
    row = re.search(rf'<th scope="row">{code} .*?</th>\s*<td>Lv\d</td><td>(.*?)</td>', page, re.S)
    assert row, code
    return row.group(1)


def my_courses(page: str) -> str:
    found = re.search(r'<ul class="my-courses">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def todo(page: str) -> str:
    found = re.search(r'<ul class="todo-list">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def stable(page: str) -> str:
    """The page without what differs on every response (masked CSRF tokens, CSP nonces)."""
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1=""', page)


def seen_twice(client, **extra) -> str:
    """The page, viewed twice: the second from the cache where there is one (and the same)."""
    first = me(client, **extra)
    second = me(client, **extra)
    assert stable(first) == stable(second)
    return second


def test_each_kind_of_change_is_on_the_next_view(
    client,
    learner_with_basics,
    framework,
    curriculum,  # noqa: F811
    municipality,
    django_capture_on_commit_callbacks,
):
    learner = learner_with_basics
    client.force_login(learner)
    page = seen_twice(client)
    assert level_cell(page, "B1") == "Lv0" and level_cell(page, "A1") == "Lv2"

    # a new piece of evidence, and the level it raises (the recompute writes the level table in bulk)
    EvidenceFactory(user=learner, competency=competency(framework, "B1"), level=2)
    services.levels_recompute(user=learner)
    assert level_cell(seen_twice(client), "B1") == "Lv2"

    # a level changed without any signal (a queryset update, as raw SQL would)
    CompetencyLevel.objects.filter(user=learner, competency__code="A1").update(level=4)
    assert level_cell(seen_twice(client), "A1") == "Lv4"

    # an enrolment, then a lesson done
    assert "データ活用入門" not in my_courses(page)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(user=learner, course=curriculum["data"])
    page = seen_twice(client)
    assert "データ活用入門" in my_courses(page) and "0 / " in my_courses(page)
    lesson = LessonPage.objects.child_of(curriculum["data"]).order_by("path").first()
    with django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_complete(user=learner, lesson=lesson)
    assert "1 / " in my_courses(seen_twice(client))

    # a certificate of the programme on the path
    assert "に認定されました" not in page
    leader = CertificationProgram.objects.get(code="DX_LEADER", municipality=None)
    CertificateFactory(user=learner, program=leader, issued_on=timezone.localdate())
    assert "DX推進リーダーに認定されました" in seen_twice(client)

    # the framework: a competency renamed by a queryset update (no signal)
    Competency.objects.filter(framework=framework, code="A1").update(name="行政DXの理解(改訂)")
    assert "行政DXの理解(改訂)" in seen_twice(client)

    # the programme: HR raises a requirement (a queryset update, no signal)
    assert required_cell(page, "A2") == "Lv3"
    ProgramRequirement.objects.filter(program=leader, competency__code="A2").update(min_level=4)
    assert required_cell(seen_twice(client), "A2") == "Lv4"

    # a course's title published anew (the pages: the curriculum's version token)
    basics = curriculum["data"].specific
    basics.title = "データ活用入門(新版)"
    basics.save_revision().publish()
    assert "データ活用入門(新版)" in my_courses(seen_twice(client))


def test_training_dues_and_the_day(
    client,
    learner_with_basics,
    curriculum,  # noqa: F811
    municipality,
    monkeypatch,
):
    learner = learner_with_basics
    client.force_login(learner)
    assert todo(seen_twice(client)) == ""
    today = timezone.localdate()
    rule, _count = training_services.rule_create(
        spec=RuleSpec(title="DX基礎(全職員)", course=curriculum["basics"], due_on=today),
        municipality=municipality,
    )
    page = seen_twice(client)
    assert "DX基礎(全職員)" in todo(page) and "未着手" in todo(page)

    # tomorrow the same rows are overdue: the day is part of what the content is kept under
    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert "期限切れ" in todo(seen_twice(client))
    monkeypatch.undo()

    # HR exempts the learner
    due = TrainingDue.objects.get(rule=rule, staff__user=learner)
    training_services.due_exempt(due=due, reason="育児休業中", by=None)
    assert "免除" in todo(seen_twice(client))


def test_each_language_has_its_own_content(client, learner_with_basics):
    client.force_login(learner_with_basics)
    japanese = seen_twice(client)
    assert "受講中のコース" in japanese
    client.cookies["django_language"] = "en"
    english = seen_twice(client)
    assert "My courses" in english and "受講中のコース" not in english
    client.cookies["django_language"] = "ja"
    assert "受講中のコース" in me(client)


def test_never_another_learners_overview(client, learner_with_basics, framework, municipality):
    """Two learners of the same city, one after the other on the same process and cache: each sees their
    own levels, whatever the other viewed first."""
    other = person("other", municipality, Role.LEARNER)
    EvidenceFactory(user=other, competency=competency(framework, "B1"), level=2)
    services.levels_recompute(user=other)
    client.force_login(learner_with_basics)
    mine = seen_twice(client)
    client.force_login(other)
    theirs = seen_twice(client)
    assert (level_cell(mine, "A1"), level_cell(mine, "B1")) == ("Lv2", "Lv0")
    assert (level_cell(theirs, "A1"), level_cell(theirs, "B1")) == ("Lv0", "Lv2")
    client.force_login(learner_with_basics)
    assert stable(me(client)) == stable(mine)


def test_the_same_records_in_two_municipalities_are_never_mixed(
    client, learner_with_basics, framework, municipality, other_city
):
    """An attacker's try: a learner in the next town with the same employee number, the same evidence at
    the same levels and the same enrolments: only the town's own programme differs. Each sees their own
    municipality's requirement, never the other's cached overview."""
    twin = person("twin", other_city, Role.LEARNER)
    StaffProfile.objects.filter(user=twin).update(
        employee_number=StaffProfile.objects.get(user=learner_with_basics).employee_number
    )
    for code in ("A1", "A4", "C1", "D1", "E1"):
        EvidenceFactory(user=twin, competency=competency(framework, code), level=2)
    services.levels_recompute(user=twin)
    shared = CertificationProgram.objects.get(code="DX_LEADER", municipality=None)
    fields = ("breadth_min_level", "specialism_min_level", "requires_exam", "requires_capstone")
    own = CertificationProgram.objects.create(
        code="DX_LEADER",
        municipality=other_city,
        name="青葉町DX推進リーダー",
        is_active=True,
        prerequisite=shared.prerequisite,
        **{name: getattr(shared, name) for name in fields},
    )
    for requirement in ProgramRequirement.objects.filter(program=shared):
        level = 5 if requirement.competency.code == "A2" else requirement.min_level
        ProgramRequirement.objects.create(program=own, competency=requirement.competency, min_level=level)
    client.force_login(learner_with_basics)
    ours = seen_twice(client)
    client.force_login(twin)
    theirs = seen_twice(client)
    assert "青葉町DX推進リーダー" in theirs and "青葉町DX推進リーダー" not in ours
    assert required_cell(ours, "A2") == "Lv3" and required_cell(theirs, "A2") == "Lv5"

    # the learner moves to the town: the town's programme from the next view on
    StaffProfile.objects.filter(user=learner_with_basics).update(
        municipality=other_city, employee_number="T-1"
    )
    client.force_login(learner_with_basics)
    assert required_cell(seen_twice(client), "A2") == "Lv5"


def test_the_key_names_the_person_and_the_scope(rf, learner_with_basics, municipality, other_city):
    """The same person with the same rows in two scopes (the scope the middleware gave the request), and
    another person: three keys."""
    request = rf.get("/me/")
    request.user = learner_with_basics
    request.municipality_ids = [municipality.pk]
    here = learner_cache._key(request, "versions")
    request.municipality_ids = [other_city.pk]
    there = learner_cache._key(request, "versions")
    request.user, request.municipality_ids = person("other", municipality, Role.LEARNER), [municipality.pk]
    other = learner_cache._key(request, "versions")
    assert len({here, there, other}) == 3


def test_the_form_carries_the_requests_own_csrf_token(
    learner_with_basics,
    curriculum,  # noqa: F811
    municipality,
):
    """A yearly rule's course done in an earlier year offers 今年度の受講を始める (a form): its token is the
    one of the request it is served to, also after signing in again (a new CSRF secret) from the cache."""
    learner = learner_with_basics
    Enrollment.objects.create(
        user=learner, course=curriculum["basics"], completed_at=timezone.now() - datetime.timedelta(days=800)
    )
    training_services.rule_create(
        spec=RuleSpec(
            title="DX基礎(毎年)",
            course=curriculum["basics"],
            due_within_days=60,
            every_year=True,
        ),
        municipality=municipality,
    )
    client = Client(enforce_csrf_checks=True)
    for _session in range(2):
        client.force_login(learner)
        page = seen_twice(client)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert _unmask_cipher_token(token) == client.cookies["csrftoken"].value
        client.logout()
        client.cookies.pop("csrftoken", None)


def test_with_the_cache_a_repeated_view_reads_only_the_versions(client, learner_with_basics, monkeypatch):
    if not learner_cache.enabled():
        pytest.skip("the learner cache needs PostgreSQL and a shared cache")
    client.force_login(learner_with_basics)
    page = me(client)
    from courses import selectors

    def refused(**kwargs):
        raise AssertionError("the overview was computed again")

    monkeypatch.setattr(selectors, "learner_overview", refused)
    with CaptureQueriesContext(connection) as captured:
        assert stable(me(client)) == stable(page)
    assert sum("hashtextextended" in query["sql"] for query in captured.captured_queries) == 1


# Tables /me/ reads that are no source of the cached content, each with the reason it needs none.
NOT_SOURCES = {
    # the page around the content, rendered per request: the user, the session, permissions, the unread
    # count, the site's look, Wagtail's user bar
    "auth_user": "the page around",
    "django_session": "the page around",
    "auth_permission": "the page around",
    "auth_group": "the page around",
    "auth_group_permissions": "the page around",
    "auth_user_groups": "the page around",
    "auth_user_user_permissions": "the page around",
    "django_content_type": "the page around",  # permission sets read without a shared cache
    "notifications_notification": "the page around",
    "wagtailusers_userprofile": "the page around",
    "home_sitelook": "the page around",
    "wagtailimages_image": "the page around",
    "wagtailcore_locale": "the page around",
    # the pages and what the curriculum's version token is replaced by (courses.navigation)
    "wagtailcore_page": "curriculum token",
    "courses_coursepage": "curriculum token",
    "courses_lessonpage": "curriculum token",
    "courses_coursecompetency": "curriculum token",
    "organisation_municipality": "curriculum token",
}


def test_every_table_the_content_reads_is_a_source(
    client,
    learner_with_basics,
    framework,
    curriculum,  # noqa: F811
    municipality,
    settings,
    django_capture_on_commit_callbacks,
):
    """The one way the cache could show stale content is a table the content reads that no app registered
    as a source: the content is rendered here with every section filled (enrolments and a lesson done, a
    certificate, a due, the path with its gaps) and every table its queries name is a registered source's or
    one of ``NOT_SOURCES``, each with its reason."""
    from courses import hooks

    settings.LEARNER_CACHE_SECONDS = 0  # the content rendered, as on the first view after a change
    learner = learner_with_basics
    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(user=learner, course=curriculum["data"])
        lesson = LessonPage.objects.child_of(curriculum["data"]).order_by("path").first()
        course_services.lesson_complete(user=learner, lesson=lesson)
    leader = CertificationProgram.objects.get(code="DX_LEADER", municipality=None)
    CertificateFactory(user=learner, program=leader, issued_on=timezone.localdate())
    training_services.rule_create(
        spec=RuleSpec(title="DX基礎(全職員)", course=curriculum["basics"], due_on=timezone.localdate()),
        municipality=municipality,
    )
    client.force_login(learner)
    with CaptureQueriesContext(connection) as captured:
        me(client)
    read = set()
    for query in captured.captured_queries:
        if query["sql"].startswith('SELECT "auth_user"."id"'):
            continue  # the signed-in user with its flags (the authentication backend's): the page around
        read |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    sources = {queryset.model._meta.db_table for queryset in hooks.me_sources(learner.pk)}
    assert read - sources - set(NOT_SOURCES) == set()
    assert {"assessments_evidence", "certification_competencylevel", "training_trainingdue"} <= read & sources


# What a rendering reads of the tables that are the same for everyone (``lms_site.shared_memo``).
SHARED_TABLES = (
    "competencies_competencyframework",
    "competencies_competency",
    "certification_certificationprogram",
    "certification_programrequirement",
    "certification_qualificationcompetency",
)


def rendering(client) -> tuple[str, list[str]]:
    """The page and the statements of a view whose content is rendered (the learner cache missed), but
    for the fingerprint."""
    with CaptureQueriesContext(connection) as captured:
        page = me(client)
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum("hashtextextended" in sql for sql in statements) == 1
    return page, [sql for sql in statements if "hashtextextended" not in sql]


def reads_shared(statements: list[str]) -> set[str]:
    return {table for sql in statements for table in SHARED_TABLES if f'FROM "{table}"' in sql}


def test_the_shared_tables_are_read_once_for_every_learner_and_again_after_any_change(
    client, learner_with_basics, framework, municipality
):
    """A learner's first view after a change renders their content; what it reads of the tables that are
    the same for everyone in the scope (the framework, the programme in force and its requirements, the
    qualifications) is kept for the next learner of that scope, under the versions of those tables' rows
    the fingerprint read: the next learner's rendering reads none of them, and a change to any of their
    rows, even without a signal, is on the next view of everyone."""
    if not learner_cache.enabled():
        pytest.skip("the learner cache needs PostgreSQL and a shared cache")
    from lms_site import shared_memo

    shared_memo.clear()
    other = person("other", municipality, Role.LEARNER)
    for code in ("A1", "B1"):
        EvidenceFactory(user=other, competency=competency(framework, code), level=2)
    services.levels_recompute(user=other)

    client.force_login(learner_with_basics)
    first, first_statements = rendering(client)
    assert reads_shared(first_statements) == set(SHARED_TABLES)
    client.force_login(other)
    theirs, statements = rendering(client)
    assert reads_shared(statements) == set()
    # pinned, besides the fingerprint: the user, the site, the learner's enrolments (no lessons done: none
    # read), levels, certificates, capstones, evidence, best exam attempt, dues (none: their progress not
    # read), the unread count; the programme, framework, competencies and qualifications kept
    assert len(statements) == 10
    assert (level_cell(first, "A1"), level_cell(first, "B1")) == ("Lv2", "Lv0")
    assert (level_cell(theirs, "A1"), level_cell(theirs, "B1")) == ("Lv2", "Lv2")

    # HR raises a requirement without any signal: everyone's next view reads the programme again
    leader = CertificationProgram.objects.get(code="DX_LEADER", municipality=None)
    assert required_cell(theirs, "A2") == "Lv3"
    ProgramRequirement.objects.filter(program=leader, competency__code="A2").update(min_level=4)
    theirs, statements = rendering(client)
    assert required_cell(theirs, "A2") == "Lv4"
    assert {"certification_programrequirement"} <= reads_shared(statements)
    client.force_login(learner_with_basics)
    assert required_cell(me(client), "A2") == "Lv4"
