"""The two exceptions of the grading package."""


class DefinitionError(ValueError):
    """A question definition breaks a rule (e.g. a single-choice question without a 100 % choice).

    Raised by the question dataclasses on construction and by ``Question.from_dict``.
    """


class ResponseError(ValueError):
    """A learner's response has the wrong shape for its question (wrong type, unknown id, too long...).

    The message says what was expected; it is safe to show to the learner or log.
    """
