"""Issue 12, item 1: a question import by someone who may not publish goes through the approval workflow.

The attack (security review 2026-12): demo-advisor (外部人材, no publish permission) imported a GIFT file
naming the live question ``E1-L1-01`` with its matching pairs swapped; the live text and answer key
changed at once and learners were served the tampered question. Now such an import only creates a draft
revision submitted to 「DX推進課による承認」; learners keep the live definition until a reviewer approves.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import WorkflowState

from assessments import bank
from assessments.models import AttemptItem, Question, Quiz, QuizItem
from assessments.setup import assessments_workflow_setup
from lms_site.organisation.models import AdvisorContract
from lms_site.organisation.roles import ROLES, Role
from tests.competencies.conftest import framework, framework_csv  # noqa: F401 - the default framework
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

IMPORT_URL = reverse("assessments_admin:import")
NAME = "E1-L1-01"
ORIGINAL = """$CATEGORY: $course$/自治体DX/Lv1/E1

::E1-L1-01::三層の対策の三つのネットワークと説明を組み合わせてください。{
=マイナンバー利用事務系 -> 基幹業務のネットワーク
=LGWAN接続系 -> 行政専用の閉域網
=インターネット接続系 -> ウェブ閲覧と外部とのメール
}
"""
# The review's tampered file: the same name, the pairs swapped, the text marked.
TAMPERED = """$CATEGORY: $course$/自治体DX/Lv1/E1

::E1-L1-01::【改ざん】三層の対策の三つのネットワークと説明を組み合わせてください。{
=マイナンバー利用事務系 -> ウェブ閲覧と外部とのメール
=LGWAN接続系 -> 行政専用の閉域網
=インターネット接続系 -> 基幹業務のネットワーク
}
"""
NEW_QUESTION = """$CATEGORY: $course$/自治体DX/Lv1/E1

