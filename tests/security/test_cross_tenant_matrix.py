"""Issue 13: a municipality's roles reach nothing of another municipality, on any URL the resolver knows.

Two municipalities share the deployment: 若葉市 and a small town. Every tenant-owned row of the victim is
created with the same primary key (``VICTIM_PK``), so one request per URL pattern tries every model at
once: each path parameter gets that key (or the victim's codes and model names where a parameter names
those). As HR, 所属長 and learner of the attacker, every GET must not show a single row of the victim
(names, employee numbers, department names, the target's note), and every edit and delete POST against
the victim's keys must leave its rows as they were. The URL list is read from the resolver, so a URL added
later is attacked without a new test.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from analytics.models import DevelopmentTarget
from assessments.models import Quiz
from lms_site.notifications.models import Notification
from lms_site.organisation.models import (
    Assignment,
    Department,
    DepartmentKind,
    JobGrade,
    PersonalDataAccess,
    StaffImport,
    StaffProfile,
)
from lms_site.organisation.roles import Role, role_group
from tests.factories import MunicipalityFactory, UserFactory
from training.models import ClassSession, SessionRegistration, TrainingDue, TrainingRule

pytestmark = [pytest.mark.django_db]

VICTIM_PK = 424242
TENANT_MODELS = [
    Department,
    StaffProfile,
    Assignment,
    StaffImport,
    PersonalDataAccess,
    DevelopmentTarget,
    TrainingRule,
    TrainingDue,
    ClassSession,
    SessionRegistration,
    Notification,
    Quiz,  # a municipality's own quiz (ADR 0024)
]
# Signing out ends the attack; Wagtail's failwhale raises on purpose (its error-page check).
SKIPPED_PREFIXES = ("logout/", "i18n/", "django-admin/logout/", "admin/logout/", "admin/failwhale/")
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\(\\d\+\)|\(\.\*\)|\.\*")


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern).lstrip("^").rstrip("$"), pattern.name or ""


def concrete_paths(template: str, victim) -> list[str]:
    """Every path of a pattern with the victim's keys: one, or one per tenant model for model names."""
    names = [m.group(2) or m.group(3) for m in PARAMETER.finditer(template)]
    if any(name in ("app_label", "app_name", "content_type_app_name") for name in names):
        choices = [(m._meta.app_label, m._meta.model_name) for m in TENANT_MODELS]
    else:
        choices = [(None, None)]
    paths = []
    for app_label, model_name in choices:

        def value(match, app_label=app_label, model_name=model_name):
            converter, name = match.group(1), match.group(2) or match.group(3) or ""
            if name in ("app_label", "app_name", "content_type_app_name"):
                return app_label
            if name in ("model_name", "content_type_model_name"):
                return model_name
            if name == "code":  # an issuer's code is the municipality's; elsewhere a department's
                return victim["municipality"].code if "issuers" in template else victim["department"].code
            if name == "file_format":
                return "csv"
            if converter == "uuid" or "uuid" in name:
                return "00000000-0000-4000-8000-000000000000"
            return str(VICTIM_PK)

        path = "/" + PARAMETER.sub(value, template).replace("\\", "")
        paths.append(re.sub(r"[\^$?]", "", path))
    return paths


def municipality_with_everything(name: str, code: str, *, pk: int | None, marker: str) -> dict:
    """A municipality with one row of every tenant-owned model; with ``pk``, each row has that key."""
    municipality = MunicipalityFactory(code=code, name=name)
    keys = {"pk": pk} if pk else {}
    department = Department.add_root(
        municipality=municipality, code=f"{code}1", name=f"{marker}情報政策課", kind=DepartmentKind.KA, **keys
    )
    people = {}
    roles = (
        (Role.HR, JobGrade.SHUJI),
        (Role.MANAGER, JobGrade.KACHO),
        (Role.REVIEWER, None),
        (Role.LEARNER, None),
    )
    for role, grade in roles:
        user = UserFactory(username=f"{code}-{role}")
        profile = StaffProfile.objects.create(
            user=user,
            municipality=municipality,
            employee_number=f"{code}{len(people)}",
            family_name=f"{marker}{role}",
            given_name="花子",
            job_grade=grade or JobGrade.SHUJI,
            job_category="gyosei",
            hire_year=2015,
            **({"pk": pk + len(people)} if pk and people else keys),
        )
        Assignment.objects.create(
            staff=profile,
            department=department,
            starts_on="2020-04-01",
            **({"pk": pk + len(people)} if pk and people else keys),
        )
        user.groups.add(role_group(Role.LEARNER))
        if role != Role.LEARNER:
            user.groups.add(role_group(role))
        people[role] = user
    StaffImport.objects.create(
        municipality=municipality,
        file_name=f"{marker}職員.csv",
        content=b"",
        effective_date="2026-04-01",
        **keys,
    )
    PersonalDataAccess.objects.create(
        viewer=people[Role.HR],
        subject=people[Role.LEARNER].staff_profile,
        municipality=municipality,
        view=f"{marker}閲覧",
        **keys,
    )
    DevelopmentTarget.objects.create(
        department=department, fiscal_year=2026, leaders=3, note=f"{marker}の育成目標", **keys
    )
    training = _training_rows(municipality, people, keys, marker)
    # What a leak would show: the rows' own data. The municipality's name is public (its issuer profile).
    markers = [
        *training,
        department.name,
        f"{marker}の育成目標",
        f"{marker}職員.csv",
        *(p.staff_profile.family_name for p in people.values()),
        *(p.staff_profile.employee_number for p in people.values()),
    ]
    return {"municipality": municipality, "department": department, "people": people, "markers": markers}


