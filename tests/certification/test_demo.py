"""The certification demo on its own: claims for 人事課 to review at every stage, levels, idempotent. The
whole demo city's programme in motion is tested in tests/demo/test_certification.py."""

import io

import pytest
from django.apps import apps

from assessments.certification import demo, proofs
from assessments.certification.models import (
    CapstoneAction,
    CompetencyLevel,
    QualificationClaim,
)
from assessments.models import Evidence, EvidenceStatus
from lms_site.organisation.roles import Role

from .conftest import person

A = CapstoneAction


def row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("certification").get_models()} | {
        "evidence": Evidence.objects.count()
    }


@pytest.fixture
def city(framework, municipality):
    person("demo-learner", municipality, Role.LEARNER)
    person("demo-hr", municipality, Role.LEARNER, Role.HR)
    return [person(f"staff-{n}", municipality, Role.LEARNER) for n in range(4)]


def statuses(code: str) -> set[str]:
    claim = QualificationClaim.objects.get(qualification__code=code)
    return set(
        Evidence.objects.filter(user=claim.user, source_key=claim.source_key).values_list("status", flat=True)
    )


def test_demo_leaves_claims_at_every_stage_and_loads_idempotently(city, proof_root):
    demo.load(stdout=io.StringIO())
    assert QualificationClaim.objects.count() == 5
    assert statuses("IP") == statuses("SG") == statuses("STAT2") == {EvidenceStatus.PENDING}
    assert statuses("FE") == {EvidenceStatus.VERIFIED}
    assert statuses("JDLA_G") == {EvidenceStatus.REJECTED}
    verified = QualificationClaim.objects.get(qualification__code="FE")
    assert (
        CompetencyLevel.objects.filter(user=verified.user).count() == verified.qualification.mappings.count()
    )
    assert proofs.sniff((proof_root / demo.DEMO_PROOF).read_bytes()[:8]) == ("application/pdf", "pdf")
    before = row_counts()
    demo.load(stdout=io.StringIO())
    assert row_counts() == before
    assert len(list(proof_root.rglob("*.pdf"))) == 1
