"""Taking a quiz: start (or resume), save answers, submit once, expire on the server's clock.

Rules:
* The deadline is the server's: ``started_at + time_limit``. An answer arriving after the deadline plus
  ``GRACE`` is not saved; an attempt found past it is closed as expired and graded on what was saved.
* Submitting is a conditional UPDATE from "in progress" to "submitted": of two concurrent submissions
  (a double click, a retry, two tabs) exactly one grades; the other sees the graded result.
* A passed attempt records evidence for each competency the learner showed in it: the competencies of
  the questions they earned at least half the points of (``QUIZ_CREDIT_FRACTION``; recorded by
  ``assessments.evidence.evidence_from_attempt`` once the attempt commits), at the highest level
  among those questions, capped at level 2 (quizzes show knowing and using, not practice). Passing the
  quiz overall says nothing of a competency whose questions were all answered wrongly.
"""

import datetime
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, JSONField, Max, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from dx_assessment import grading

from assessments.bank import question_version_current
from assessments.evidence import (  # noqa: F401 - QUIZ_CREDIT_FRACTION is read here by selectors
    QUIZ_CREDIT_FRACTION,
    evidence_from_attempt,
)
from assessments.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Question,
    Quiz,
    Selection,
)
from assessments.quiz_rules import QuizRules, quiz_pool, quiz_rules

GRACE = datetime.timedelta(seconds=30)

# What the learner reads for each ``ResponseError.code`` (the error's own message is English, for logs).
_PROBLEMS = {
    "too_long": gettext_lazy("回答が長すぎます。%(max)d 文字以内で入力してください。"),
    "empty": gettext_lazy("回答が空です。"),
    "not_a_number": gettext_lazy("数値として読み取れません。数字で入力してください(例: 12、3.5、1,200)。"),
    "out_of_range": gettext_lazy("扱える範囲を超える数値です。"),
    "incomplete_order": gettext_lazy("すべての項目に順位を付けてください。"),
    "rank_range": gettext_lazy("順位は 1 から %(count)d までの数字で付けてください。"),
    "rank_repeated": gettext_lazy("同じ順位が複数の項目に付いています。順位は一つずつ使ってください。"),
}


def response_problem(error: grading.ResponseError) -> str:
    """The learner's words for a refused answer; shapes only a forged request sends get a general line."""
    message = _PROBLEMS.get(error.code)
    if message is None:
        return _("回答の内容を読み取れませんでした。ページを再読み込みして、もう一度回答してください。")
    return str(message) % error.params


class AttemptError(Exception):
    """A request the rules refuse (limit reached, attempt closed, malformed answer); the message says why."""


@dataclass(frozen=True)
class Drawn:
    question: Question
    weight: Decimal


def quiz_draw(*, quiz: Quiz, seed: int) -> list[Drawn]:
    """The questions of one attempt: the fixed list, or ``count`` per rule drawn without repeats.

    Only questions of the quiz's pool are drawn (``quiz_rules.quiz_pool``): exam-only questions for the
    leader exam, the others for every other quiz, whatever the quiz's items or rules say.
    """
    if quiz.selection == Selection.FIXED:
        return [Drawn(item.question, item.weight) for item in quiz_fixed_items(quiz=quiz)]
    return draw_from_pools(quiz_draw_pools(quiz=quiz), seed=seed)


def quiz_draw_pools(*, quiz: Quiz) -> list[tuple[int, list[Question]]]:
    """(count, the rule's pool in id order) for each draw rule of a random quiz, in the rules' order."""
    return [
        (
            rule.count,
            list(
                Question._base_manager.filter(  # the quiz's pool, not what the person is offered
                    quiz_pool(quiz), live=True, competency=rule.competency, level__lte=rule.max_level
                ).order_by("pk")
            ),
        )
        for rule in quiz.draw_rules.select_related("competency").order_by("sort_order")
    ]


def draw_from_pools(pools: list[tuple[int, list[Question]]], *, seed: int) -> list[Drawn]:
    """``count`` questions from each pool, none drawn twice, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - question order, not security
    drawn: list[Drawn] = []
    used: set[int] = set()
    for count, questions in pools:
        pool = [q for q in questions if q.pk not in used]
        for question in rng.sample(pool, min(count, len(pool))):
            used.add(question.pk)
            drawn.append(Drawn(question, Decimal(1)))
    return drawn


def quiz_max_points(*, quiz: Quiz) -> Decimal:
    """The points the quiz is out of as it stands: a fixed quiz's live items' weights, a random quiz's
    rules' counts (each drawn question weighs 1). An attempt keeps its own ``max_points``, which differs
    when a question was retired since or a pool holds fewer questions than its rule draws (ADR 0023)."""
    if quiz.selection == Selection.FIXED:
        return sum((item.weight for item in quiz_fixed_items(quiz=quiz)), Decimal(0))
    return Decimal(sum(quiz.draw_rules.values_list("count", flat=True)))


def quiz_fixed_items(*, quiz: Quiz) -> list:
    """The live questions of a fixed quiz that belong to its pool, in the quiz's order."""
    pool = quiz_pool(quiz, prefix="question__")
    items = quiz.items.select_related("question").filter(pool, question__live=True)
    return list(items.order_by("sort_order"))


