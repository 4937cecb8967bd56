"""Reads of the certification app (re-exported from the modules of this package)."""

from .evidence import (
    EvidenceRow,
    Submission,
    claim_for_proof,
    claimable_qualifications,
    in_reviewer_scope,
    is_reviewer,
    my_evidence,
    pending_submissions,
    reviewable_evidence,
    reviewer_scope,
)
from .path import (
    CertificationPath,
    PathRequirement,
    certification_path,
    exam_best_attempt,
    program_rules,
    program_with_rules,
)

__all__ = [
    "CertificationPath",
    "EvidenceRow",
    "PathRequirement",
    "Submission",
    "certification_path",
    "claim_for_proof",
    "claimable_qualifications",
    "exam_best_attempt",
    "in_reviewer_scope",
    "is_reviewer",
    "my_evidence",
    "pending_submissions",
    "program_rules",
    "program_with_rules",
    "reviewable_evidence",
    "reviewer_scope",
]