def _training_rows(municipality, people, keys: dict, marker: str) -> list[str]:
    """Assigned training, a classroom session with a registration, and a notification (issue 15)."""
    import datetime

    from django.utils import timezone

    from assessments.models import Quiz
    from courses.models import CoursePage
    from lms_site.home.models import HomePage

    quiz = Quiz.objects.create(title=f"{marker}確認テスト", municipality=municipality, **keys)  # its own
    learner = people[Role.LEARNER].staff_profile
    rule = TrainingRule.objects.create(
        municipality=municipality, title=f"{marker}の受講指示", quiz=quiz, due_on="2027-03-31", **keys
    )
    TrainingDue.objects.create(
        rule=rule, staff=learner, cycle=2026, matched_on="2026-04-01", due_on="2027-03-31", **keys
    )
    home = HomePage.objects.first()
    course = home.add_child(
        instance=CoursePage(
            title=f"{marker}研修", slug=f"course-{municipality.code}", summary="概要", estimated_hours=1
        )
    )
    start = timezone.now() + datetime.timedelta(days=30)
    session = ClassSession.objects.create(
        municipality=municipality,
        course=course,
        title=f"{marker}集合研修",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        venue=f"{marker}会議室",
        capacity=10,
        registration_deadline=start - datetime.timedelta(days=7),
        **keys,
    )
    SessionRegistration.objects.create(session=session, staff=learner, status="registered", **keys)
    Notification.objects.create(
        recipient=people[Role.LEARNER],
        municipality=municipality,
        kind="overdue",
        key=f"test:{municipality.code}",
        subject=f"{marker}のお知らせ",
        body="本文",
        delivery="immediate",
        **keys,
    )
    return [
        f"{marker}の受講指示",
        f"{marker}集合研修",
        f"{marker}会議室",
        f"{marker}のお知らせ",
        f"{marker}確認テスト",
    ]


@pytest.fixture
def tenants():
    victim = municipality_with_everything("若葉市", "999991", pk=VICTIM_PK, marker="若葉")
    attacker = municipality_with_everything("小さな町", "999992", pk=None, marker="桜木")
    return victim, attacker


def snapshot() -> dict:
    return {m.__name__: sorted(map(repr, m._base_manager.values())) for m in TENANT_MODELS}


@pytest.mark.parametrize("role", [Role.HR, Role.MANAGER, Role.REVIEWER, Role.LEARNER])
def test_no_url_shows_another_municipalitys_rows(client, tenants, role):
    victim, attacker = tenants
    client.force_login(attacker["people"][role])
    client.raise_request_exception = False
    leaks, errors = [], []
    for template, _name in url_patterns():
        if template.startswith(SKIPPED_PREFIXES):
            continue
        for path in concrete_paths(template, victim):
            response = client.get(path)
            if response.status_code >= 500:
                errors.append(f"{path}: {response.status_code}")
                continue
            if response.status_code != 200 or response.get("Content-Type", "").startswith("image/"):
                continue
            body = response.content.decode(errors="replace")
            found = [m for m in victim["markers"] if m in body]
            if found:
                leaks.append(f"{path}: {found}")
    assert not leaks, "another municipality's rows shown:\n" + "\n".join(leaks)
    assert not errors, "server errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("role", [Role.HR, Role.REVIEWER])
def test_edit_and_delete_posts_against_another_municipalitys_keys_change_nothing(client, tenants, role):
    victim, attacker = tenants
    client.force_login(attacker["people"][role])
    client.raise_request_exception = False
    before = snapshot()
    posted = 0
    for template, name in url_patterns():
        if not template.startswith("admin/") or name not in ("edit", "delete", "delete_multiple"):
            continue
        for path in concrete_paths(template, victim):
            client.post(path, {"id": VICTIM_PK, "note": "書き換え", "name": "書き換え"})
            posted += 1
    assert posted >= 5
    assert snapshot() == before


def test_the_attacker_still_works_in_its_own_municipality(client, tenants):
    """Not a matrix that passes because nothing works: the same HR sees its own rows."""
    _victim, attacker = tenants
    client.force_login(attacker["people"][Role.HR])
    body = client.get("/admin/staffprofile/").content.decode()
    assert attacker["people"][Role.LEARNER].staff_profile.employee_number in body
    target = DevelopmentTarget.objects.get(department=attacker["department"])
    assert client.get(f"/admin/snippets/analytics/developmenttarget/edit/{target.pk}/").status_code == 200


def test_the_reverse_direction_too(client, tenants):
    """若葉市's HR against the town (whose rows have ordinary keys): listings hold none of them."""
    victim, attacker = tenants
    client.force_login(victim["people"][Role.HR])
    for path in (
        "/admin/staffprofile/",
        "/admin/department/",
        "/admin/snippets/analytics/developmenttarget/",
        "/hr/audit/",
    ):
        body = client.get(path).content.decode()
        assert not [m for m in attacker["markers"] if m in body], path
    for model in (StaffProfile, Department, DevelopmentTarget):
        row = model._base_manager.filter(**{_municipality_path(model): attacker["municipality"]}).first()
        for action in ("edit", "inspect", "delete"):
            path = _viewset_url(model, action, row.pk)
            if path:
                assert client.get(path).status_code in (302, 403, 404), path


def _municipality_path(model) -> str:
    return {DevelopmentTarget: "department__municipality"}.get(model, "municipality")


def _viewset_url(model, action: str, pk: int) -> str | None:
    from wagtail.admin.admin_url_finder import AdminURLFinder

    edit = AdminURLFinder().get_edit_url(model._base_manager.get(pk=pk))
    if edit is None:
        return None
    return edit.replace("/edit/", f"/{action}/") if action != "edit" else edit
