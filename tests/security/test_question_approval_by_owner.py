"""Issue 13 (ADR 0024): a question or quiz waiting for approval is seen and approved by its owner's
DX推進課 only; a shared one by the platform's reviewers (共通教材の承認者) only. Tried over HTTP as the
town's DX推進課 would try the city's: the dashboard's "awaiting your review", the workflow reports (both,
every filter, the export), the snippet listings and their filters, and the workflow action URLs, also
with its own item's id and the city's task state.

The world is ``test_shared_content``'s (若葉市, みどり町, their prefecture, a village elsewhere), with a
site of their own for the city and the town (as ``add_municipality --domain`` makes): the workflow
reports are open to those who hold a page permission somewhere.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, Workflow

from assessments.models import Question, Quiz
from assessments.setup import assessments_workflow_setup
from courses.curriculum_setup import WORKFLOW_NAME
from courses.models import OwnApprovalTask
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.roles import Role
from lms_site.organisation.tenancy import platform_wide
from tests.assessments.conftest import make_question
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture
from tests.factories import UserFactory
from tests.security.test_shared_content import TRUE_FALSE, member, world  # noqa: F401 - re-exported fixture

pytestmark = pytest.mark.django_db

CITY_DRAFT = "市の改訂案・未公開"
CITY_QUIZ_DRAFT = "市の小テスト改訂案・未公開"
SHARED_DRAFT = "共通問題の改訂案・未公開"
TOWN_DRAFT = "町の改訂案"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit(item, title: str, user):
    """``user`` revises ``item``'s title and submits it to its workflow; the task state waiting."""
    item.title = title
    item.save_revision(user=user)
    return item.get_workflow().start(item, user).current_task_state


@pytest.fixture
def waiting(world):  # noqa: F811
    with platform_wide():
        assessments_workflow_setup()
        city, town = world["city"], world["town"]
        municipality_site_ensure(municipality=city, hostname="wakaba.example.jp")
        municipality_site_ensure(municipality=town, hostname="midori.example.jp")
        people = {
            "city_author": member(city, Role.ADVISOR, "city-author"),
            "city_reviewer": member(city, Role.REVIEWER, "city-reviewer"),
            "town_author": member(town, Role.ADVISOR, "town-author"),
            "town_reviewer": member(town, Role.REVIEWER, "town-reviewer"),
            "platform_reviewer": member(town, Role.SHARED_REVIEWER, "platform-reviewer"),
        }
        system = UserFactory(username="system-admin", is_superuser=True, is_staff=True)
        questions, quizzes = world["questions"], world["quizzes"]
        states = {
            "city": submit(questions["city"], CITY_DRAFT, people["city_author"]),
            "city_quiz": submit(quizzes["city"], CITY_QUIZ_DRAFT, people["city_author"]),
            "shared": submit(questions["shared"], SHARED_DRAFT, system),
            "town": submit(questions["town"], TOWN_DRAFT, people["town_author"]),
        }
    return {**world, "people": people, "states": states}


def action_url(item, action: str, task_state) -> str:
    name = item.snippet_viewset.get_url_name("workflow_action")
    return reverse(name, args=[item.pk, action, task_state.pk])


