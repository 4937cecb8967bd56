"""The XBlocks: ``dx_question`` (one graded question) and ``dx_quiz`` (several questions, one grade).

Both render from ``grading.public_view`` only, score with ``grading.score``, and publish ``grade`` and
``completion`` events (plus ``dx_assessment.submission`` with the details). Their fields, handlers and
events are the contract the site's runtime and Open edX rely on; the distribution's README states it.

The classes live in this module on purpose: Open edX looks for a block's catalog in ``translations/``
beside the module that defines the class (see ``i18n``).
"""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Dict, Float, JSONField, List, Scope, String
from xblock.scorable import Score

from . import examples, grading, render, studio, submissions
from .base import SUBMISSION_EVENT, AssessmentBlock, js_strings
from .i18n import N_, Translator

__all__ = ["SUBMISSION_EVENT", "QuestionBlock", "QuizBlock"]


@XBlock.needs("i18n")
class QuestionBlock(AssessmentBlock):
    """One graded question of any type of ``dx_assessment.grading``."""

    css_class = "dx-question-block"
    EDITABLE = ("display_name", "weight", "max_attempts", "shuffle", "definition")
    STUDIO_FIELDS = [
        studio.FieldSpec("display_name", "text", N_("Display name")),
        studio.FieldSpec("weight", "number", N_("Weight (points)"), attrs=' min="0" step="any"'),
        studio.FieldSpec(
            "max_attempts",
            "number",
            N_("Maximum attempts"),
            N_("Leave empty for unlimited attempts."),
            attrs=' min="1" step="1"',
        ),
        studio.FieldSpec("shuffle", "checkbox", N_("Shuffle the options for each learner")),
        studio.FieldSpec(
            "definition",
            "json",
            N_("Question (JSON)"),
            N_("A question definition of dx_assessment.grading: type, text, explanation and the key."),
        ),
    ]

    definition = Dict(
        display_name=N_("Question"), scope=Scope.content, default={}, help="A grading Question.to_dict()."
    )
    weight = Float(
        display_name=N_("Weight"),
        scope=Scope.settings,
        default=1.0,
        help=N_("Points for a fully correct answer."),
    )
    response = JSONField(
        scope=Scope.user_state, default=None, help="The last graded response (grading shape)."
    )

    def question(self) -> grading.Question | None:
        try:
            return grading.Question.from_dict(self.definition) if self.definition else None
        except grading.DefinitionError:
            return None

    def max_score(self) -> float:
        return self.weight

    def calculate_score(self) -> Score:
        question = self.question()
        fraction = grading.score(question, self.response).fraction if question else 0.0
        return Score(raw_earned=fraction * self.weight, raw_possible=self.weight)

    def outcome(self, question: grading.Question) -> render.Outcome:
        try:
            feedback = grading.score(question, self.response).feedback
        except grading.ResponseError:
            feedback = []
        return render.Outcome(self.fraction, self.weight, feedback, question.explanation)

    def body_html(self, t: Translator) -> str:
        question = self.question()
        if question is None:
            return render.unavailable_html(t)
        view = grading.public_view(question, shuffle_seed=self.view_seed() if self.shuffle else None)
        open_ = self.can_submit()
        saved = self.response if self.fraction is not None else None
        body = render.question_html(
            view, dom_id=self.dom_id() + "-q", label=self.title(t), saved=saved, disabled=not open_, t=t
        )
        footer = render.attempts_html(self.attempts, self.max_attempts, t) if self.attempts else ""
        if self.fraction is not None:
            footer = (
                render.outcome_html(self.outcome(question), dom_id=self.dom_id(), t=t, focusable=True)
                + footer
            )
        return render.form_html(body=body, footer=footer, can_submit=open_, submit_label=t("Submit"), t=t)

    def result(self, t: Translator, *, repeated: bool) -> dict[str, Any]:
        _modifier, words = render.status_text(self.fraction, t)
        earned = (self.fraction or 0.0) * self.weight
        score = t("Score: {earned} / {possible}").format(
            earned=render.number(earned), possible=render.number(self.weight)
        )
        return {
            "repeated": repeated,
            "fraction": self.fraction,
            "score": earned,
            "max_score": self.weight,
            "correct": self.fraction is not None and self.fraction >= 1.0,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "can_submit": self.can_submit(),
            "summary": t("{status}. {score}").format(status=words, score=score),
            "html": self.body_html(t),
        }

    def student_view(self, context: dict | None = None) -> Fragment:
        t = self.translator()
        args = {"kind": "question", "strings": js_strings(t)}
        return self.frame(self.body_html(t), title=None, init="DxAssessmentBlock", args=args)

    @XBlock.json_handler
    def submit(self, payload: Any, suffix: str = "") -> dict[str, Any]:
        t = self.translator()
        try:
            sent_id = submissions.submission_id(payload)
            response = submissions.question_response(payload)
        except submissions.PayloadError as error:
            raise self.bad_request(error, t) from None
        question = self.question()
        if question is None:
            raise JsonHandlerError(409, t("This question is not available yet."))
        graded = self.fraction is not None
        seen = self.submission_ids
        if submissions.is_repeat(
            seen=seen, sent_id=sent_id, graded=graded, last=self.response, response=response
        ):
            return self.result(t, repeated=True)
        if not self.can_submit():
            raise JsonHandlerError(403, t("You have used all your attempts."))
        try:
            result = grading.score(question, response)
        except grading.ResponseError as error:
            raise JsonHandlerError(
                400, t("Your answer could not be read: {detail}").format(detail=error)
            ) from None
        self.response = response
        self.fraction = result.fraction
        self.attempts += 1
        self.seed = self.view_seed()
        self.submission_ids = submissions.remember(seen, sent_id)
        details = {
            "attempt": self.attempts,
            "submission_id": sent_id,
            "response": response,
            "fraction": result.fraction,
            "per_part": result.per_part,
            "seed": self.seed,
        }
        self.record(earned=result.fraction * self.weight, possible=self.weight, details=details)
        return self.result(t, repeated=False)

    def studio_view(self, context: dict | None = None) -> Fragment:
        templates = {
            key: (examples.TYPE_LABELS[key], value) for key, value in examples.example_dicts().items()
        }
        return self.studio_fragment(self.STUDIO_FIELDS, templates)

    @XBlock.json_handler
    def studio_submit(self, payload: Any, suffix: str = "") -> Any:
        return self.save_settings(payload, self.EDITABLE)

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        return examples.question_scenarios()


