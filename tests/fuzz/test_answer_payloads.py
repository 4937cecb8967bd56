"""Bad answers: the quiz form, the autosave and the XBlock handler refuse malformed answers with a 4xx or
a redirect with a message (never a 500), keep what was saved, and store a learner's ``<script>`` as data.

Covers ``views.attempt_take`` (POST of ``q<position>…`` fields), ``views.attempt_answer`` (autosave),
``views.xblock_handler`` (JSON) and ``forms.response_from_post`` with ``dx_assessment.grading`` under them.
"""

import functools
import json

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from dx_assessment import grading
from hypothesis import given
from hypothesis import strategies as st

from assessments import attempts, selectors, xblock_runtime
from assessments.models import Attempt, AttemptItem, AttemptStatus, XBlockState
from tests.fuzz.common import FEW, FORMULAS, FUZZ, HOSTILE_HTML, MARKER, active_content

SCRIPT = f"<script>alert('{MARKER}')</script>"
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
# NUL, which PostgreSQL cannot store, has its own test below; elsewhere it would fail at random.
# Lone surrogates (category Cs) cannot be sent over HTTP at all: the test client could not encode them.
text = functools.partial(
    st.text, alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | text(max_size=10)
    | st.sampled_from((*FORMULAS, *HOSTILE_HTML)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# ASCII digits and any text; digits int() cannot read are the subject of their own test below.
form_values = st.one_of(
    text(max_size=12).filter(lambda s: s.isascii() or not s.isdigit()),
    st.sampled_from(["true", "false", "1", "2", "3", "4", "0", "-1", "1e999", "NaN", " ", SCRIPT, "9" * 400]),
    st.sampled_from(FORMULAS),
)


@pytest.fixture
def attempt(quiz, learner_client_500):
    return attempts.attempt_start(user=learner_client_500.user, quiz=quiz)


def views_of(attempt) -> dict[int, dict]:
    return {q["position"]: q["view"] for q in selectors.attempt_questions(attempt=attempt)["questions"]}


def field_names(views: dict[int, dict]) -> list[str]:
    """Every field name the quiz form has, and a few it has not."""
    names = ["q0", "q99", "q1-", "action"]
    for position, view in views.items():
        names.append(f"q{position}")
        ids = [item["id"] for item in view.get("items", []) + view.get("lefts", [])]
        names += [f"q{position}-{item_id}" for item_id in ids]
    return names


def valid_ids(views: dict[int, dict]) -> list[str]:
    return [
        item["id"] for view in views.values() for key in ("choices", "rights") for item in view.get(key, [])
    ]


def saved(attempt) -> dict[int, object]:
    return dict(AttemptItem.objects.filter(attempt=attempt).values_list("position", "response"))


def assert_saved_answers_are_valid(attempt) -> None:
    for item in AttemptItem.objects.filter(attempt=attempt).select_related("version"):
        if item.response is not None:
            grading.score(grading.Question.from_dict(item.version.definition), item.response)


@FUZZ
@given(data=st.data())
def test_any_quiz_form_post_is_a_redirect_and_saves_only_valid_answers(learner_client_500, attempt, data):
    views = views_of(attempt)
    names = field_names(views)
    post = data.draw(
        st.dictionaries(
            st.sampled_from(names) | text(max_size=6),
            st.lists(form_values | st.sampled_from(valid_ids(views)), min_size=1, max_size=3),
            max_size=12,
        )
    )
    response = learner_client_500.post(reverse("assessments:attempt", args=[attempt.pk]), post)

    assert response.status_code == 302, response.status_code
    assert_saved_answers_are_valid(attempt)
    attempt.refresh_from_db()
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if errors:
        assert attempt.status == AttemptStatus.IN_PROGRESS
        assert all(str(m).startswith("問題 ") and str(m).count("問題") == 1 for m in errors)
    if attempt.status != AttemptStatus.IN_PROGRESS:  # submitted: grade and start again
        attempt = attempts.attempt_start(user=learner_client_500.user, quiz=attempt.quiz)


def form_errors(client, attempt, post) -> list[str]:
    """The error messages the learner reads on the quiz page they are sent back to."""
    response = client.post(reverse("assessments:attempt", args=[attempt.pk]), post, follow=True)
    assert response.redirect_chain and response.status_code == 200
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


def test_a_learners_mistakes_are_explained_in_their_language_once_per_question(learner_client_500, attempt):
    views = views_of(attempt)
    numeric = next(p for p, v in views.items() if v["type"] == "numeric")
    ordering, view = next((p, v) for p, v in views.items() if v["type"] == "ordering")
    repeated = {f"q{ordering}-{item['id']}": "1" for item in view["items"]}
    choice = next(p for p, v in views.items() if v["type"] == "single_choice")

    assert form_errors(learner_client_500, attempt, {f"q{numeric}": "二十五"}) == [
        f"問題 {numeric}: 数値として読み取れません。数字で入力してください(例: 12、3.5、1,200)。"
    ]
    assert form_errors(learner_client_500, attempt, repeated) == [
        f"問題 {ordering}: 同じ順位が複数の項目に付いています。順位は一つずつ使ってください。"
    ]
    forged = form_errors(learner_client_500, attempt, {f"q{choice}": "no-such-choice"})
    assert forged == [
        f"問題 {choice}: 回答の内容を読み取れませんでした。ページを再読み込みして、もう一度回答してください。"
    ]
    autosave = learner_client_500.post(
        reverse("assessments:answer", args=[attempt.pk, numeric]), {f"q{numeric}": "abc"}
    )
    assert autosave.status_code == 400 and autosave.json()["error"].startswith("数値として読み取れません")

    learner_client_500.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert form_errors(learner_client_500, attempt, {f"q{numeric}": "abc"}) == [
        f"Question {numeric}: This is not a number we can read. Type it in digits (e.g. 12, 3.5, 1,200)."
    ]
    assert saved(attempt) == dict.fromkeys(views)  # nothing of the above was saved


@pytest.mark.parametrize("rank", ["²", "9" * 5000])
def test_an_ordering_rank_of_odd_digits_is_refused_not_a_500(learner_client_500, attempt, rank):
    views = views_of(attempt)
    position, view = next((p, v) for p, v in views.items() if v["type"] == "ordering")
    post = {f"q{position}-{item['id']}": rank for item in view["items"]}

    response = learner_client_500.post(reverse("assessments:attempt", args=[attempt.pk]), post)
    autosave = learner_client_500.post(reverse("assessments:answer", args=[attempt.pk, position]), post)

    assert response.status_code == 302 and autosave.status_code == 400


@FUZZ
@given(data=st.data())
def test_autosave_of_a_bad_answer_is_a_400_and_keeps_the_saved_one(learner_client_500, attempt, data):
    views = views_of(attempt)
    position = data.draw(st.sampled_from([*views, 0, 99]))
    post = data.draw(
        st.dictionaries(
            st.sampled_from(field_names(views)),
            st.lists(form_values | st.sampled_from(valid_ids(views)), min_size=1, max_size=3),
            max_size=8,
        )
    )
    before = saved(attempt)

    response = learner_client_500.post(reverse("assessments:answer", args=[attempt.pk, position]), post)

    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code == 400:
        assert response.json()["saved"] is False and response.json()["error"]
    if response.status_code != 200:
        assert saved(attempt) == before
    assert_saved_answers_are_valid(attempt)


@FEW
@given(answer=st.sampled_from([SCRIPT, *HOSTILE_HTML, *FORMULAS, f'"><svg onload=alert("{MARKER}")>']))
def test_a_learners_script_is_stored_as_typed_and_shown_escaped(learner_client_500, quiz, answer):
    attempt = attempts.attempt_start(user=learner_client_500.user, quiz=quiz)
    position = next(p for p, v in views_of(attempt).items() if v["type"] == "short_text")
    url = reverse("assessments:attempt", args=[attempt.pk])

    learner_client_500.post(url, {f"q{position}": answer, "action": "save"})
    resumed = learner_client_500.get(url)
    learner_client_500.post(url, {f"q{position}": answer, "action": "submit"})
    result = learner_client_500.get(reverse("assessments:result", args=[attempt.pk]))

    assert AttemptItem.objects.get(attempt=attempt, position=position).response == answer
    assert resumed.status_code == 200 and result.status_code == 200
    assert not active_content(resumed.content.decode())
    assert not active_content(result.content.decode())
    Attempt.objects.filter(pk=attempt.pk).delete()


# The XBlock handler in a lesson: JSON in, JSON out.


def xblock_state(user) -> tuple:
    return (
        Attempt.objects.filter(user=user).count(),
        list(XBlockState.objects.filter(user=user).values_list("state", flat=True)),
    )


def post_handler(client, quiz, body: bytes, content_type="application/json"):
    return client.post(
        reverse("assessments:xblock_handler", args=[quiz.pk, "submit"]), body, content_type=content_type
    )


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.lists(json_values, min_size=7, max_size=7).map(lambda rs: json.dumps({"responses": rs}).encode()),
        st.tuples(json_values, json_values).map(
            lambda v: json.dumps({"responses": [v[0]] * 7, "submission_id": v[1]}).encode()
        ),
        st.just(b'{"responses": [' + b"9" * 5000 + b"]}"),
    )
)
def test_a_malformed_xblock_submission_is_a_4xx_and_records_nothing(learner_client_500, quiz, body):
    xblock_runtime.render_quiz(user=learner_client_500.user, quiz=quiz)
    before = xblock_state(learner_client_500.user)

    response = post_handler(learner_client_500, quiz, body)

    assert response.status_code in (200, 400, 403, 409), response.status_code
    if response.status_code != 200:
        assert xblock_state(learner_client_500.user) == before
        assert response.json()
    Attempt.objects.filter(user=learner_client_500.user).delete()
    XBlockState.objects.filter(user=learner_client_500.user).update(state={})


def test_a_deeply_nested_xblock_submission_is_a_400(learner_client_500, quiz):
    response = post_handler(learner_client_500, quiz, b"[" * 100_000 + b"]" * 100_000)

    assert response.status_code == 400


def test_a_nul_character_in_an_answer_is_refused_or_stored_never_a_500(learner_client_500, attempt, quiz):
    position = next(p for p, v in views_of(attempt).items() if v["type"] == "short_text")
    answer = {f"q{position}": "RP\x00A"}

    autosave = learner_client_500.post(reverse("assessments:answer", args=[attempt.pk, position]), answer)
    form = learner_client_500.post(reverse("assessments:attempt", args=[attempt.pk]), answer)
    Attempt.objects.filter(pk=attempt.pk).delete()
    xblock_runtime.render_quiz(user=learner_client_500.user, quiz=quiz)
    responses = [None] * 7
    responses[position - 1] = "RP\x00A"
    handler = post_handler(learner_client_500, quiz, json.dumps({"responses": responses}).encode())

    assert (autosave.status_code, form.status_code) in ((200, 302), (400, 302))
    assert handler.status_code in (200, 400), handler.status_code
