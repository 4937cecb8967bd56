# ruff: noqa: F811 - ``world`` is test_own_courses's fixture, imported to be used
"""Issue 13 (ADR 0024): the shared curriculum, which every municipality reads, is changed, published and
approved only by the platform's editorial roles (共通教材の編集者, 共通教材の承認者), whatever
municipality their holders act in. A municipality's advisor or DX推進課 (the city's or the town's) holds
no grant there: tried over HTTP in the Wagtail admin, and in the approval task and the dashboard.

The world is ``test_own_courses``'s: the shared curriculum, 若葉市, みどり町 and 架空県 with a site and an
own course each. The platform's author and reviewer are city people, as in the demo.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Page, TaskState

from courses.models import CoursePage, LessonPage, OwnApprovalTask
from lms_site.organisation.models import AdvisorContract
from lms_site.organisation.roles import ROLES, Role
from tests.courses.test_own_courses import client_for, lesson_of, world  # noqa: F401 - the fixture
from tests.factories import StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def holder(username, municipality, *roles, staff=True):
    user = UserFactory(username=username)
    if staff:
        StaffProfileFactory(user=user, municipality=municipality)
    else:  # an external advisor: acts where a contract is in force
        AdvisorContract.objects.create(
            advisor=user, municipality=municipality, starts_on=datetime.date(2024, 4, 1)
        )
    user.groups.add(*Group.objects.filter(name__in=[ROLES[role].group_name for role in roles]))
    return user


@pytest.fixture
def people(world):
    city, town = world["owners"]["city"], world["owners"]["town"]
    return {
        "town_reviewer": world["people"][("town", Role.REVIEWER)],
        "city_reviewer": world["people"][("city", Role.REVIEWER)],
        "city_advisor": holder("city-advisor", city, Role.ADVISOR, staff=False),
        "platform_author": holder("platform-author", city, Role.ADVISOR, Role.SHARED_AUTHOR, staff=False),
        "platform_reviewer": holder("platform-reviewer", city, Role.REVIEWER, Role.SHARED_REVIEWER),
        "town": town,
    }


MUNICIPALITY_ROLES = ["town_reviewer", "city_reviewer", "city_advisor"]


@pytest.mark.parametrize("who", MUNICIPALITY_ROLES)
def test_a_municipality_s_advisor_or_dx_team_cannot_change_the_shared_curriculum(world, people, who):
    user = people[who]
    shared = world["shared"]["basics"]
    index = world["shared"]["index"]
    admin = client_for(user)
    for page in (shared, lesson_of(shared), index):
        permissions = page.permissions_for_user(user)
        assert not (permissions.can_edit() or permissions.can_publish() or permissions.can_delete())
        assert admin.get(f"/admin/pages/{page.pk}/edit/").status_code in (302, 403)
    assert not index.permissions_for_user(user).can_add_subpage()
    add = admin.get(f"/admin/pages/{index.pk}/add_subpage/")
    assert add.status_code in (302, 403) and "/pages/add/" not in add.get("Location", "")
    assert admin.get(f"/admin/pages/add/courses/coursepage/{index.pk}/").status_code in (302, 403)

    before = shared.get_latest_revision()
    edit = {"title": "乗っ取り", "slug": shared.slug, "action-publish": "action-publish"}
    assert admin.post(f"/admin/pages/{shared.pk}/edit/", edit).status_code in (302, 403)
    assert admin.post(f"/admin/pages/{shared.pk}/unpublish/").status_code in (302, 403)
    assert admin.post(f"/admin/pages/{shared.pk}/delete/").status_code in (302, 403)
    town_index = world["courses"]["town"].get_parent()
    assert admin.get(f"/admin/pages/{shared.pk}/move/").status_code in (302, 403)
    assert admin.post(f"/admin/pages/{shared.pk}/move/{town_index.pk}/confirm/").status_code in (302, 403)
    page = CoursePage.objects.get(pk=shared.pk)
    assert (page.title, page.live, page.get_latest_revision()) == (shared.title, True, before)
    assert page.get_parent().pk == index.pk


def test_the_platform_s_author_drafts_the_shared_curriculum_and_cannot_publish(world, people):
    author = people["platform_author"]
    shared = world["shared"]["basics"]
    admin = client_for(author)
    assert admin.get(f"/admin/pages/{shared.pk}/edit/").status_code == 200
    assert admin.get(f"/admin/pages/add/courses/coursepage/{world['shared']['index'].pk}/").status_code == 200
    permissions = shared.permissions_for_user(author)
    assert permissions.can_edit() and not permissions.can_publish()
    assert admin.post(f"/admin/pages/{shared.pk}/unpublish/").status_code in (302, 403)
    assert CoursePage.objects.get(pk=shared.pk).live
    # the platform role reaches no municipality's own site beyond where its holder acts
    assert admin.get(f"/admin/pages/{world['courses']['town'].pk}/edit/").status_code in (302, 403)


def test_the_platform_s_reviewer_publishes_the_shared_curriculum(world, people):
    reviewer = people["platform_reviewer"]
    shared = world["shared"]["practice"]
    assert shared.permissions_for_user(reviewer).can_publish()
    assert client_for(reviewer).post(f"/admin/pages/{shared.pk}/unpublish/").status_code == 302
    assert not CoursePage.objects.get(pk=shared.pk).live
    assert client_for(reviewer).get(f"/admin/pages/{world['courses']['town'].pk}/edit/").status_code in (
        302,
        403,
    )


@pytest.fixture
def submitted(world, people):
    """A lesson of the shared curriculum, revised by the platform's author and waiting for approval."""
    lesson = LessonPage.objects.get(pk=lesson_of(world["shared"]["data"]).pk)
    lesson.title = "改訂: " + lesson.title
    lesson.save_revision(user=people["platform_author"])
    workflow = lesson.get_workflow()
    assert workflow.name == "共通教材の承認者による承認"
    state = workflow.start(lesson, people["platform_author"])
    return lesson, state.current_task_state


