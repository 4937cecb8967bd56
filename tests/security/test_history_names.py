"""Issue 13 (ADR 0024): the history of shared content names no other municipality's staff.

A shared question (and a shared page) was revised and submitted by 若葉市's author, rejected with a
comment, then approved, by 若葉市's holder of the platform's reviewing role. みどり町's DX推進課, HR and
author open every history URL Wagtail has for it (the snippet's history and its results, with a user
filter naming the city's author, its workflow history and each workflow's detail, the page's history and
workflow history), the site history report (with its export) and the dashboard: none of them shows the
city's people's names, usernames or their comment. The town still sees that the item was submitted and
approved; the city's own people, and the system administrator, still see who.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import Site, Workflow

from assessments.setup import assessments_workflow_setup
from courses.curriculum_setup import WORKFLOW_NAME
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.roles import ROLES, Role
from lms_site.organisation.tenancy import platform_wide
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture
from tests.factories import UserFactory
from tests.security.test_shared_content import member, world  # noqa: F401 - re-exported fixture

pytestmark = pytest.mark.django_db

COMMENT = "若葉市の担当より:出典を直してください"
CITY_SECRETS = ("city-author", "太郎", "city-shared-reviewer", "花子", COMMENT)
HIDDEN = "他団体の担当者"


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def review(item, *, author, reviewer, reject_with: str = ""):
    """``author`` revises ``item`` and submits it; ``reviewer`` rejects it (with a comment) or approves."""
    item.save_revision(user=author, log_action=True)
    workflow_state = item.get_workflow().start(item, author)
    task_state = workflow_state.current_task_state
    task = task_state.task.specific
    if reject_with:
        task.on_action(task_state, reviewer, "reject", comment=reject_with)
        workflow_state.refresh_from_db()
        workflow_state.cancel(user=author)
    else:
        task.on_action(task_state, reviewer, "approve")
    return workflow_state


@pytest.fixture
def history(world):  # noqa: F811
    with platform_wide():
        assessments_workflow_setup()
        city, town = world["city"], world["town"]
        municipality_site_ensure(municipality=city, hostname="wakaba.example.jp")
        municipality_site_ensure(municipality=town, hostname="midori.example.jp")
        author = named(member(city, Role.ADVISOR, "city-author"), "太郎", "若葉")
        reviewer = named(member(city, Role.SHARED_REVIEWER, "city-shared-reviewer"), "花子", "承認")
        people = {
            "city_reviewer": member(city, Role.REVIEWER, "city-dx"),
            "town_reviewer": member(town, Role.REVIEWER, "town-dx"),
            "town_hr": member(town, Role.HR, "town-hr"),
            "town_author": member(town, Role.ADVISOR, "town-author"),
            "town_shared_reviewer": member(town, Role.REVIEWER, "town-dx-and-shared-reviewer"),
            "system": UserFactory(username="system-admin", is_superuser=True, is_staff=True),
        }
        shared_reviewer = Group.objects.get(name=ROLES[Role.SHARED_REVIEWER].group_name)
        people["town_shared_reviewer"].groups.add(shared_reviewer)
        question = world["questions"]["shared"]
        states = [
            review(question, author=author, reviewer=reviewer, reject_with=COMMENT),
            review(question, author=author, reviewer=reviewer),
        ]
        page = Site.objects.get(is_default_site=True).root_page.specific  # the shared home
        page_workflow = Workflow.objects.get(name=WORKFLOW_NAME)
        page.save_revision(user=author, log_action=True)
        page_state = page_workflow.start(page, author)
        task_state = page_state.current_task_state
        task_state.task.specific.on_action(task_state, reviewer, "reject", comment=COMMENT)
    return {**world, "people": people, "states": states, "page": page, "page_state": page_state}


def urls(history) -> list[str]:
    question = history["questions"]["shared"]
    viewset = question.snippet_viewset

    def of(name, *args):
        return reverse(viewset.get_url_name(name), args=[question.pk, *args])

    page, author = history["page"], None
    with platform_wide():
        from django.contrib.auth import get_user_model

        author = get_user_model().objects.get(username="city-author")
    return [
        of("history"),
        of("history_results"),
        of("history") + f"?user={author.pk}",
        of("workflow_history"),
        *(of("workflow_history_detail", state.pk) for state in history["states"]),
        "/admin/reports/site-history/",
        "/admin/reports/site-history/results/",
        f"/admin/reports/site-history/?user={author.pk}",
        "/admin/reports/site-history/?export=csv",
        "/admin/",
        f"/admin/pages/{page.pk}/history/",
        f"/admin/pages/{page.pk}/workflow_history/",
        f"/admin/pages/{page.pk}/workflow_history/detail/{history['page_state'].pk}/",
    ]


def body(response) -> str:
    page = b"".join(response.streaming_content) if response.streaming else response.content
    return page.decode()


@pytest.mark.parametrize("who", ["town_reviewer", "town_hr", "town_author"])
def test_the_town_sees_no_name_of_the_citys_people_in_any_history(history, who):
    client = Client()
    client.force_login(history["people"][who])
    for url in urls(history):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (who, url, response.status_code)
        page = body(response)
        for secret in CITY_SECRETS:
            assert secret not in page, (who, url, secret)


def test_the_town_still_sees_that_and_when_the_shared_question_was_reviewed(history):
    client = Client()
    client.force_login(history["people"]["town_reviewer"])
    address = urls(history)
    listing = client.get(address[3])  # the workflow history
    assert listing.status_code == 200
    assert HIDDEN in body(listing)
    detail = body(client.get(address[5]))  # the approved workflow
    assert HIDDEN in detail and "承認済み" in detail
    rejected = body(client.get(address[4]))
    assert "差し戻し" in rejected or "却下" in rejected or "Rejected" in rejected
    log = body(client.get(address[0]))
    assert HIDDEN in log


@pytest.mark.parametrize("who", ["city_reviewer", "system", "town_shared_reviewer"])
def test_the_citys_own_people_the_platform_and_the_shared_librarys_reviewers_still_see_who(history, who):
    """A town's DX推進課 who also holds 共通教材の承認者 reviews the shared library: on its team, they see
    who (as on the dashboard and in the workflow reports)."""
    client = Client()
    client.force_login(history["people"][who])
    address = urls(history)
    assert "太郎 若葉" in body(client.get(address[0]))
    assert "太郎 若葉" in body(client.get(address[3]))  # requested by
    detail = body(client.get(address[4]))
    assert COMMENT in detail and "花子 承認" in detail
    assert HIDDEN not in detail
