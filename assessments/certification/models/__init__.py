"""Certification's models, one module per domain; every name is re-exported here, so
``from assessments.certification.models import Certificate`` works as before and the migrations, the app
label (``certification``) and the foreign-key strings ("certification.Certificate") are unchanged.

* ``level_table``: ``CompetencyLevel``, the maintained level table (one row per person × competency).
* ``programmes``: ``CertificationProgram`` (+ its admin form) and ``ProgramRequirement``, the rules HR edits;
  ``CODE_VALIDATOR`` and ``CURRENT_COMPETENCIES``, shared with the qualifications.
* ``qualifications``: ``Qualification`` + ``QualificationCompetency`` (the map to competency levels) and
  ``QualificationClaim``, a learner's claim with its proof file.
* ``capstone``: the 修了課題 workflow: ``Capstone``, ``CapstoneStatus``, ``CapstoneAction``,
  ``CapstoneAttachment``, the ``CapstoneDecision`` audit log and the programme's ``RubricCriterion`` rows.
* ``certificates``: ``Certificate``, the signing keys (``IssuerKey``) and the revocation lists
  (``StatusList``).

The modules import each other only downwards (``programmes`` is the base the others point at).
"""

# isort: off
# Imported in the order the models were declared when this was one module, so the app registry (and the
# content types and permissions a fresh database creates) keep that order.
from .level_table import CompetencyLevel
from .programmes import (
    CODE_VALIDATOR,
    CURRENT_COMPETENCIES,
    CertificationProgram,
    CertificationProgramForm,
    ProgramRequirement,
)
from .qualifications import Qualification, QualificationClaim, QualificationCompetency
from .capstone import (
    Capstone,
    CapstoneAction,
    CapstoneAttachment,
    CapstoneDecision,
    CapstoneStatus,
    RubricCriterion,
)
from .certificates import Certificate, IssuerKey, StatusList

# isort: on

__all__ = [
    "CODE_VALIDATOR",
    "CURRENT_COMPETENCIES",
    "Capstone",
    "CapstoneAction",
    "CapstoneAttachment",
    "CapstoneDecision",
    "CapstoneStatus",
    "Certificate",
    "CertificationProgram",
    "CertificationProgramForm",
    "CompetencyLevel",
    "IssuerKey",
    "ProgramRequirement",
    "Qualification",
    "QualificationClaim",
    "QualificationCompetency",
    "RubricCriterion",
    "StatusList",
]
