"""Certification's door: what the other apps may use (ADR 0028).

Other apps import from here, never from ``models``, ``services`` or ``selectors`` directly;
import-linter's "one door per app" contract holds them to it. Foreign keys keep their string references
("certification.Certificate"), the migrations are untouched, and other apps' demo builders may still read
``demo``.
"""

from .models import Certificate, CompetencyLevel
from .selectors.capstone import capstone_tasks
from .services.level_table import levels_recompute_many

__all__ = [
    "Certificate",
    "CompetencyLevel",
    "capstone_tasks",
    "levels_recompute_many",
]
