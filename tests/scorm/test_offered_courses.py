"""ADR 0024, issue 13: a package goes only into a course offered to the municipality it is uploaded for.
みどり町's HR (the attacker) names 若葉市's own course by its id: not offered in the form, refused when
posted anyway, nothing stored; the shared courses and the town's own take its packages as before."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import LessonPage
from courses.scorm import services
from courses.scorm.forms import NO_SUCH_COURSE
from courses.scorm.models import ScormPackage
from courses.scorm.storage import package_root
from lms_site.organisation.models import AdvisorContract
from lms_site.organisation.roles import ROLES, Role
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory
from tests.own_courses import own_course

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/scorm/upload/"


def person(municipality, username: str, *roles: Role):
    profile = StaffProfileFactory(municipality=municipality, user__username=username)
    for role in roles:
        profile.user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    return profile.user


@pytest.fixture
def world(curriculum, framework):
    city = MunicipalityFactory(code="999991", name="若葉市")
    town = MunicipalityFactory(code="999992", name="みどり町")
    return {
        "city": city,
        "town": town,
        "city_course": own_course(city, framework, hostname="city.example.jp", slug="city-rules"),
        "town_course": own_course(town, framework, hostname="town.example.jp", slug="town-rules"),
        "shared": curriculum["basics"],
        "town_hr": person(town, "town-hr", Role.HR, Role.LEARNER),
    }


def post(client, user, course, content: bytes, **extra):
    client.force_login(user)
    package = SimpleUploadedFile("package.zip", content, content_type="application/zip")
    return client.post(UPLOAD, {"course": course.pk, "title": "", "package": package, **extra})


def stored_files() -> list:
    root = package_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_hr_is_offered_the_shared_and_its_own_courses_never_another_municipality_s(client, world):
    client.force_login(world["town_hr"])
    response = client.get(UPLOAD)
    assert response.status_code == 200
    offered = set(response.context["form"].fields["course"].queryset.values_list("pk", flat=True))
    assert {world["shared"].pk, world["town_course"].pk} <= offered
    assert world["city_course"].pk not in offered
    assert world["city_course"].title not in response.content.decode()


def test_a_forged_post_of_another_municipality_s_own_course_is_refused_and_nothing_is_stored(
    client, world, scorm_zips
):
    city_course = world["city_course"]
    lessons_before = LessonPage.objects.count()

    response = post(client, world["town_hr"], city_course, scorm_zips["1.2"])

    assert response.status_code == 200
    assert response.context["form"].errors["course"] == [str(NO_SUCH_COURSE)]
    assert LessonPage.objects.count() == lessons_before
    assert LessonPage.objects.child_of(city_course).count() == 2  # its own two lessons only
    assert not ScormPackage._base_manager.exists() and stored_files() == []


@pytest.mark.parametrize("which", ["shared", "town_course"])
def test_hr_uploads_into_a_shared_course_and_into_its_own(client, world, scorm_zips, which):
    course = world[which]
    response = post(client, world["town_hr"], course, scorm_zips["1.2"])
    assert response.status_code == 302, response.context["form"].errors
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    assert lesson.get_parent().pk == course.pk and not lesson.live
    assert ScormPackage._base_manager.get().municipality == world["town"]


def test_an_advisor_of_two_municipalities_cannot_put_one_s_package_into_the_other_s_course(
    client, world, scorm_zips
):
    """Both towns' own courses are in the advisor's list; the course must be offered to the municipality
    the package is for."""
    advisor = UserFactory(username="advisor")
    advisor.groups.add(Group.objects.get(name=ROLES[Role.ADVISOR].group_name))
    for municipality in (world["city"], world["town"]):
        AdvisorContract.objects.create(
            advisor=advisor, municipality=municipality, starts_on=datetime.date(2020, 4, 1)
        )
    client.force_login(advisor)
    offered = set(client.get(UPLOAD).context["form"].fields["course"].queryset.values_list("pk", flat=True))
    assert {world["city_course"].pk, world["town_course"].pk, world["shared"].pk} <= offered

    refused = post(client, advisor, world["city_course"], scorm_zips["1.2"], municipality=world["town"].pk)
    assert refused.status_code == 200
    assert "みどり町に提供されていない" in " ".join(refused.context["form"].errors["course"])
    assert not ScormPackage._base_manager.exists() and stored_files() == []

    accepted = post(client, advisor, world["city_course"], scorm_zips["1.2"], municipality=world["city"].pk)
    assert accepted.status_code == 302
    assert ScormPackage._base_manager.get().municipality == world["city"]


def test_the_service_itself_refuses_a_course_not_offered_and_stores_nothing(world, scorm_zips):
    with pytest.raises(services.CourseNotOffered, match="若葉市"):
        services.package_upload(
            user=world["town_hr"],
            municipality=world["town"],
            course=world["city_course"],
            title="",
            archive=SimpleUploadedFile("p.zip", scorm_zips["1.2"], content_type="application/zip"),
        )
    assert not ScormPackage._base_manager.exists() and stored_files() == []
    assert LessonPage.objects.child_of(world["city_course"]).count() == 2


def test_a_package_in_another_municipality_s_own_lesson_is_not_run_for_a_learner(client, world, scorm_zips):
    """A town package left in the city's own lesson (as the upload allowed before): the town's learner,
    to whom the package belongs, is still not served a lesson the city keeps to itself."""
    city_hr = person(world["city"], "city-hr", Role.HR, Role.LEARNER)
    assert post(client, city_hr, world["city_course"], scorm_zips["1.2"]).status_code == 302
    lesson = LessonPage.objects.get(slug__startswith="scorm-")
    reviewer = person(world["city"], "city-reviewer", Role.REVIEWER)
    task_state = lesson.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="")
    package = ScormPackage._base_manager.get()
    ScormPackage._base_manager.filter(pk=package.pk).update(municipality=world["town"])

    town_learner = person(world["town"], "town-learner", Role.LEARNER)
    client.force_login(town_learner)
    assert client.post(reverse("scorm:launch", args=[lesson.pk, package.pk])).status_code == 404
    file_url = reverse("scorm:file", args=[lesson.pk, package.pk, package.launch])
    assert client.get(file_url).status_code == 404
    # the control: the same package in the same lesson runs for the municipality that owns both
    ScormPackage._base_manager.filter(pk=package.pk).update(municipality=world["city"])
    client.force_login(person(world["city"], "city-learner", Role.LEARNER))
    assert client.post(reverse("scorm:launch", args=[lesson.pk, package.pk])).status_code == 200
