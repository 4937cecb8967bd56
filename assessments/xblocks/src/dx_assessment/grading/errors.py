"""The two exceptions of the grading package."""


class DefinitionError(ValueError):
    """A question definition breaks a rule (e.g. a single-choice question without a 100 % choice).

    Raised by the question dataclasses on construction and by ``Question.from_dict``.
    """


class ResponseError(ValueError):
    """A learner's response has the wrong shape for its question (wrong type, unknown id, too long...).

    The message says what was expected, in English; it is safe to log. ``code`` (with ``params``) names the
    problem for a caller that words it for the learner in their language: ``too_long`` (``max``),
    ``empty``, ``not_a_number``, ``out_of_range``, ``incomplete_order``, ``rank_range`` (``count``),
    ``rank_repeated``; ``invalid`` for shapes only a forged request sends (unknown ids, wrong types).
    """

    def __init__(self, message: str, *, code: str = "invalid", params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.params = params or {}