def attempts_left(*, user, quiz: Quiz) -> int | None:
    return quiz_rules(quiz=quiz, user=user).attempts_left


def attempt_start(*, user, quiz: Quiz, now: datetime.datetime | None = None) -> Attempt:
    """Resume the open attempt, or start a new one if the rules allow."""
    now = now or timezone.now()
    current = Attempt.objects.filter(user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS).first()
    if current is not None:
        if attempt_expire_if_due(attempt=current, now=now):
            current.refresh_from_db()
        else:
            return current
    rules = quiz_rules(quiz=quiz, user=user, now=now)
    if not rules.may_start:
        raise AttemptError(rules.refusal)
    seed = secrets.randbelow(2**31)
    drawn = quiz_draw(quiz=quiz, seed=seed)
    if not drawn:
        raise AttemptError(_("出題できる問題がありません。"))
    items = [(question_version_current(question=d.question), d.weight) for d in drawn]
    try:
        return _attempt_create(user=user, quiz=quiz, now=now, seed=seed, items=items, rules=rules)
    except IntegrityError:  # a double click started it concurrently: resume that one
        return Attempt.objects.get(user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS)


def attempt_start_with(*, user, quiz: Quiz, versions: list, now=None) -> Attempt:
    """Start an attempt on given question versions (the XBlock in a lesson answers a fixed set)."""
    now = now or timezone.now()
    rules = quiz_rules(quiz=quiz, user=user, now=now)
    if not rules.inline:
        raise AttemptError(
            _("この小テストはレッスンの中では受験できません。小テストのページで受験してください。")
        )
    if Attempt.objects.filter(user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS).exists():
        raise AttemptError(_("この小テストは別の画面で受験中です。そちらで提出してください。"))
    if not rules.may_start:
        raise AttemptError(rules.refusal)
    seed = secrets.randbelow(2**31)
    return _attempt_create(user=user, quiz=quiz, now=now, seed=seed, items=versions, rules=rules)


@transaction.atomic
def _attempt_create(*, user, quiz: Quiz, now, seed: int, items: list, rules: QuizRules) -> Attempt:
    number = (Attempt.objects.filter(user=user, quiz=quiz).aggregate(n=Max("number"))["n"] or 0) + 1
    deadline = now + rules.time_limit if rules.time_limit else None
    attempt = Attempt.objects.create(
        user=user, quiz=quiz, number=number, seed=seed, started_at=now, deadline=deadline
    )
    AttemptItem.objects.bulk_create(
        [
            AttemptItem(attempt=attempt, position=n, version=version, weight=weight)
            for n, (version, weight) in enumerate(items, start=1)
        ]
    )
    return attempt