@XBlock.needs("i18n")
class QuizBlock(AssessmentBlock):
    """Several questions answered and graded together: one submit, one grade, a pass mark.

    The questions are the block's own list of grading definitions (not child blocks): one scorable
    block, so Open edX counts one grade and never also the questions' grades.
    """

    css_class = "dx-quiz-block"
    default_name = N_("Quiz")
    EDITABLE = ("display_name", "passing_percent", "max_attempts", "shuffle", "questions")
    STUDIO_FIELDS = [
        studio.FieldSpec("display_name", "text", N_("Display name")),
        studio.FieldSpec(
            "passing_percent", "number", N_("Passing score (%)"), attrs=' min="0" max="100" step="any"'
        ),
        studio.FieldSpec(
            "max_attempts",
            "number",
            N_("Maximum attempts"),
            N_("Leave empty for unlimited attempts."),
            attrs=' min="1" step="1"',
        ),
        studio.FieldSpec("shuffle", "checkbox", N_("Shuffle the options for each learner")),
        studio.FieldSpec(
            "questions",
            "json",
            N_("Questions (JSON list)"),
            N_("A JSON list of dx_assessment.grading question definitions; each weight is its points."),
        ),
    ]

    display_name = String(
        display_name=N_("Display name"),
        scope=Scope.settings,
        default=N_("Quiz"),
        help=N_("Shown to learners."),
    )
    questions = List(
        display_name=N_("Questions"),
        scope=Scope.content,
        default=[],
        help="A list of grading Question.to_dict().",
    )
    passing_percent = Float(
        display_name=N_("Passing score (%)"), scope=Scope.settings, default=70.0, help=N_("From 0 to 100.")
    )
    responses = List(
        scope=Scope.user_state, default=[], help="The last graded responses, null for unanswered."
    )
    passed = Boolean(scope=Scope.user_state, default=False, help="Whether the last graded attempt passed.")

    def parsed(self) -> list[grading.Question] | None:
        try:
            parsed = [grading.Question.from_dict(item) for item in self.questions]
        except grading.DefinitionError:
            return None
        return parsed or None

    def max_score(self) -> float:
        return round(sum(q.weight for q in self.parsed() or []), 9)

    def calculate_score(self) -> Score:
        questions = self.parsed() or []
        responses = list(self.responses) + [None] * (len(questions) - len(self.responses))
        points, possible, _percent = grading.attempt_score(
            (q, r, None) for q, r in zip(questions, responses[: len(questions)], strict=True)
        )
        return Score(raw_earned=points, raw_possible=possible)

    def set_score(self, score: Score) -> None:
        super().set_score(score)
        self.passed = 100.0 * (self.fraction or 0.0) >= self.passing_percent - 1e-9

    def outcomes(self, questions: list[grading.Question]) -> list[render.Outcome]:
        outcomes = []
        for index, question in enumerate(questions):
            response = self.responses[index] if index < len(self.responses) else None
            fraction, feedback = None, []
            if response is not None:
                try:
                    result = grading.score(question, response)
                    fraction, feedback = result.fraction, result.feedback
                except grading.ResponseError:
                    pass
            outcomes.append(render.Outcome(fraction, question.weight, feedback, question.explanation))
        return outcomes

    def body_html(self, t: Translator) -> str:
        questions = self.parsed()
        if questions is None:
            return render.unavailable_html(t)
        open_ = self.can_submit()
        graded = self.fraction is not None
        outcomes = self.outcomes(questions) if graded else []
        items = []
        for index, question in enumerate(questions):
            seed = self.view_seed() + index if self.shuffle else None
            view = grading.public_view(question, shuffle_seed=seed)
            saved = self.responses[index] if graded and index < len(self.responses) else None
            dom_id = f"{self.dom_id()}-q{index}"
            label = t("Question {number}").format(number=index + 1)
            html = render.question_html(
                view, dom_id=dom_id, label=label, saved=saved, disabled=not open_, t=t
            )
            if graded:
                html += render.outcome_html(outcomes[index], dom_id=dom_id, t=t)
            items.append(f'<li class="dx-quiz__item">{html}</li>')
        intro = t("{count} questions. Passing score: {percent}%.").format(
            count=len(questions), percent=render.number(self.passing_percent)
        )
        body = f'<p class="dx-intro">{render.e(intro)}</p><ol class="dx-quiz__list">{"".join(items)}</ol>'
        footer = render.attempts_html(self.attempts, self.max_attempts, t) if self.attempts else ""
        if graded:
            summary = render.quiz_summary_html(
                fraction=self.fraction,
                possible=self.max_score(),
                passing=self.passing_percent,
                passed=self.passed,
                dom_id=self.dom_id(),
                t=t,
            )
            footer = summary + footer
        return render.form_html(
            body=body, footer=footer, can_submit=open_, submit_label=t("Submit all answers"), t=t
        )

    def result(self, t: Translator, *, repeated: bool) -> dict[str, Any]:
        possible = self.max_score()
        earned = (self.fraction or 0.0) * possible
        words = t("Passed") if self.passed else t("Not passed")
        score = t("Score: {earned} / {possible}").format(
            earned=render.number(earned), possible=render.number(possible)
        )
        return {
            "repeated": repeated,
            "fraction": self.fraction,
            "score": earned,
            "max_score": possible,
            "percent": round(100.0 * (self.fraction or 0.0), 9),
            "passed": self.passed,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "can_submit": self.can_submit(),
            "summary": t("{status}. {score}").format(status=words, score=score),
            "html": self.body_html(t),
        }

    def student_view(self, context: dict | None = None) -> Fragment:
        t = self.translator()
        args = {"kind": "quiz", "strings": js_strings(t)}
        return self.frame(self.body_html(t), title=self.title(t), init="DxAssessmentBlock", args=args)

    @XBlock.json_handler
    def submit(self, payload: Any, suffix: str = "") -> dict[str, Any]:
        t = self.translator()
        questions = self.parsed()
        if questions is None:
            raise JsonHandlerError(409, t("This question is not available yet."))
        try:
            sent_id = submissions.submission_id(payload)
            responses = submissions.quiz_responses(payload, len(questions))
        except submissions.PayloadError as error:
            raise self.bad_request(error, t) from None
        graded = self.fraction is not None
        seen = self.submission_ids
        if submissions.is_repeat(
            seen=seen, sent_id=sent_id, graded=graded, last=self.responses, response=responses
        ):
            return self.result(t, repeated=True)
        if not self.can_submit():
            raise JsonHandlerError(403, t("You have used all your attempts."))
        fractions: list[float | None] = []
        for number, (question, response) in enumerate(zip(questions, responses, strict=True), 1):
            try:
                fractions.append(None if response is None else grading.score(question, response).fraction)
            except grading.ResponseError as error:
                message = t("Question {number}: your answer could not be read: {detail}")
                raise JsonHandlerError(400, message.format(number=number, detail=error)) from None
        points, possible, percent = grading.attempt_score(
            (q, r, None) for q, r in zip(questions, responses, strict=True)
        )
        self.responses = responses
        self.fraction = round(points / possible, 9) if possible else 0.0
        self.passed = percent >= self.passing_percent - 1e-9
        self.attempts += 1
        self.seed = self.view_seed()
        self.submission_ids = submissions.remember(seen, sent_id)
        details = {
            "attempt": self.attempts,
            "submission_id": sent_id,
            "responses": responses,
            "fractions": fractions,
            "points": points,
            "max_points": possible,
            "percent": percent,
            "passing_percent": self.passing_percent,
            "passed": self.passed,
            "seed": self.seed,
        }
        self.record(earned=points, possible=possible, details=details)
        return self.result(t, repeated=False)

    def studio_view(self, context: dict | None = None) -> Fragment:
        every = list(examples.example_dicts().values())
        templates = {"all": (N_("One question of every type"), every)}
        templates.update(
            {key: (examples.TYPE_LABELS[key], [value]) for key, value in examples.example_dicts().items()}
        )
        return self.studio_fragment(self.STUDIO_FIELDS, templates)

    @XBlock.json_handler
    def studio_submit(self, payload: Any, suffix: str = "") -> Any:
        return self.save_settings(payload, self.EDITABLE)

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        return examples.quiz_scenarios()
