"""The ``submit`` payloads of the blocks, and the rule that a repeated submission counts once.

``dx_question``: ``{"response": <grading response>, "submission_id": "<client id>"}``;
``dx_quiz``: ``{"responses": [<grading response or null>, ...], "submission_id": "<client id>"}`` with
one entry per question, in the authored order. ``submission_id`` is optional: the block's JavaScript
makes one per submission, and a retry of the same request sends the same id.

A submission is a *repeat*, answered with the stored result and counting no attempt, when its
``submission_id`` was already graded (the last ``REMEMBERED_SUBMISSIONS`` are kept in user state), or
when its response(s) equal the last graded one(s) -- so a double click or a client retry without an id
counts once as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .i18n import N_

MAX_SUBMISSION_ID_LENGTH = 100
REMEMBERED_SUBMISSIONS = 20


class PayloadError(ValueError):
    """A malformed payload; ``message`` is an English source string, ``params`` fill its fields."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


def _payload(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise PayloadError(N_("The request must be a JSON object."))
    return payload


def submission_id(payload: Any) -> str | None:
    """The client's submission id, if it sent a usable one."""
    value = _payload(payload).get("submission_id")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_SUBMISSION_ID_LENGTH:
        raise PayloadError(
            N_("submission_id must be a non-empty text of at most {limit} characters."),
            limit=MAX_SUBMISSION_ID_LENGTH,
        )
    return value


def question_response(payload: Any) -> Any:
    """The response of a ``dx_question`` submission (its shape is checked by ``grading.score``)."""
    payload = _payload(payload)
    if "response" not in payload:
        raise PayloadError(N_('The request has no "response".'))
    return payload["response"]


def quiz_responses(payload: Any, count: int) -> list[Any]:
    """The responses of a ``dx_quiz`` submission: a list of ``count`` entries, null for unanswered."""
    responses = _payload(payload).get("responses")
    if not isinstance(responses, list):
        raise PayloadError(N_('The request must have "responses", a list with one entry per question.'))
    if len(responses) != count:
        raise PayloadError(
            N_("Expected {expected} responses, one per question, got {got}."),
            expected=count,
            got=len(responses),
        )
    return responses


def is_repeat(*, seen: list[str], sent_id: str | None, graded: bool, last: Any, response: Any) -> bool:
    """Whether this submission repeats one already graded (see the module docstring)."""
    if sent_id is not None and sent_id in seen:
        return True
    return graded and _same(last, response)


def _same(left: Any, right: Any) -> bool:
    """JSON equality: types matter (``True`` is not ``1``), lists and dicts compare item by item."""
    if type(left) is not type(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    return bool(left == right)


def remember(seen: list[str], sent_id: str | None) -> list[str]:
    """The remembered submission ids after grading ``sent_id``."""
    if sent_id is None:
        return list(seen)
    return [*seen, sent_id][-REMEMBERED_SUBMISSIONS:]
