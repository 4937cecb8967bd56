"""load_demo's second municipality and its prefecture (issue 13, item 6): みどり町 and 架空県 share the
deployment with 若葉市, each login sees its own municipality only, and a second run adds nothing."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.test import RequestFactory

from analytics.models import DepartmentSnapshot
from courses.models import Enrollment
from lms_site.organisation.models import (
    Assignment,
    Department,
    DepartmentKind,
    Municipality,
    MunicipalityKind,
    StaffProfile,
)
from lms_site.organisation.roles import Role, user_roles
from lms_site.organisation.tenancy import platform_wide

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 1)


@pytest.fixture
def everywhere():
    with platform_wide():
        yield


def municipality(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


def test_the_town_and_the_prefecture_are_in_the_city_s_prefecture(demo, everywhere):
    city, town, prefecture = municipality("999991"), municipality("999992"), municipality("990001")
    assert (town.name, town.kind, town.prefecture) == ("みどり町", MunicipalityKind.TOWN, "架空県")
    assert (prefecture.name, prefecture.kind, prefecture.prefecture) == (
        "架空県",
        MunicipalityKind.PREFECTURE,
        "架空県",
    )
    assert city.kind == MunicipalityKind.CITY
    assert set(Municipality.objects.in_prefecture(prefecture)) == {city, town}
    assert StaffProfile.objects.filter(municipality=prefecture).count() == 1


def test_the_town_has_about_forty_staff_and_small_divisions(demo, everywhere):
    town = municipality("999992")
    assert 35 <= StaffProfile.objects.filter(municipality=town, is_active=True).count() <= 50
    sizes = {
        Department.objects.get(pk=row["department"]).name: row["n"]
        for row in Assignment.objects.on(TODAY)
        .filter(staff__municipality=town)
        .values("department")
        .annotate(n=Count("pk"))
    }
    per_division = {}
    for division in Department.objects.filter(municipality=town, kind=DepartmentKind.KA):
        names = Department.objects.subtree_of(division).values_list("name", flat=True)
        per_division[division.name] = sum(sizes.get(name, 0) for name in names)
    assert {"総務課", "企画財政課", "住民課", "健康福祉課", "建設課"} <= set(per_division)
    assert len([n for n in per_division.values() if 0 < n < 5]) >= 2, per_division
    # The April 2026 rotation is in the town's history too.
    assert Assignment.objects.filter(staff__municipality=town, ends_on=datetime.date(2026, 3, 31)).exists()


def test_the_town_has_learning_activity_and_closed_month_snapshots(demo, everywhere):
    town = municipality("999992")
    assert Enrollment.objects.filter(user__staff_profile__municipality=town).count() >= 40
    first = datetime.date.today().replace(day=1)  # noqa: DTZ011 - as the snapshot step's today
    assert DepartmentSnapshot.objects.filter(municipality=town, taken_on__lt=first).exists()


@pytest.mark.parametrize(
    ("username", "code", "roles"),
    [
        ("demo-hr-town", "999992", {Role.LEARNER, Role.HR}),
        ("demo-learner-town", "999992", {Role.LEARNER}),
        ("demo-pref", "990001", {Role.PREFECTURE}),
    ],
)
def test_each_login_holds_exactly_its_roles(demo, everywhere, username, code, roles):
    request = RequestFactory().post("/login/")  # the sign-in limit (django-axes) needs the request
    user = authenticate(request, username=username, password="demo")
    assert user is not None
    assert user_roles(user) == roles
    assert user.staff_profile.municipality.code == code
    if username == "demo-pref":
        assert not user.is_staff and not user.user_permissions.exists()
        assert not user.has_perm("organisation.view_personal_data")
        assert not user.has_perm("organisation.view_staffprofile")


def test_the_logins_are_listed(demo, everywhere):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    for username in ("demo-hr-town", "demo-learner-town", "demo-pref"):
        assert username in out.getvalue()


# A second run adds nothing (the town and the prefecture included): tests/demo/test_certification.py.


def staff_listed(client, username: str) -> tuple[set[int], int]:
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/admin/staffprofile/")
    assert response.status_code == 200
    page = response.context["page_obj"]
    return {profile.municipality_id for profile in page.object_list}, page.paginator.count


@pytest.mark.parametrize(
    ("username", "own", "other"), [("demo-hr-town", "999992", "999991"), ("demo-hr", "999991", "999992")]
)
def test_hr_lists_its_own_municipality_s_staff_only(demo, client, username, own, other):
    with platform_wide():
        own_m, other_m = municipality(own), municipality(other)
        own_count = StaffProfile.objects.filter(municipality=own_m).count()
        someone_else = StaffProfile.objects.filter(municipality=other_m).order_by("employee_number").first()
    listed, count = staff_listed(client, username)
    assert listed == {own_m.pk} and count == own_count
    # Searching for someone of the other municipality by name finds at most namesakes of one's own.
    found = client.get("/admin/staffprofile/", {"q": someone_else.family_name})
    assert found.status_code == 200
    assert {p.municipality_id for p in found.context["page_obj"].object_list} <= {own_m.pk}


def test_the_prefecture_sees_both_of_its_municipalities_and_the_town_s_hr_does_not(demo, client):
    with platform_wide():
        official = get_user_model().objects.get(username="demo-pref")
        town_hr = get_user_model().objects.get(username="demo-hr-town")
    client.force_login(official)
    response = client.get("/pref/")
    assert response.status_code == 200
    overview = {row[0]: row for row in response.context["report"].tables["municipalities"].rows}
    assert set(overview) == {"県内の合計", "若葉市", "みどり町"}
    assert isinstance(overview["若葉市"][1], int) and overview["若葉市"][1] > 250
    client.force_login(town_hr)
    assert client.get("/pref/").status_code == 403


def test_the_prefecture_pages_name_nobody(demo, client):
    """Every staff row of the demo, against the page and every export of the prefecture's view."""
    with platform_wide():
        client.force_login(get_user_model().objects.get(username="demo-pref"))
        people = list(
            StaffProfile.objects.values_list("family_name", "given_name", "employee_number", "user__email")
        )
    texts = [client.get("/pref/").content.decode()]
    texts += [
        client.get(f"/pref/export/{name}.csv").content.decode("utf-8-sig")
        for name in ("municipalities", "competencies", "trend")
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/pref/export/municipalities.xlsx").content))
    texts.append(" ".join(str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row))
    text = "\n".join(texts)
    assert len(people) > 300
    for family, given, number, email in people:
        for needle in (f"{family}{given}", f"{family} {given}", f"{family}\u3000{given}", number, email):
            assert not needle or needle not in text, needle


def test_the_towns_own_quiz_is_the_town_learners_to_do_and_nobody_elses(demo, client):
    """ADR 0024: みどり町's own quiz is assigned to its staff and opens for them; 若葉市's learner is not
    offered it, and cannot open it by its number."""
    from assessments.demo import TOWN_QUIZ
    from assessments.models import Question, Quiz

    with platform_wide():
        quiz = Quiz.objects.get(title=TOWN_QUIZ)
        town_learner = get_user_model().objects.get(username="demo-learner-town")
        city_learner = get_user_model().objects.get(username="demo-learner")
        assert quiz.municipality.code == "999992"
        assert {q.municipality_id for q in Question.objects.filter(title__startswith="MD-")} == {
            quiz.municipality_id
        }
    client.force_login(town_learner)
    me = client.get("/me/").content.decode()
    assert TOWN_QUIZ in me
    assert client.get(f"/quizzes/{quiz.pk}/").status_code == 200
    client.force_login(city_learner)
    assert TOWN_QUIZ not in client.get("/me/").content.decode()
    assert client.get(f"/quizzes/{quiz.pk}/").status_code == 404
