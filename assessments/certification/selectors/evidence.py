"""Reads for the evidence pages: a learner's own evidence and claims, and HR's pending list."""

import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from assessments.models import Evidence, EvidenceSource, EvidenceStatus
from lms_site.organisation.api import Purpose, scope_for

from .. import levels
from ..models import Qualification, QualificationClaim, QualificationCompetency

CLAIM_PREFIX = "claim:"


def claimable_qualifications(*, with_map: bool = True) -> QuerySet[Qualification]:
    """Active qualifications mapped to at least one competency of the current framework (with the map)."""
    current = QualificationCompetency.objects.filter(competency__framework__is_current=True)
    qualifications = (
        Qualification.objects.filter(is_active=True, mappings__in=current).distinct().order_by("name")
    )
    if with_map:
        qualifications = qualifications.prefetch_related(
            Prefetch("mappings", queryset=current.select_related("competency"))
        )
    return qualifications


def claim_ids(evidence: list[Evidence]) -> set[int]:
    ids = set()
    for row in evidence:
        key = row.source_key.removeprefix(CLAIM_PREFIX)
        if (
            row.source == EvidenceSource.QUALIFICATION
            and row.source_key.startswith(CLAIM_PREFIX)
            and key.isascii()
            and key.isdigit()
        ):
            ids.add(int(key))
    return ids


@dataclass(frozen=True)
class EvidenceRow:
    evidence: Evidence
    claim: QualificationClaim | None = None

    @property
    def counts_up_to(self) -> int:
        """The highest level this evidence can support once verified (a course recorded at Lv3: 2)."""
        row = self.evidence
        return levels.supported_level(levels.EvidenceFact(row.competency_id, row.level, row.source))


def my_evidence(*, user) -> dict:
    """Everything /me/evidence/ lists: all the user's evidence (any source, any status) and their claims.

    Four queries, however much there is.
    """
    evidence = Evidence.objects.filter(user=user).select_related("competency").order_by("-recorded_at", "pk")
    claims = list(QualificationClaim.objects.filter(user=user).select_related("qualification"))
    by_key = {claim.source_key: claim for claim in claims}
    rows = [
        EvidenceRow(row, by_key.get(row.source_key) if row.source == EvidenceSource.QUALIFICATION else None)
        for row in evidence
    ]
    return {"rows": rows, "claims": claims, "qualifications": list(claimable_qualifications())}


def reviewer_scope(*, reviewer) -> Q:
    """Evidence a reviewer may see: their municipality's staff (all for a superuser, none without one);
    the organisation's scope for the programme, over ``user__staff_profile``."""
    scope = scope_for(reviewer, purpose=Purpose.PROGRAMME)
    return scope.q("user__staff_profile") if scope is not None else Q(pk__in=[])


def reviewable_evidence(*, reviewer) -> QuerySet[Evidence]:
    return Evidence.objects.filter(reviewer_scope(reviewer=reviewer), status=EvidenceStatus.PENDING)


@dataclass
class Submission:
    """Pending evidence that stands or falls together: one person, one source, one source key."""

    user: object
    source: str
    source_key: str
    rows: list[Evidence] = field(default_factory=list)
    claim: QualificationClaim | None = None

    @property
    def ids(self) -> list[int]:
        return [row.pk for row in self.rows]

    @property
    def recorded_at(self):
        return min(row.recorded_at for row in self.rows)


def pending_submissions(*, reviewer) -> list[Submission]:
    """HR's pending list, oldest first, grouped per submission (three queries, whatever the length)."""
    rows = list(
        reviewable_evidence(reviewer=reviewer)
        .select_related("user__staff_profile", "competency")
        .order_by("recorded_at", "pk")
    )
    claims = QualificationClaim.objects.select_related("qualification").in_bulk(claim_ids(rows))
    groups: dict[tuple[int, str, str], Submission] = {}
    for row in rows:
        key = (row.user_id, row.source, row.source_key)
        if key not in groups:
            claim_id = row.source_key.removeprefix(CLAIM_PREFIX)
            claim = claims.get(int(claim_id)) if claim_id.isascii() and claim_id.isdigit() else None
            if claim is not None and claim.user_id != row.user_id:
                claim = None
            groups[key] = Submission(user=row.user, source=row.source, source_key=row.source_key, claim=claim)
        groups[key].rows.append(row)
    return list(groups.values())


def is_reviewer(user) -> bool:
    """Reviewers (人事課) hold ``view_personal_data`` and ``verify_evidence``; managers only the first."""
    return user.has_perm("organisation.view_personal_data") and user.has_perm("certification.verify_evidence")


def in_reviewer_scope(*, reviewer, owner) -> bool:
    """``reviewer_scope`` for one owner (the same scope's ``allows``): same municipality (any, for a
    superuser). No query."""
    scope = scope_for(reviewer, purpose=Purpose.PROGRAMME)
    return scope is not None and scope.allows(owner)


def claim_for_proof(*, user, claim_uuid: uuid.UUID) -> QualificationClaim | None:
    """The claim whose proof ``user`` may download: their own, or, for a reviewer, one in their scope."""
    claim = QualificationClaim.objects.select_related("user__staff_profile").filter(uuid=claim_uuid).first()
    if claim is None or claim.user_id == user.pk:
        return claim
    if is_reviewer(user) and in_reviewer_scope(reviewer=user, owner=claim.user):
        return claim
    return None
