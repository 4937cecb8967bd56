"""The assessments app's door: what the other apps may use (ADR 0028).

Other apps import from here, never from ``models``, ``attempts``, ``bank``, ``evidence`` or ``selectors``
directly; import-linter's "one door per app" contract holds them to it. Certification, nested in this
package, has a door of its own (``assessments.certification.api``); inside the package it sits above the
core, which another contract checks. Foreign keys keep their string references ("assessments.Quiz"), the
migrations are untouched, and other apps' demo builders may still read ``demo``.
"""

from .attempts import quiz_max_points
from .models import Attempt, AttemptItem, AttemptStatus, Evidence, EvidenceSource, EvidenceStatus, Quiz

__all__ = [
    "Attempt",
    "AttemptItem",
    "AttemptStatus",
    "Evidence",
    "EvidenceSource",
    "EvidenceStatus",
    "Quiz",
    "quiz_max_points",
]
