"""What both XBlocks share: translation, the rendering frame, attempts, scoring and the events.

``AssessmentBlock`` is not registered as a block itself; ``blocks.QuestionBlock`` and
``blocks.QuizBlock`` extend it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Float, Integer, List, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score

from . import render, studio, submissions
from .i18n import N_, Translator

SUBMISSION_EVENT = "dx_assessment.submission"


@cache
def static_text(name: str) -> str:
    """A file of ``static/`` in this package (the CSS and JavaScript are inlined into fragments)."""
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def js_strings(t: Translator) -> dict[str, str]:
    return {
        "submitting": t("Submitting…"),
        "unanswered": t("Answer the question before submitting."),
        "places": t("Give every item a different place."),
        "network": t("Your answer could not be sent. Check the connection and try again."),
        "saving": t("Saving…"),
        "saved": t("Saved."),
        "problems": t("Nothing was saved. Correct these problems:"),
    }


@XBlock.needs("i18n")
class AssessmentBlock(ScorableXBlockMixin, CompletableXBlockMixin, XBlock):
    """What both blocks share: translation, rendering frame, attempts, repeats and events."""

    icon_class = "problem"
    default_name = N_("Question")
    css_class = "dx-question-block"

    display_name = String(
        display_name=N_("Display name"),
        scope=Scope.settings,
        default=N_("Question"),
        help=N_("Shown to learners."),
    )
    max_attempts = Integer(
        display_name=N_("Maximum attempts"),
        scope=Scope.settings,
        default=None,
        help=N_("Leave empty for unlimited attempts."),
    )
    shuffle = Boolean(
        display_name=N_("Shuffle options"),
        scope=Scope.settings,
        default=True,
        help=N_("Show the options, items and matches in a different order to each learner."),
    )
    attempts = Integer(scope=Scope.user_state, default=0, help="Graded submissions so far.")
    fraction = Float(
        scope=Scope.user_state, default=None, help="Share of the marks earned; None: not graded."
    )
    seed = Integer(scope=Scope.user_state, default=None, help="Shuffle seed of the learner's view.")
    submission_ids = List(scope=Scope.user_state, default=[], help="Recently graded client submission ids.")

    # -- helpers -----------------------------------------------------------------------------------

    def translator(self) -> Translator:
        return Translator(self.runtime.service(self, "i18n"))

    def dom_id(self) -> str:
        return "dx-" + hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:12]

    def view_seed(self) -> int:
        """The stored seed, or a stable one derived from the learner and the block."""
        if self.seed is not None:
            return self.seed
        key = f"{self.scope_ids.user_id}:{self.scope_ids.usage_id}".encode()
        return int(hashlib.sha256(key).hexdigest()[:8], 16)

    def title(self, t: Translator) -> str:
        return t(self.display_name) if self.display_name == self.default_name else self.display_name

    def can_submit(self) -> bool:
        return self.max_attempts is None or self.attempts < self.max_attempts

    def frame(self, inner: str, *, title: str | None, init: str, args: dict[str, Any]) -> Fragment:
        html = render.block_html(css_class=self.css_class, dom_id=self.dom_id(), title=title, inner=inner)
        fragment = Fragment(html)
        fragment.add_css(static_text("dx_assessment.css"))
        fragment.add_javascript(static_text("dx_assessment.js"))
        fragment.initialize_js(init, args)
        return fragment

    def bad_request(self, error: submissions.PayloadError, t: Translator) -> JsonHandlerError:
        return JsonHandlerError(400, t(error.message).format(**error.params))

    def record(self, *, earned: float, possible: float, details: dict[str, Any]) -> None:
        """Publish the grade, completion and the submission details (in that order)."""
        self.runtime.publish(self, "grade", {"value": earned, "max_value": possible})
        self.emit_completion(1.0)
        self.runtime.publish(self, SUBMISSION_EVENT, details)

    def studio_fragment(
        self, specs: list[studio.FieldSpec], templates: dict[str, tuple[str, Any]]
    ) -> Fragment:
        t = self.translator()
        values = {spec.name: getattr(self, spec.name) for spec in specs}
        labels = {key: label for key, (label, _value) in templates.items()}
        html = studio.form_html(specs, values, dom_id=self.dom_id() + "-studio", templates=labels, t=t)
        fragment = Fragment(html)
        fragment.add_css(static_text("dx_assessment.css"))
        fragment.add_javascript(static_text("dx_assessment.js"))
        texts = {
            key: json.dumps(value, ensure_ascii=False, indent=2) for key, (_l, value) in templates.items()
        }
        fragment.initialize_js("DxAssessmentStudio", {"templates": texts, "strings": js_strings(t)})
        return fragment

    def save_settings(self, payload: Any, editable: tuple[str, ...]) -> Any:
        t = self.translator()
        values, problems = studio.clean(payload, editable=editable, t=t)
        if problems:
            body = {"error": t("Nothing was saved. Correct these problems:"), "problems": problems}
            return Response(json.dumps(body), status=400, content_type="application/json", charset="utf-8")
        for name, value in values.items():
            setattr(self, name, value)
        return {"saved": sorted(values)}

    # -- ScorableXBlockMixin -------------------------------------------------------------------------

    def has_submitted_answer(self) -> bool:
        return self.fraction is not None

    def get_score(self) -> Score:
        possible = self.max_score()
        return Score(raw_earned=(self.fraction or 0.0) * possible, raw_possible=possible)

    def set_score(self, score: Score) -> None:
        self.fraction = score.raw_earned / score.raw_possible if score.raw_possible else 0.0