def _is_late(attempt: Attempt, now: datetime.datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def attempt_answer(
    *, attempt: Attempt, position: int, response, now=None, items: list[AttemptItem] | None = None
) -> None:
    """Save one answer; refused after the deadline or with a malformed response."""
    problems = attempt_answer_all(attempt=attempt, responses={position: response}, now=now, items=items)
    if problems:
        raise AttemptError(problems[position])


def attempt_items(*, attempt: Attempt) -> list[AttemptItem]:
    """The attempt's items in order, each with its question version and that version's definition read
    as a question (``item.question``; one query). A version never changes once written, so what is read
    here can be passed on to ``attempt_answer_all`` and ``attempt_submit`` in the same request."""
    items = list(attempt.items.select_related("version").order_by("position"))
    for item in items:
        item.question = grading.Question.from_dict(item.version.definition)
    return items


def attempt_answer_all(
    *, attempt: Attempt, responses: dict[int, Any], now=None, items: list[AttemptItem] | None = None
) -> dict[int, str]:
    """Save answers by position in one statement; returns ``{position: problem}`` for those refused.

    Malformed responses and unknown positions are refused one by one and the others saved; an attempt
    that is over (or past its deadline) refuses them all with ``AttemptError``. An answer equal to the one
    already saved is not written again, so a form posted with blanks writes nothing for them. ``items``:
    the attempt's items as ``attempt_items`` read them in this request (else they are read here).
    """
    now = now or timezone.now()
    if attempt.status != AttemptStatus.IN_PROGRESS or _is_late(attempt, now):
        raise AttemptError(_("この受験は終了しているため、回答は保存されませんでした。"))
    if items is None:
        items = attempt_items(attempt=attempt)
    by_position = {item.position: item for item in items}
    problems: dict[int, str] = {}
    changed: dict[int, Any] = {}
    for position, response in responses.items():
        item = by_position.get(position)
        if item is None:
            problems[position] = _("この受験にはない問題です。")
            continue
        if response is not None:
            try:  # validates the shape; the score is discarded
                grading.score(item.question, response)
            except grading.ResponseError as exc:
                problems[position] = response_problem(exc)
                continue
        if item.response != response:
            changed[item.pk] = response
    if changed:
        as_json = [When(pk=pk, then=Value(value, output_field=JSONField())) for pk, value in changed.items()]
        still_open = AttemptItem.objects.filter(pk__in=changed, attempt__status=AttemptStatus.IN_PROGRESS)
        # Cast: when every new answer is a blank (SQL NULL), PostgreSQL would type the CASE as text.
        answers = Cast(Case(*as_json, output_field=JSONField()), output_field=JSONField())
        updated = still_open.update(response=answers, answered_at=now)
        if updated != len(changed):  # submitted or expired since it was read: nothing of this was kept
            raise AttemptError(_("この受験は終了しているため、回答は保存されませんでした。"))
    return problems


def attempt_submit(*, attempt: Attempt, now=None, items: list[AttemptItem] | None = None) -> Attempt:
    """Close and grade the attempt once; a second call returns the graded attempt unchanged. ``items``:
    as ``attempt_items`` read them in this request, to save reading the questions again (the saved
    answers are read again all the same, after the attempt is closed)."""
    questions = None if items is None else {item.pk: item.question for item in items}
    return _close(
        attempt=attempt, status=AttemptStatus.SUBMITTED, now=now or timezone.now(), questions=questions
    )


def attempt_expire_if_due(*, attempt: Attempt, now=None) -> bool:
    now = now or timezone.now()
    if attempt.status == AttemptStatus.IN_PROGRESS and _is_late(attempt, now):
        _close(attempt=attempt, status=AttemptStatus.EXPIRED, now=now)
        return True
    return False


@dataclass(frozen=True)
class Grade:
    """An attempt's grade as its columns keep it: each item's fraction, the totals, passed or not."""

    fractions: list[Decimal]
    points: Decimal
    max_points: Decimal
    percent: Decimal
    passed: bool


def attempt_grade(scored: list[tuple[grading.Question, Any, float]], *, passing_percent) -> Grade:
    """Grade (question, saved response or None, weight) in the attempt's order (pure)."""
    fractions = [
        Decimal(str(round(grading.score(q, response).fraction if response is not None else 0.0, 5)))
        for q, response, _weight in scored
    ]
    points, max_points, percent = grading.attempt_score(scored)
    return Grade(
        fractions=fractions,
        points=Decimal(str(round(points, 3))),
        max_points=Decimal(str(round(max_points, 3))),
        percent=Decimal(str(round(percent, 2))),
        passed=percent >= passing_percent,
    )


@transaction.atomic(savepoint=False)  # inside the caller's transaction, a failure here fails it whole
def _close(
    *,
    attempt: Attempt,
    status: str,
    now: datetime.datetime,
    questions: dict[int, grading.Question] | None = None,
) -> Attempt:
    """Close the attempt if it is still open (a conditional UPDATE: of two callers one wins), then grade
    the answers saved by then. ``questions``: each item's question by item id, when the caller has them."""
    won = Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
        status=status, finished_at=now
    )
    if not won:
        attempt.refresh_from_db()
        return attempt
    if questions is None:
        items = attempt_items(attempt=attempt)
        questions = {item.pk: item.question for item in items}
    else:  # the saved answers as they are now; the questions are the caller's (a version never changes)
        items = list(AttemptItem.objects.filter(attempt=attempt).only("pk", "response", "weight"))
    scored = [(questions[item.pk], item.response, float(item.weight)) for item in items]
    grade = attempt_grade(scored, passing_percent=attempt.quiz.passing_percent)
    for item, fraction in zip(items, grade.fractions, strict=True):
        item.fraction = fraction
    AttemptItem.objects.bulk_update(items, ["fraction"])
    attempt.status, attempt.finished_at = status, now  # what the conditional UPDATE above wrote
    attempt.points, attempt.max_points, attempt.percent = grade.points, grade.max_points, grade.percent
    attempt.passed = grade.passed
    attempt.save(update_fields=["points", "max_points", "percent", "passed"])
    if attempt.passed:
        transaction.on_commit(lambda: evidence_from_attempt(attempt_id=attempt.pk))
    return attempt