def refused(response) -> bool:
    """A refusal: 403, 404, or Wagtail's redirect to its dashboard with a message."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def still_waiting(task_state, model, pk, live_title: str) -> bool:
    task_state = TaskState.objects.get(pk=task_state.pk)
    with platform_wide():
        item = model._base_manager.get(pk=pk)
    return task_state.status == TaskState.STATUS_IN_PROGRESS and item.title == live_title


def test_the_questions_step_is_the_owner_s_approval(waiting):
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    task = workflow.tasks.get().specific
    assert isinstance(task, OwnApprovalTask)
    assert set(task.groups.values_list("name", flat=True)) == {"DX推進課", "共通教材の承認者"}
    assert all(state.task_id == task.pk for state in waiting["states"].values())


READS = [
    "/admin/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow/?reviewable=true",
    "/admin/reports/workflow/results/",
    "/admin/reports/workflow/?status=in_progress",
    "/admin/reports/workflow/?export=csv",
    "/admin/reports/workflow_tasks/",
    "/admin/reports/workflow_tasks/?reviewable=true",
    "/admin/reports/workflow_tasks/results/",
    "/admin/reports/workflow_tasks/?status=in_progress",
    "/admin/reports/workflow_tasks/?export=csv",
    "/admin/snippets/assessments/question/",
    "/admin/snippets/assessments/question/?live=false",
    "/admin/snippets/assessments/question/?live=true",
    "/admin/snippets/assessments/quiz/",
    "/admin/snippets/assessments/quiz/?live=false",
]


@pytest.mark.parametrize("url", READS)
def test_the_towns_dx_team_sees_none_of_the_citys_or_the_shared_waiting_items(client, waiting, url):
    client.force_login(waiting["people"]["town_reviewer"])
    response = client.get(url)
    assert response.status_code == 200, url
    page = b"".join(response.streaming_content) if response.streaming else response.content
    page = page.decode()
    for secret in (CITY_DRAFT, CITY_QUIZ_DRAFT, "A1-city", "確認テスト-city", SHARED_DRAFT, "city-author"):
        assert secret not in page, (url, secret)


def test_the_towns_dx_team_sees_its_own_waiting_question(waiting):
    """The control: what the town's DX推進課 should see is there."""
    admin = client_for(waiting["people"]["town_reviewer"])
    own = action_url(waiting["questions"]["town"], "approve", waiting["states"]["town"])
    assert own in admin.get("/admin/").content.decode()
    for url in ("/admin/reports/workflow/", "/admin/reports/workflow_tasks/?reviewable=true"):
        assert TOWN_DRAFT in admin.get(url).content.decode(), url


def test_the_citys_dx_team_sees_its_own_waiting_items_and_not_the_towns(waiting):
    admin = client_for(waiting["people"]["city_reviewer"])
    dashboard = admin.get("/admin/").content.decode()
    assert action_url(waiting["questions"]["city"], "approve", waiting["states"]["city"]) in dashboard
    assert action_url(waiting["quizzes"]["city"], "approve", waiting["states"]["city_quiz"]) in dashboard
    assert TOWN_DRAFT not in dashboard and SHARED_DRAFT not in dashboard
    report = admin.get("/admin/reports/workflow/").content.decode()
    assert CITY_DRAFT in report and CITY_QUIZ_DRAFT in report and TOWN_DRAFT not in report


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("key", ["city", "city_quiz"])
def test_the_towns_dx_team_cannot_approve_or_reject_the_citys_item(client, waiting, action, key):
    item = waiting["quizzes"]["city"] if key == "city_quiz" else waiting["questions"]["city"]
    live_title = item.__class__._base_manager.get(pk=item.pk).title
    task_state = waiting["states"][key]
    client.force_login(waiting["people"]["town_reviewer"])
    url = action_url(item, action, task_state)
    assert refused(client.get(url))
    assert refused(client.post(url, {"comment": "承認します"}))
    assert still_waiting(task_state, item.__class__, item.pk, live_title)


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_the_town_cannot_act_on_the_citys_task_state_through_its_own_item(client, waiting, action):
    """Wagtail's workflow action view takes the task state by its id alone: the town names its own waiting
    question and the city's task state. 404 from the viewset, and the task refuses it too."""
    town_question, city_state = waiting["questions"]["town"], waiting["states"]["city"]
    client.force_login(waiting["people"]["town_reviewer"])
    response = client.post(action_url(town_question, action, city_state), {"comment": ""})
    assert response.status_code == 404
    assert still_waiting(city_state, Question, waiting["questions"]["city"].pk, "A1-city")
    task = city_state.task.specific
    with pytest.raises(PermissionDenied):
        task.on_action(city_state, waiting["people"]["town_reviewer"], action)
    assert still_waiting(city_state, Question, waiting["questions"]["city"].pk, "A1-city")