@pytest.mark.parametrize("who", [*MUNICIPALITY_ROLES, "platform_author"])
def test_only_the_platform_s_reviewer_approves_a_shared_page(world, people, submitted, who):
    lesson, task_state = submitted
    task = task_state.task.specific
    assert isinstance(task, OwnApprovalTask)
    user = people[who]
    assert task.get_actions(lesson, user) == []
    assert task.locked_for_user(lesson, user) and not task.user_can_access_editor(lesson, user)
    assert not TaskState.objects.reviewable_by(user).filter(pk=task_state.pk).exists()
    approve = f"/admin/pages/workflow/action/{lesson.pk}/approve/{task_state.pk}/"
    admin = client_for(user)
    assert approve not in admin.get("/admin/").content.decode()  # not among the content to approve
    assert admin.post(approve, {}).status_code in (302, 403)
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    assert not LessonPage.objects.get(pk=lesson.pk).title.startswith("改訂: ")

    reviewer = people["platform_reviewer"]
    assert [action[0] for action in task.get_actions(lesson, reviewer)][:2] == ["reject", "approve"]
    assert TaskState.objects.reviewable_by(reviewer).filter(pk=task_state.pk).exists()
    admin = client_for(reviewer)
    assert approve in admin.get("/admin/").content.decode()
    assert admin.post(approve, {}).status_code in (200, 302)
    assert LessonPage.objects.get(pk=lesson.pk).title.startswith("改訂: ")


def test_the_platform_s_reviewer_approves_no_municipality_s_page_it_does_not_act_in(world, people):
    town_course = CoursePage.objects.get(pk=world["courses"]["town"].pk)
    town_hr = world["people"][("town", Role.HR)]
    town_course.summary = "町の改訂"
    town_course.save_revision(user=town_hr)
    state = town_course.get_workflow().start(town_course, town_hr)
    task = state.current_task_state.task.specific
    reviewer = people["platform_reviewer"]
    assert task.get_actions(town_course, reviewer) == []
    assert not TaskState.objects.reviewable_by(reviewer).filter(pk=state.current_task_state.pk).exists()
    town_reviewer = people["town_reviewer"]  # the control: the town's own DX推進課
    assert TaskState.objects.reviewable_by(town_reviewer).filter(pk=state.current_task_state.pk).exists()


def test_a_municipality_s_dx_team_still_edits_and_publishes_its_own_pages(world, people):
    town_reviewer = people["town_reviewer"]
    town_course = world["courses"]["town"]
    permissions = town_course.permissions_for_user(town_reviewer)
    assert permissions.can_edit() and permissions.can_publish()
    admin = client_for(town_reviewer)
    assert admin.get(f"/admin/pages/{town_course.pk}/edit/").status_code == 200
    assert admin.post(f"/admin/pages/{town_course.pk}/unpublish/").status_code == 302
    assert not CoursePage.objects.get(pk=town_course.pk).live


def test_a_grant_above_the_municipalities_sites_counts_only_platform_wide(world, people):
    """A grant on the root reaches into every site: it counts for nobody who acts in a municipality,
    whatever group holds it (Wagtail's own "Editors" hold one)."""
    group = Group.objects.create(name="ルート編集者")
    root = Page.get_first_root_node()
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(group=group, page=root, permission_id=_permission(codename))
    user = people["town_reviewer"]
    user.groups.add(group)
    user = type(user).objects.get(pk=user.pk)
    for page in (world["shared"]["basics"], world["courses"]["city"]):
        assert not page.permissions_for_user(user).can_edit()
        assert client_for(user).get(f"/admin/pages/{page.pk}/edit/").status_code in (302, 403)
    assert world["courses"]["town"].permissions_for_user(user).can_publish()  # its own grants still count


def _permission(codename: str) -> int:
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename).pk
