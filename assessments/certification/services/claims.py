"""A learner claims a qualification: the proof is stored privately and pending evidence is recorded.

One evidence row per competency the qualification maps to (in the current framework), source
``qualification``, status pending, ``source_key = claim:<id>``; HR verifies or rejects them together.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.evidence import evidence_open_for_sources, evidence_record
from assessments.models import EvidenceSource, EvidenceStatus

from .. import proofs
from ..models import Qualification, QualificationClaim, QualificationCompetency


class ClaimError(Exception):
    """A claim the rules refuse; the message says why, in the user's language."""


def proof_check(*, proof: File) -> tuple[str, str]:
    """(content type, extension) of an acceptable proof file, judged by size and content; or ClaimError."""
    if proof.size is None or proof.size > proofs.MAX_BYTES:
        raise ClaimError(
            _("ファイルが大きすぎます(上限 %(mb)d MB)。") % {"mb": proofs.MAX_BYTES // 1024 // 1024}
        )
    if proof.size == 0:
        raise ClaimError(_("ファイルが空です。"))
    proof.seek(0)
    detected = proofs.sniff(proof.read(proofs.HEAD_BYTES))
    proof.seek(0)
    if detected is None:
        raise ClaimError(
            _("PDF、PNG、JPEG のいずれかのファイルを選んでください(ファイルの中身で判定します)。")
        )
    return detected


def _already_claimed(user, qualification: Qualification) -> bool:
    keys = [
        claim.source_key
        for claim in QualificationClaim.objects.filter(user=user, qualification=qualification)
    ]
    return evidence_open_for_sources(user=user, source=EvidenceSource.QUALIFICATION, source_keys=keys)


def current_mappings(qualification: Qualification):
    """The qualification's map rows in the current framework.

    Queried directly: modelcluster's related manager filters a *prefetched* relation without the parent
    condition, so ``qualification.mappings.filter(...)`` would return every qualification's rows.
    """
    return QualificationCompetency.objects.filter(
        qualification=qualification, competency__framework__is_current=True
    ).select_related("competency")


def qualification_claim_evidence_record(*, claim: QualificationClaim, mappings=None) -> int:
    """Pending evidence for each competency the claim's qualification maps to; returns how many were new."""
    if mappings is None:
        mappings = current_mappings(claim.qualification)
    created = 0
    for mapping in mappings:
        _, was_created = evidence_record(
            user=claim.user,
            competency=mapping.competency,
            level=mapping.level,
            source=EvidenceSource.QUALIFICATION,
            source_key=claim.source_key,
            status=EvidenceStatus.PENDING,
        )
        created += was_created
    return created


def qualification_claim_create(
    *,
    user,
    qualification: Qualification,
    passed_on: datetime.date,
    proof: File,
    proof_name: str = "",
    certificate_number: str = "",
) -> QualificationClaim:
    """Store the proof and record pending evidence for each mapped competency, in one transaction.

    Refused (ClaimError, nothing written) when the file is not an allowed type or too large, the date is
    in the future, the qualification takes no claims, or the same qualification is already pending or
    verified for this person.
    """
    content_type, extension = proof_check(proof=proof)
    if passed_on > timezone.localdate():
        raise ClaimError(_("合格日・取得日に未来の日付は指定できません。"))
    mappings = list(current_mappings(qualification))
    if not qualification.is_active or not mappings:
        raise ClaimError(_("この資格は現在申請を受け付けていません。"))
    claim = QualificationClaim(
        user=user,
        qualification=qualification,
        passed_on=passed_on,
        certificate_number=certificate_number.strip(),
        proof_name=(proof_name or getattr(proof, "name", "") or "proof")[-200:],
        proof_content_type=content_type,
        proof_size=proof.size,
    )
    claim.proof.save(f"proof.{extension}", proof, save=False)
    try:
        with transaction.atomic():
            # One claim at a time per person (PostgreSQL row lock), so a double submit cannot claim twice.
            list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
            if _already_claimed(user, qualification):
                raise ClaimError(_("この資格はすでに申請済みです(確認待ちまたは確認済み)。"))
            claim.save()
            qualification_claim_evidence_record(claim=claim, mappings=mappings)
    except BaseException:
        claim.proof.delete(save=False)  # no orphaned file when nothing was recorded
        raise
    return claim
