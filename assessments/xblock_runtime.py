"""Our own XBlock runtime: the Open edX quiz block, rendered inside lesson pages.

Authored fields (``Scope.content`` / ``Scope.settings``) come from the site's ``Quiz`` and the current
versions of its questions; per-learner state (``Scope.user_state``) is kept in ``XBlockState``. A
``dx_assessment.submission`` event becomes an ``Attempt`` graded by the same services as the quiz pages,
so a pass records evidence exactly as there. One assessment, two homes.
"""

from typing import Any

from django.urls import reverse
from django.utils import translation
from dx_assessment.blocks import SUBMISSION_EVENT, QuizBlock
from web_fragments.fragment import Fragment
from xblock.exceptions import InvalidScopeError, JsonHandlerError
from xblock.fields import Scope, ScopeIds
from xblock.runtime import KeyValueStore, KvsFieldData, MemoryIdManager, Runtime

from assessments import attempts, quiz_rules
from assessments.bank import question_version_current
from assessments.models import Quiz, XBlockState


def quiz_usage_key(quiz: Quiz) -> str:
    return f"quiz-{quiz.pk}"


def _without_feedback(value: Any) -> Any:
    """A question definition without its explanation and option/answer feedback (grading is unchanged)."""
    if isinstance(value, dict):
        return {
            key: "" if key in ("explanation", "feedback") else _without_feedback(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_feedback(item) for item in value]
    return value


def quiz_authored_fields(
    quiz: Quiz, *, rules: quiz_rules.QuizRules | None = None, used: int = 0
) -> tuple[dict[str, Any], list]:
    """The block's authored fields from a fixed quiz, and the question versions behind them.

    The quiz's rules decide what the block may show and accept (``quiz_rules``): feedback and
    explanations are left out of the definitions until they may be shown, and ``max_attempts`` is the
    block's ``used`` attempts plus the attempts the site still allows (none when a start is refused), so
    the block greys out its form exactly when the site would refuse the submission.
    """
    versions, questions = [], []
    for item in attempts.quiz_fixed_items(quiz=quiz):
        version = question_version_current(question=item.question)
        versions.append((version, item.weight))
        definition = version.definition
        if rules is not None and not rules.feedback_visible:
            definition = _without_feedback(definition)
        questions.append({**definition, "weight": float(item.weight)})
    max_attempts = None  # the site counts attempts itself (see ``attempt_from_xblock``)
    if rules is not None and not rules.may_start:
        max_attempts = used
    elif rules is not None and rules.attempts_left is not None:
        max_attempts = used + rules.attempts_left
    fields = {
        "display_name": quiz.title,
        "questions": questions,
        "passing_percent": float(quiz.passing_percent),
        "max_attempts": max_attempts,
        "shuffle": quiz.shuffle_options,
    }
    return fields, versions


class SiteKeyValueStore(KeyValueStore):
    """Authored fields are read-only here; user state lives in one ``XBlockState`` row, saved on demand."""

    def __init__(self, *, authored: dict[str, Any], state: XBlockState) -> None:
        self.authored = authored
        self.state = state
        self.dirty = False

    def _user_field(self, key: KeyValueStore.Key) -> str:
        if key.scope != Scope.user_state:
            raise InvalidScopeError(key)
        return key.field_name

    def get(self, key):
        if key.scope in (Scope.content, Scope.settings):
            return self.authored[key.field_name]
        return self.state.state[self._user_field(key)]

    def set(self, key, value) -> None:
        self.state.state[self._user_field(key)] = value
        self.dirty = True

    def delete(self, key) -> None:
        self.state.state.pop(self._user_field(key), None)
        self.dirty = True

    def has(self, key) -> bool:
        if key.scope in (Scope.content, Scope.settings):
            return key.field_name in self.authored
        return key.scope == Scope.user_state and key.field_name in self.state.state

    def save(self) -> None:
        if self.dirty:
            self.state.save(update_fields=["state", "updated_at"])
            self.dirty = False


class SiteRuntime(Runtime):
    """One learner, one quiz: handler URLs of our own, Django's translation as the i18n service."""

    def __init__(self, *, user, quiz: Quiz, rules: quiz_rules.QuizRules | None = None) -> None:
        self.user = user
        self.quiz = quiz
        self.rules = rules or quiz_rules.quiz_rules(quiz=quiz, user=user)
        state, _ = XBlockState.objects.get_or_create(
            user=user, usage_key=quiz_usage_key(quiz), defaults={"block_type": "dx_quiz", "state": {}}
        )
        authored, self.versions = quiz_authored_fields(
            quiz, rules=self.rules, used=int(state.state.get("attempts", 0))
        )
        self.kvs = SiteKeyValueStore(authored=authored, state=state)
        ids = MemoryIdManager()
        super().__init__(
            id_reader=ids,
            id_generator=ids,
            services={"i18n": translation, "field-data": KvsFieldData(self.kvs)},
        )

    def block(self) -> QuizBlock:
        scope_ids = ScopeIds(
            user_id=self.user.pk,
            block_type="dx_quiz",
            def_id=quiz_usage_key(self.quiz),
            usage_id=quiz_usage_key(self.quiz),
        )
        return QuizBlock(runtime=self, scope_ids=scope_ids)

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False) -> str:
        url = reverse("assessments:xblock_handler", args=[self.quiz.pk, handler_name])
        return url + (suffix or "") + (f"?{query}" if query else "")

    def resource_url(self, resource) -> str:
        raise NotImplementedError("the blocks inline their resources")

    def local_resource_url(self, block, uri) -> str:
        raise NotImplementedError("the blocks inline their resources")

    def publish(self, block, event_type: str, event_data: dict) -> None:
        if event_type != SUBMISSION_EVENT:
            return  # "grade" and "completion" are summaries of the same submission
        try:
            attempt_from_xblock(
                user=self.user, quiz=self.quiz, versions=self.versions, responses=event_data["responses"]
            )
        except attempts.AttemptError as exc:
            # The block keeps no state from this submission: the handler fails and nothing is saved.
            raise JsonHandlerError(403, str(exc)) from exc

    def save(self) -> None:
        self.kvs.save()


def attempt_from_xblock(*, user, quiz: Quiz, versions: list, responses: list) -> None:
    """Record the block's submission as an attempt of the quiz, graded and evidenced by our services."""
    attempt = attempts.attempt_start_with(user=user, quiz=quiz, versions=versions)
    for position, response in enumerate(responses, start=1):
        if response is not None:
            attempts.attempt_answer(attempt=attempt, position=position, response=response)
    attempts.attempt_submit(attempt=attempt)


def handler_prefix(quiz: Quiz) -> str:
    return reverse("assessments:xblock_handler", args=[quiz.pk, "HANDLER"]).replace("HANDLER/", "")


def render_quiz(*, user, quiz: Quiz, rules: quiz_rules.QuizRules | None = None) -> Fragment:
    runtime = SiteRuntime(user=user, quiz=quiz, rules=rules)
    fragment = runtime.render(runtime.block(), "student_view")
    runtime.save()
    return fragment