def test_the_citys_dx_team_approves_its_question_and_rejects_its_quiz(waiting):
    admin = client_for(waiting["people"]["city_reviewer"])
    question, quiz = waiting["questions"]["city"], waiting["quizzes"]["city"]
    response = admin.post(action_url(question, "approve", waiting["states"]["city"]), {"comment": ""})
    assert response.status_code == 302
    with platform_wide():
        assert Question.objects.get(pk=question.pk).title == CITY_DRAFT
    assert TaskState.objects.get(pk=waiting["states"]["city"].pk).status == TaskState.STATUS_APPROVED
    response = admin.post(action_url(quiz, "reject", waiting["states"]["city_quiz"]), {"comment": "直して"})
    assert response.status_code == 302
    assert TaskState.objects.get(pk=waiting["states"]["city_quiz"].pk).status == TaskState.STATUS_REJECTED
    with platform_wide():
        assert Quiz.objects.get(pk=quiz.pk).title == "確認テスト-city"


@pytest.mark.parametrize("who", ["town_reviewer", "city_reviewer", "town_author"])
def test_a_municipality_s_people_do_not_approve_a_shared_question(client, waiting, who):
    shared, task_state = waiting["questions"]["shared"], waiting["states"]["shared"]
    client.force_login(waiting["people"][who])
    url = action_url(shared, "approve", task_state)
    assert url not in client.get("/admin/").content.decode()
    assert refused(client.post(url, {"comment": ""}))
    assert still_waiting(task_state, Question, shared.pk, "A1-shared")


def test_the_platform_s_reviewer_approves_the_shared_question_and_no_municipality_s(waiting):
    reviewer = waiting["people"]["platform_reviewer"]  # a town's staff holding 共通教材の承認者 only
    admin = client_for(reviewer)
    shared, task_state = waiting["questions"]["shared"], waiting["states"]["shared"]
    dashboard = admin.get("/admin/").content.decode()
    assert action_url(shared, "approve", task_state) in dashboard
    assert CITY_DRAFT not in dashboard and TOWN_DRAFT not in dashboard
    town_question = waiting["questions"]["town"]
    response = admin.post(action_url(town_question, "approve", waiting["states"]["town"]), {"comment": ""})
    assert refused(response)
    assert still_waiting(waiting["states"]["town"], Question, town_question.pk, "A1-town")
    # what it approves it finds in the listing (its view permission), and may not change
    assert "A1-shared" in admin.get("/admin/snippets/assessments/question/").content.decode()
    edit = reverse(shared.snippet_viewset.get_url_name("edit"), args=[shared.pk])
    assert refused(admin.post(edit, {"title": "乗っ取り"}))
    assert admin.post(action_url(shared, "approve", task_state), {"comment": ""}).status_code == 302
    with platform_wide():
        assert Question.objects.get(pk=shared.pk).title == SHARED_DRAFT


def test_only_those_who_may_approve_are_told_by_mail(waiting, mailoutbox):
    """Wagtail mails every member of the task's groups, with the title: only those the task lets act are."""
    people = waiting["people"]
    for user in people.values():
        user.email = f"{user.username}@example.jp"
        user.save(update_fields=["email"])
    system = UserFactory(username="system-admin")
    told = {}
    with platform_wide():
        for key, owner, author in (
            ("city", waiting["city"], people["city_author"]),
            ("shared", None, system),
        ):
            question = make_question(TRUE_FALSE, title=f"新しい問題-{key}", competency=waiting["competency"])
            question.municipality = owner
            question.save(update_fields=["municipality"])
            mailoutbox.clear()
            submit(question, f"新しい問題-{key}(改訂案)", author)
            told[key] = {
                address for message in mailoutbox for address in message.to if "新しい問題" in message.subject
            }
    assert told["city"] == {"city-reviewer@example.jp"}
    assert told["shared"] == {"platform-reviewer@example.jp"}
