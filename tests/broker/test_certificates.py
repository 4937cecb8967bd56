"""Verified evidence (through ``assessments.evidence``) → (commit) → the level recompute in a real worker
→ the certificate, issued once."""

import pytest

from assessments.certification import services
from assessments.certification.models import Certificate, CompetencyLevel
from assessments.certification.tasks import issue_certificates
from assessments.evidence import evidence_record
from assessments.models import EvidenceSource, EvidenceStatus
from lms_site.organisation.roles import Role
from tests.broker.conftest import wait_for
from tests.certification.conftest import competency, person
from tests.competencies.conftest import framework, framework_csv  # noqa: F401 - fixtures

pytestmark = pytest.mark.broker


def test_evidence_leads_to_a_certificate_in_the_worker(celery_worker, municipality, framework):  # noqa: F811
    services.certification_defaults_load()
    holder = person("worker-holder", municipality, Role.LEARNER)
    for code in ("A1", "A4", "C1", "D1", "E1"):  # through assessments.evidence, as the product records it
        evidence_record(
            user=holder,
            competency=competency(framework, code),
            level=2,
            source=EvidenceSource.QUIZ,
            source_key=f"attempt:{code}",
            status=EvidenceStatus.VERIFIED,
        )

    certificate = wait_for(lambda: Certificate.objects.filter(user=holder, program__code="DX_BASIC").first())
    # The rules read the evidence itself, so an earlier recompute may issue the certificate while the later
    # ones (one task per piece of evidence) are still bringing the level table up to date.
    assert wait_for(lambda: CompetencyLevel.objects.filter(user=holder, level=2).count() == 5)
    assert certificate.period == 1 and certificate.credential["proof"]
    assert issue_certificates.delay(holder.pk).get(timeout=60) == []  # redelivered: nothing new
    assert Certificate.objects.filter(user=holder).count() == 1