::E1-L1-99::標的型攻撃メールを受け取ったときに最初にすることは?{
=開かずに情報セキュリティ担当へ報告する
~添付ファイルを開いて確かめる
}
"""


def city():
    """The municipality whose own bank holds the questions (ADR 0024: imports go into a bank the importer
    may change)."""
    return MunicipalityFactory(code="999991", name="若葉市")


def user_with(role: Role, username: str):
    """A person of the city: staff with a staff record, the external advisor under a contract."""
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    if role == Role.ADVISOR:
        AdvisorContract.objects.create(advisor=user, municipality=city(), starts_on="2026-04-01")
    else:
        StaffProfileFactory(user=user, municipality=city())
    return user


def gift_upload(content: str) -> dict:
    return {
        "file": SimpleUploadedFile("questions.gift", content.encode()),
        "file_format": "gift",
        "municipality": city().pk,
    }


def live_definition(name: str = NAME) -> dict:
    return bank.question_definition(Question.objects.get(title=name)).to_dict()


@pytest.fixture
def live_question(framework):  # noqa: F811
    """E1-L1-01 published (as the demo loader does), in a published quiz, with the approval workflow."""
    assessments_workflow_setup()
    assert bank.questions_import(content=ORIGINAL.encode(), file_format="gift", owner=city()).created == 1
    question = Question.objects.get(title=NAME)
    quiz = Quiz(title="セキュリティ確認", passing_percent=60, municipality=city())
    quiz.items = [QuizItem(question=question, weight=1)]
    quiz.save()
    quiz.save_revision().publish()
    return question


def learner_attempt_page(client, learner, quiz: Quiz) -> str:
    """The learner starts an attempt of ``quiz`` over HTTP and reads its questions."""
    client.force_login(learner)
    response = client.post(reverse("assessments:start", args=[quiz.pk]), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_advisor_import_changes_nothing_live_and_goes_to_review(client, live_question):
    quiz = Quiz.objects.get()
    learner = user_with(Role.LEARNER, "learner")
    before_page = learner_attempt_page(client, learner, quiz)
    assert "三層の対策" in before_page
    before, live_revision = live_definition(), live_question.live_revision_id

    client.force_login(user_with(Role.ADVISOR, "advisor"))
    response = client.post(IMPORT_URL, gift_upload(TAMPERED), follow=True)
    question = Question.objects.get(title=NAME)
    assert live_definition() == before  # what learners are served and graded against
    assert question.live and question.live_revision_id == live_revision
    assert question.latest_revision_id != live_revision and question.has_unpublished_changes
    assert "【改ざん】" in bank.question_definition(question.get_latest_revision_as_object()).text
    state = question.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "DX推進課による承認" and state.requested_by.username == "advisor"
    page = response.content.decode()
    assert response.status_code == 200
    assert "新規 0 問、更新 1 問、変更なし 0 問を取り込みました。" in page
    assert "「DX推進課による承認」に提出した問題(1 問" in page and NAME in page

    # The learner's attempt (started before) and a new one both show the live question, untampered.
    client.force_login(learner)
    attempt_item = AttemptItem.objects.get()
    resumed = client.get(reverse("assessments:attempt", args=[attempt_item.attempt_id])).content.decode()
    assert "三層の対策" in resumed and "【改ざん】" not in resumed
    assert bank.question_version_current(question=question) == attempt_item.version


def test_advisor_new_question_arrives_as_a_draft_in_review(client, live_question):
    client.force_login(user_with(Role.ADVISOR, "advisor"))
    client.post(IMPORT_URL, gift_upload(NEW_QUESTION))
    question = Question.objects.get(title="E1-L1-99")
    assert not question.live and question.live_revision_id is None
    assert question.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_reviewer_approval_publishes_the_revision_and_past_attempts_keep_their_version(client, live_question):
    quiz = Quiz.objects.get()
    learner = user_with(Role.LEARNER, "learner")
    learner_attempt_page(client, learner, quiz)
    first_version = AttemptItem.objects.get().version
    client.force_login(user_with(Role.ADVISOR, "advisor"))
    client.post(IMPORT_URL, gift_upload(TAMPERED))
    question = Question.objects.get(title=NAME)
    task_state = question.current_workflow_state.current_task_state

    client.force_login(user_with(Role.REVIEWER, "reviewer"))
    url = reverse(
        Question.snippet_viewset.get_url_name("workflow_action"), args=[question.pk, "approve", task_state.pk]
    )
    assert client.post(url, {"comment": ""}).status_code == 302

    question.refresh_from_db()
    assert question.current_workflow_state is None and not question.has_unpublished_changes
    assert "【改ざん】" in live_definition()["text"]  # approved: now it is the live definition
    assert question.live_revision_id == question.latest_revision_id
    new_version = bank.question_version_current(question=question)
    assert new_version.number == first_version.number + 1
    first_version.refresh_from_db()
    assert "【改ざん】" not in first_version.definition["text"]  # the earlier attempt keeps its question
    assert AttemptItem.objects.get().version == first_version


def test_reviewer_import_publishes_at_once_as_before(client, live_question):
    client.force_login(user_with(Role.REVIEWER, "reviewer"))
    page = client.post(IMPORT_URL, gift_upload(TAMPERED), follow=True).content.decode()
    assert "公開した問題(1 問): E1-L1-01" in page
    question = Question.objects.get(title=NAME)
    assert "【改ざん】" in live_definition()["text"] and not question.has_unpublished_changes
    assert question.current_workflow_state is None


def test_advisor_sees_that_imports_go_to_review(client, live_question):
    client.force_login(user_with(Role.ADVISOR, "advisor"))
    assert "承認待ちの下書きとして承認ワークフローに提出されます" in client.get(IMPORT_URL).content.decode()


def test_a_question_in_review_is_locked_for_the_advisor(client, live_question):
    client.force_login(user_with(Role.ADVISOR, "advisor"))
    client.post(IMPORT_URL, gift_upload(TAMPERED))
    latest = Question.objects.get(title=NAME).latest_revision_id
    again = client.post(IMPORT_URL, gift_upload(TAMPERED.replace("【改ざん】", "【再改ざん】")))
    assert "今は変更できません" in again.content.decode()
    assert Question.objects.get(title=NAME).latest_revision_id == latest


def test_import_command_names_what_it_published_and_what_went_to_review(live_question, tmp_path, capsys):
    user_with(Role.ADVISOR, "advisor")
    path = tmp_path / "q.gift"
    path.write_text(TAMPERED + "\n" + NEW_QUESTION)
    call_command(
        "import_questions", str(path), "--format", "gift", "--user", "advisor", "--municipality", "999991"
    )
    out = capsys.readouterr().out
    assert "承認待ち(DX推進課による承認): E1-L1-01" in out
    assert "承認待ち(DX推進課による承認): E1-L1-99" in out
    assert "published=0 in_review=2" in out
    assert "【改ざん】" not in live_definition()["text"]
    with pytest.raises(CommandError, match="nobody: no such active user"):
        call_command("import_questions", str(path), "--format", "gift", "--user", "nobody")


def test_import_command_without_a_user_publishes_as_the_operator(live_question, tmp_path, capsys):
    path = tmp_path / "q.gift"
    path.write_text(TAMPERED)
    call_command("import_questions", str(path), "--format", "gift", "--municipality", "999991")
    assert "公開: E1-L1-01" in capsys.readouterr().out
    assert "【改ざん】" in live_definition()["text"]


def test_without_a_workflow_a_non_publisher_import_is_refused_and_changes_nothing(client, framework):  # noqa: F811
    assert bank.questions_import(content=ORIGINAL.encode(), file_format="gift", owner=city()).ok
    client.force_login(user_with(Role.ADVISOR, "advisor"))
    page = client.post(IMPORT_URL, gift_upload(TAMPERED)).content.decode()
    assert "承認ワークフローが割り当てられていない" in page
    assert "【改ざん】" not in live_definition()["text"]
    assert Question.objects.get(title=NAME).latest_revision_id == Question.objects.get().live_revision_id
