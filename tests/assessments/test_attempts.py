"""Taking a quiz over plain HTTP: no key before submitting, right scores, limits, resume, one grading."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from dx_assessment import grading

from assessments import attempts, bank
from assessments.models import Attempt, AttemptStatus, Evidence, Question
from tests.assessments.conftest import ONE_OF_EACH
from tests.factories import StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return StaffProfileFactory(user__username="learner").user  # evidence is a staff member's


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def start(client, quiz) -> Attempt:
    response = client.post(reverse("assessments:start", args=[quiz.pk]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def definitions(attempt: Attempt) -> dict[int, grading.Question]:
    return {
        item.position: grading.Question.from_dict(item.version.definition)
        for item in attempt.items.select_related("version")
    }


def secrets_of(question: grading.Question) -> list[str]:
    """Strings that would give the answer away if they reached the browser before submission."""
    found = [question.explanation]
    if isinstance(question, grading.SingleChoice | grading.MultipleResponse):
        found += [c.feedback for c in question.choices if c.feedback]
    if isinstance(question, grading.ShortText):
        found += [a.text for a in question.answers]
    return [s for s in found if s]


def numeric_keys(question: grading.Question) -> list[re.Pattern]:
    """A numeric answer, as a number standing alone (not inside an option id such as 5d925cc0)."""
    if not isinstance(question, grading.Numeric):
        return []
    return [
        re.compile(rf"(?<![0-9a-z.]){re.escape(str(a.value).removesuffix('.0'))}(?![0-9a-z])")
        for a in question.answers
    ]


def test_no_answer_key_reaches_the_browser_before_submission(learner_client, quiz):
    attempt = start(learner_client, quiz)
    page = learner_client.get(reverse("assessments:attempt", args=[attempt.pk])).content.decode()
    autosave = learner_client.post(reverse("assessments:answer", args=[attempt.pk, 1]), {"q1": "bogus"})
    bodies = [
        page,
        autosave.content.decode(),
        learner_client.get(reverse("assessments:quiz", args=[quiz.pk])).content.decode(),
    ]
    for question in definitions(attempt).values():
        for secret in secrets_of(question):
            for body in bodies:
                assert secret not in body, secret
        for pattern in numeric_keys(question):
            for body in bodies:
                assert not pattern.search(body), pattern.pattern
    for body in bodies:
        assert "fraction" not in body and "correct" not in body.lower()
    # Matching rights and ordering items are shown, but never in their correct order or pairing by id.
    assert "data-correct" not in page


def answer_everything(client, attempt: Attempt, *, right: bool) -> dict:
    data = {"action": "submit"}
    for position, question in definitions(attempt).items():
        response = grading.correct_response(question)
        key = f"q{position}"
        if isinstance(question, grading.Ordering):
            order = response if right else list(reversed(response))
            data.update({f"{key}-{item_id}": str(rank) for rank, item_id in enumerate(order, start=1)})
        elif isinstance(question, grading.Matching):
            rights = list(response.values())
            pairs = response if right else dict(zip(response, rights[1:] + rights[:1], strict=True))
            data.update({f"{key}-{left}": right_id for left, right_id in pairs.items()})
        elif isinstance(question, grading.TrueFalse):
            data[key] = "true" if response == right else "false"
        elif isinstance(question, grading.MultipleResponse):
            data[key] = response if right else [c.id for c in question.choices if c.id not in response]
        elif isinstance(question, grading.SingleChoice):
            data[key] = response if right else next(c.id for c in question.choices if c.id != response)
        elif isinstance(question, grading.Numeric):
            data[key] = "２５" if right else "30"  # full-width digits count the same
        else:
            data[key] = "ｒｐａ" if right else "AI"  # NFKC and case folding
    return data


def test_every_type_scores_full_marks_when_right_and_evidence_is_recorded(
    learner_client, learner, quiz, django_capture_on_commit_callbacks
):
    attempt = start(learner_client, quiz)
    with django_capture_on_commit_callbacks(execute=True):
        response = learner_client.post(
            reverse("assessments:attempt", args=[attempt.pk]),
            answer_everything(learner_client, attempt, right=True),
        )
    attempt.refresh_from_db()
    assert response.url == reverse("assessments:result", args=[attempt.pk])
    assert attempt.status == AttemptStatus.SUBMITTED
    assert list(attempt.items.values_list("fraction", flat=True)) == [1] * 7
    assert attempt.percent == 100 and attempt.passed
    evidence = {(e.competency.code, e.level) for e in Evidence.objects.filter(user=learner)}
    assert evidence == {("A1", 1), ("A2", 2), ("C1", 1), ("C2", 2)}  # highest question level per competency
    result = learner_client.get(response.url).content.decode()
    assert "合格です" in result and "RPAです。" in result  # the explanation, now that it is submitted


def test_an_account_without_a_staff_record_passes_and_keeps_its_score_but_records_no_evidence(
    client, quiz, django_capture_on_commit_callbacks
):
    # An LMS user an LTI launch did not link to HR: its score goes back to the LMS, and it has no
    # competency profile (evidence is held in a staff member's municipality; ADR 0016, ADR 0023).
    outsider = UserFactory(username="lms-user")
    client.force_login(outsider)
    attempt = start(client, quiz)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("assessments:attempt", args=[attempt.pk]), answer_everything(client, attempt, right=True)
        )
    attempt.refresh_from_db()
    assert attempt.passed and attempt.percent == 100
    assert not Evidence.objects.filter(user=outsider).exists()


def test_a_passed_quiz_records_no_evidence_for_a_competency_whose_questions_were_answered_wrongly(
    learner_client, learner, quiz, django_capture_on_commit_callbacks
):
    attempt = start(learner_client, quiz)
    numeric = next(p for p, q in definitions(attempt).items() if isinstance(q, grading.Numeric))  # C2's only
    answers = {**answer_everything(learner_client, attempt, right=True), f"q{numeric}": "30"}
    with django_capture_on_commit_callbacks(execute=True):
        learner_client.post(reverse("assessments:attempt", args=[attempt.pk]), answers)
    attempt.refresh_from_db()
    assert attempt.passed and attempt.percent < 100
    evidence = {(e.competency.code, e.level) for e in Evidence.objects.filter(user=learner)}
    assert evidence == {("A1", 1), ("A2", 2), ("C1", 1)}  # no C2: its one question was answered wrongly


def test_wrong_answers_score_zero_and_record_no_evidence(learner_client, learner, quiz):
    attempt = start(learner_client, quiz)
    learner_client.post(
        reverse("assessments:attempt", args=[attempt.pk]),
        answer_everything(learner_client, attempt, right=False),
    )
    attempt.refresh_from_db()
    fractions = dict(attempt.items.values_list("version__definition__type", "fraction"))
    assert fractions["single_choice"] == 0 and fractions["true_false"] == 0 and fractions["short_text"] == 0
    assert fractions["ordering"] == 0 and fractions["matching"] == 0
    assert not attempt.passed
    assert not Evidence.objects.filter(user=learner).exists()


def test_submitting_twice_counts_once(learner_client, learner, quiz):
    attempt = start(learner_client, quiz)
    data = answer_everything(learner_client, attempt, right=True)
    learner_client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    finished = Attempt.objects.get(pk=attempt.pk).finished_at
    again = learner_client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    assert again.url == reverse("assessments:result", args=[attempt.pk])
    assert attempts.attempt_submit(attempt=attempt).finished_at == finished
    assert Attempt.objects.filter(user=learner).count() == 1


def test_attempt_resumes_with_saved_answers_after_a_dropped_connection(learner_client, quiz):
    attempt = start(learner_client, quiz)
    position, _question = next(
        (p, q) for p, q in definitions(attempt).items() if isinstance(q, grading.ShortText)
    )
    saved = learner_client.post(
        reverse("assessments:answer", args=[attempt.pk, position]), {f"q{position}": "RPA"}
    )
    assert saved.json()["saved"] is True
    # The browser goes away; the learner comes back and presses "start" again.
    assert start(learner_client, quiz).pk == attempt.pk
    page = learner_client.get(reverse("assessments:attempt", args=[attempt.pk])).content.decode()
    assert 'value="RPA"' in page


def test_attempt_limit_holds(learner_client, quiz):
    quiz.max_attempts = 1
    quiz.save_revision().publish()
    attempt = start(learner_client, quiz)
    learner_client.post(reverse("assessments:attempt", args=[attempt.pk]), {"action": "submit"})
    response = learner_client.post(reverse("assessments:start", args=[quiz.pk]), follow=True)
    assert "受験回数の上限(1回)に達しています" in response.content.decode()
    assert Attempt.objects.count() == 1


def test_time_limit_is_enforced_by_the_server(learner, quiz):
    quiz.time_limit_minutes = 10
    quiz.save_revision().publish()
    began = timezone.now() - datetime.timedelta(minutes=20)
    attempt = attempts.attempt_start(user=learner, quiz=quiz, now=began)
    attempts.attempt_answer(
        attempt=attempt, position=5, response="RPA", now=began + datetime.timedelta(minutes=9)
    )
    with pytest.raises(attempts.AttemptError):  # 10 min + 30 s grace have passed
        attempts.attempt_answer(
            attempt=attempt, position=1, response="x", now=began + datetime.timedelta(minutes=10, seconds=31)
        )
    # An answer 20 s after the deadline still counts (grace for the network).
    attempts.attempt_answer(
        attempt=attempt, position=4, response="25", now=began + datetime.timedelta(minutes=10, seconds=20)
    )

    assert attempts.attempt_expire_if_due(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    fractions = dict(attempt.items.values_list("position", "fraction"))
    assert fractions[5] == 1 and fractions[4] == 1 and fractions[1] == 0


def test_malformed_or_forged_answers_are_refused_and_change_nothing(learner_client, quiz):
    attempt = start(learner_client, quiz)
    position = next(p for p, q in definitions(attempt).items() if isinstance(q, grading.SingleChoice))
    url = reverse("assessments:answer", args=[attempt.pk, position])
    response = learner_client.post(url, {f"q{position}": "no-such-choice"})
    assert response.status_code == 400 and response.json()["error"].startswith("回答の内容を読み取れません")
    assert learner_client.post(reverse("assessments:answer", args=[attempt.pk, 99]), {}).status_code == 404
    huge = learner_client.post(reverse("assessments:answer", args=[attempt.pk, 5]), {"q5": "あ" * 5000})
    assert huge.status_code == 400
    assert huge.json()["error"] == "回答が長すぎます。1000 文字以内で入力してください。"
    assert not attempt.items.exclude(response=None).exists()


def test_another_learners_attempt_cannot_be_read_or_changed(learner_client, quiz):
    other = UserFactory(username="other")
    theirs = attempts.attempt_start(user=other, quiz=quiz)
    assert learner_client.get(reverse("assessments:attempt", args=[theirs.pk])).status_code == 404
    assert (
        learner_client.post(reverse("assessments:answer", args=[theirs.pk, 1]), {"q1": "x"}).status_code
        == 404
    )
    assert learner_client.get(reverse("assessments:result", args=[theirs.pk])).status_code == 404
    assert not theirs.items.exclude(response=None).exists()


def test_editing_a_question_never_changes_a_past_score(learner, quiz, questions):
    attempt = attempts.attempt_start(user=learner, quiz=quiz)
    defs = definitions(attempt)
    for position, question in defs.items():
        attempts.attempt_answer(
            attempt=attempt, position=position, response=grading.correct_response(question)
        )
    attempts.attempt_submit(attempt=attempt)

    short = Question.objects.get(title__endswith="short_text")
    value = short.body[0].value
    value["answers"][0]["text"] = "ロボティック・プロセス・オートメーション"
    short.body = [("short_text", value)]
    short.save_revision().publish()
    short.refresh_from_db()

    version = bank.question_version_current(question=short)
    assert version.number == 2
    attempt.refresh_from_db()
    assert attempt.percent == 100
    assert json.dumps(attempt.items.get(position=5).version.definition, ensure_ascii=False).count("RPA") >= 1


def test_feedback_after_close_is_withheld_until_the_quiz_closes(learner_client, quiz):
    quiz.feedback_timing = "after_close"
    quiz.closes_at = timezone.now() + datetime.timedelta(days=1)
    quiz.save_revision().publish()
    attempt = start(learner_client, quiz)
    learner_client.post(reverse("assessments:attempt", args=[attempt.pk]), {"action": "submit"})
    result = learner_client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert "受験期間の終了後に表示されます" in result
    for question in definitions(attempt).values():
        assert question.explanation not in result
    assert ONE_OF_EACH


def test_a_submission_costs_the_same_queries_whatever_the_number_of_questions(
    learner_client, quiz, django_assert_num_queries, settings
):
    """All answers in one statement, graded in one: 7 questions cost what 1 would (no query per answer)."""
    attempt = start(learner_client, quiz)
    data = {**answer_everything(learner_client, attempt, right=True), "action": "submit"}
    # session (unless cached, with Redis), user, attempt+quiz, its items with their questions (read once,
    # for the form and for saving and grading), then one transaction (a savepoint in this test's): the
    # answers, close, the saved answers again (after closing), fractions, score, whether an LMS launched
    # this quiz for this person (its score goes back through LTI, lti.GradeLink), release.
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(11 + session):
        learner_client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    assert Attempt.objects.get(pk=attempt.pk).percent == 100


def test_saving_the_form_writes_only_the_answers_that_changed(learner_client, quiz):
    attempt = start(learner_client, quiz)
    url = reverse("assessments:attempt", args=[attempt.pk])
    position, _question = next(
        (p, q) for p, q in definitions(attempt).items() if isinstance(q, grading.ShortText)
    )
    learner_client.post(url, {f"q{position}": "RPA", "action": "save"})
    first = dict(attempt.items.values_list("position", "answered_at"))
    assert [p for p, at in first.items() if at is not None] == [position]  # blanks are not "answered"
    learner_client.post(url, {f"q{position}": "RPA", "action": "save"})
    assert dict(attempt.items.values_list("position", "answered_at")) == first  # unchanged: not rewritten
    learner_client.post(url, {f"q{position}": "ロボティック", "action": "save"})
    assert attempt.items.get(position=position).response == "ロボティック"
    learner_client.post(url, {"action": "save"})  # cleared: only blanks to write (PostgreSQL typed them text)
    assert attempt.items.get(position=position).response is None
