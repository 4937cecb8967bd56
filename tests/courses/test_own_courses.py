"""Issue 13, item 3 (ADR 0024): a municipality's own course pages, in its own site, beside the shared
library. Learners are offered the shared courses, their municipality's and their prefecture's, never
another municipality's: tried over HTTP as the town's people against the city's course and the reverse.

The world: the shared curriculum (``curriculum``), 若葉市 (city.example.jp) and みどり町 (town.example.jp)
in 架空県, whose prefecture has a site of its own (pref.example.jp); each with one own course.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Page, TaskState

from courses.models import CoursePage, CurriculumIndexPage, Enrollment, LessonPage, OwnApprovalTask
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.models import MunicipalityKind
from lms_site.organisation.roles import ROLES, Role
from tests.courses.conftest import course
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTS = {"city": "city.example.jp", "town": "town.example.jp", "pref": "pref.example.jp"}


@pytest.fixture
def world(curriculum, framework):
    city = MunicipalityFactory(code="999991", name="若葉市", prefecture="架空県")
    town = MunicipalityFactory(
        code="999992", name="みどり町", prefecture="架空県", kind=MunicipalityKind.TOWN
    )
    pref = MunicipalityFactory(
        code="990001", name="架空県", prefecture="架空県", kind=MunicipalityKind.PREFECTURE
    )
    owners = {"city": city, "town": town, "pref": pref}
    courses = {}
    for key, municipality in owners.items():
        site = municipality_site_ensure(municipality=municipality, hostname=HOSTS[key])
        index = CurriculumIndexPage.objects.child_of(site.root_page).get()
        courses[key] = course(
            index,
            framework,
            slug=f"{key}-rules",
            title=f"{municipality.name}の情報セキュリティ規程",
            audience="all_staff",
            delivery="elearning",
            targets=[("A1", 1)],
        )
    people = {}
    for key in ("city", "town"):
        for role in (Role.LEARNER, Role.HR, Role.REVIEWER):
            user = UserFactory(username=f"{key}-{role}")
            StaffProfileFactory(user=user, municipality=owners[key])
            user.groups.add(Group.objects.get(name=ROLES[Role.LEARNER].group_name))
            user.groups.add(Group.objects.get(name=ROLES[role].group_name))
            people[(key, role)] = user
    return {"owners": owners, "courses": courses, "people": people, "shared": curriculum}


def client_for(user, host="localhost") -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def lesson_of(page: CoursePage) -> LessonPage:
    return LessonPage.objects.child_of(page).order_by("path").first()


def test_a_page_belongs_to_the_municipality_whose_site_it_is_in(world):
    for key, page in world["courses"].items():
        assert page.municipality_id == world["owners"][key].pk
        assert set(LessonPage.objects.child_of(page).values_list("municipality_id", flat=True)) == {
            world["owners"][key].pk
        }
    shared = world["shared"]["basics"]
    assert shared.municipality_id is None
    assert set(LessonPage.objects.child_of(shared).values_list("municipality_id", flat=True)) == {None}


def test_the_catalogue_offers_shared_own_and_prefecture_courses_never_another_municipality_s(world):
    town_learner = world["people"][("town", Role.LEARNER)]
    titles = {key: page.title for key, page in world["courses"].items()}
    for host in ("localhost", HOSTS["town"], HOSTS["city"]):
        response = client_for(town_learner, host).get("/courses/")
        assert response.status_code == 200
        listed = {page.pk for page in response.context["courses"]}
        assert listed == {
            world["shared"]["basics"].pk,
            world["shared"]["data"].pk,
            world["shared"]["practice"].pk,
            world["courses"]["town"].pk,
            world["courses"]["pref"].pk,
        }
        html = response.content.decode()
        assert titles["town"] in html and titles["pref"] in html
        assert titles["city"] not in html
    city_learner = world["people"][("city", Role.LEARNER)]
    html = client_for(city_learner).get("/courses/").content.decode()
    assert titles["city"] in html and titles["town"] not in html
    # searching finds no other municipality's course either
    search = client_for(town_learner)
    found = search.get("/courses/", {"q": titles["town"]}).context["courses"]
    assert [page.pk for page in found] == [world["courses"]["town"].pk]
    assert list(search.get("/courses/", {"q": titles["city"]}).context["courses"]) == []


def test_anonymous_visitors_see_only_the_shared_courses(world):
    response = Client(HTTP_HOST=HOSTS["town"]).get("/courses/")
    assert {page.pk for page in response.context["courses"]} == {
        world["shared"][key].pk for key in ("basics", "data", "practice")
    }
    town_course = world["courses"]["town"]
    assert Client(HTTP_HOST=HOSTS["town"]).get(f"/courses/{town_course.slug}/").status_code == 404


@pytest.mark.parametrize(("reader", "owner"), [("town", "city"), ("city", "town")])
def test_another_municipality_s_course_and_lessons_do_not_exist_for_a_learner(world, reader, owner):
    learner = world["people"][(reader, Role.LEARNER)]
    page = world["courses"][owner]
    lesson = lesson_of(page)
    for host in (HOSTS[owner], HOSTS[reader], "localhost"):
        client = client_for(learner, host)
        assert client.get(f"/courses/{page.slug}/").status_code == 404
        assert client.get(f"/courses/{page.slug}/{lesson.slug}/").status_code == 404
    client = client_for(learner)
    assert client.post(f"/learning/courses/{page.pk}/enrol/").status_code == 404
    assert client.post(f"/learning/lessons/{lesson.pk}/complete/").status_code == 404
    assert not Enrollment.objects.filter(user=learner, course=page).exists()
    # the owner's own learner reads, enrols and completes as on any course
    own = client_for(world["people"][(owner, Role.LEARNER)], HOSTS[owner])
    assert own.get(f"/courses/{page.slug}/").status_code == 200
    assert own.get(f"/courses/{page.slug}/{lesson.slug}/").status_code == 200
    assert own.post(f"/learning/courses/{page.pk}/enrol/").status_code == 302


def test_the_prefecture_s_course_is_offered_to_its_municipalities(world):
    page = world["courses"]["pref"]
    client = client_for(world["people"][("town", Role.LEARNER)], HOSTS["pref"])
    assert client.get(f"/courses/{page.slug}/").status_code == 200
    assert client.get(f"/courses/{page.slug}/{lesson_of(page).slug}/").status_code == 200


def test_my_learning_recommends_no_other_municipality_s_course(world):
    response = client_for(world["people"][("town", Role.LEARNER)]).get("/me/")
    assert response.status_code == 200
    recommended = {page.pk for _, pages in response.context["gaps"] for page in pages}
    assert world["courses"]["city"].pk not in recommended
    assert world["courses"]["city"].title not in response.content.decode()


# The Wagtail admin: the roles' grants on a municipality's home page count only for its own people.


@pytest.mark.parametrize("role", [Role.HR, Role.REVIEWER])
def test_a_municipality_s_editors_change_their_own_pages_only(world, role):
    town_editor = world["people"][("town", role)]
    town_course, city_course = world["courses"]["town"], world["courses"]["city"]
    admin = client_for(town_editor)
    assert admin.get(f"/admin/pages/{town_course.pk}/edit/").status_code == 200
    assert town_course.permissions_for_user(town_editor).can_edit()
    for page in (city_course, lesson_of(city_course), city_course.get_parent()):
        assert not page.permissions_for_user(town_editor).can_edit()
        response = admin.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code in (302, 403)
        assert city_course.title not in response.content.decode()
    before = city_course.get_latest_revision()
    admin.post(f"/admin/pages/{city_course.pk}/edit/", {"title": "乗っ取り", "slug": city_course.slug})
    city_course.refresh_from_db()
    assert city_course.title != "乗っ取り" and city_course.get_latest_revision() == before
    assert admin.post(f"/admin/pages/{city_course.pk}/delete/").status_code in (302, 403)
    assert CoursePage.objects.filter(pk=city_course.pk).exists()
    assert admin.get(f"/admin/pages/{city_course.get_parent().pk}/add_subpage/").status_code in (302, 403)


def test_the_explorer_and_the_chooser_show_no_other_municipality_s_pages(world):
    town_hr = world["people"][("town", Role.HR)]
    city_course = world["courses"]["city"]
    admin = client_for(town_hr)
    town_index = world["courses"]["town"].get_parent()
    listing = admin.get(f"/admin/pages/{town_index.pk}/")
    assert listing.status_code == 200
    assert world["courses"]["town"].title in listing.content.decode()
    for parent in (city_course.get_parent(), city_course.get_parent().get_parent()):
        response = admin.get(f"/admin/pages/{parent.pk}/")
        assert city_course.title not in response.content.decode()
    town_course = world["courses"]["town"]
    for page, shown in ((town_course, True), (city_course, False)):  # the town's own: the control
        search = admin.get("/admin/pages/search/", {"q": page.title})
        assert (f"/admin/pages/{page.pk}/edit/" in search.content.decode()) is shown
        chooser = admin.get("/admin/choose-page/search/", {"q": page.title})
        assert chooser.status_code == 200
        assert (chooser.content.decode().count(page.title) > 1) is shown  # beyond the echoed query
    browse = admin.get(f"/admin/choose-page/{city_course.get_parent().pk}/")
    assert city_course.title not in browse.content.decode()


def test_only_the_owner_s_dx_team_approves_its_pages(world):
    city_course = world["courses"]["city"]
    workflow = city_course.get_workflow()
    assert workflow is not None
    task = workflow.tasks.get().specific
    assert isinstance(task, OwnApprovalTask)
    city_hr, city_reviewer = world["people"][("city", Role.HR)], world["people"][("city", Role.REVIEWER)]
    town_reviewer = world["people"][("town", Role.REVIEWER)]
    page = CoursePage.objects.get(pk=city_course.pk)
    page.summary = "改訂"
    page.save_revision(user=city_hr)
    state = workflow.start(page, city_hr)
    task_state = state.current_task_state
    assert task.get_actions(page, town_reviewer) == []
    assert not task.user_can_access_editor(page, town_reviewer)
    assert task.locked_for_user(page, town_reviewer)
    assert [action[0] for action in task.get_actions(page, city_reviewer)][:2] == ["reject", "approve"]
    assert TaskState.objects.reviewable_by(town_reviewer).filter(pk=task_state.pk).count() == 0
    assert TaskState.objects.reviewable_by(city_reviewer).filter(pk=task_state.pk).count() == 1
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    assert client_for(town_reviewer).post(url, {}).status_code in (302, 403)
    page.refresh_from_db()
    assert page.summary != "改訂" and page.has_unpublished_changes
    assert client_for(city_reviewer).post(url, {}).status_code in (200, 302)
    page.refresh_from_db()
    assert page.summary == "改訂"


def test_a_moved_course_takes_the_owner_of_where_it_now_is(world):
    city_course = world["courses"]["city"]
    shared_index = world["shared"]["index"]
    city_course.move(shared_index, pos="last-child")
    moved = CoursePage.objects.get(pk=city_course.pk)
    assert moved.municipality_id is None
    assert set(LessonPage.objects.child_of(moved).values_list("municipality_id", flat=True)) == {None}
    copy = moved.copy(to=world["courses"]["town"].get_parent(), update_attrs={"slug": "copied"})
    assert CoursePage.objects.get(pk=copy.pk).municipality_id == world["owners"]["town"].pk


def test_every_home_is_beside_the_shared_one(world):
    homes = Page.objects.filter(depth=2).count()
    assert homes == 4  # the shared home and three municipalities' own


def test_hr_assigns_only_courses_offered_to_its_municipality(world):
    from training.forms import RuleForm, SessionForm

    town, city_course = world["owners"]["town"], world["courses"]["city"]
    rule = RuleForm(municipality_id=town.pk)
    offered = {value for _, options in rule.fields["item"].choices for value, _ in options}
    assert f"course:{world['courses']['town'].pk}" in offered
    assert f"course:{world['courses']['pref'].pk}" in offered
    assert f"course:{world['shared']['basics'].pk}" in offered
    assert f"course:{city_course.pk}" not in offered
    session = SessionForm(municipality_id=town.pk)
    assert str(city_course.pk) not in {value for value, _ in session.fields["course"].choices}
    assert str(world["courses"]["town"].pk) in {value for value, _ in session.fields["course"].choices}
