"""Writes of the certification app (re-exported from the modules of this package)."""

from .capstone import (
    CapstoneError,
    capstone_assess,
    capstone_endorse,
    capstone_review_plan,
    capstone_save,
    capstone_submit_plan,
    capstone_submit_report,
)
from .certificates import (
    CertificateError,
    certificate_issue_if_due,
    certificate_revoke,
    certificates_issue_all,
    certificates_issue_due,
    certificates_issue_on_commit,
    certificates_remind_expiring,
)
from .claims import ClaimError, proof_check, qualification_claim_create, qualification_claim_evidence_record
from .defaults import (
    QUALIFICATIONS_CSV,
    DefaultsError,
    DefaultsOutcome,
    certification_defaults_load,
    program_defaults_load,
    qualification_defaults_load,
    rubric_defaults_load,
)
from .level_table import (
    RecomputeOutcome,
    levels_recompute,
    levels_recompute_all,
    levels_recompute_many,
    levels_recompute_queue,
)
from .review import REJECT, VERIFY, ReviewError, evidence_review

__all__ = [
    "QUALIFICATIONS_CSV",
    "REJECT",
    "VERIFY",
    "CapstoneError",
    "CertificateError",
    "ClaimError",
    "DefaultsError",
    "DefaultsOutcome",
    "RecomputeOutcome",
    "ReviewError",
    "capstone_assess",
    "capstone_endorse",
    "capstone_review_plan",
    "capstone_save",
    "capstone_submit_plan",
    "capstone_submit_report",
    "certificate_issue_if_due",
    "certificate_revoke",
    "certificates_issue_all",
    "certificates_issue_due",
    "certificates_issue_on_commit",
    "certificates_remind_expiring",
    "certification_defaults_load",
    "evidence_review",
    "levels_recompute",
    "levels_recompute_all",
    "levels_recompute_many",
    "levels_recompute_queue",
    "program_defaults_load",
    "proof_check",
    "qualification_claim_create",
    "qualification_claim_evidence_record",
    "qualification_defaults_load",
    "rubric_defaults_load",
]
