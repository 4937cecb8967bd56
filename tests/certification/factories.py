"""factory_boy factories for evidence and qualifications."""

import factory

from assessments.certification.models import Qualification, QualificationCompetency
from assessments.evidence import evidence_record
from assessments.models import Evidence, EvidenceSource, EvidenceStatus
from tests.factories import UserFactory


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    user = factory.SubFactory(UserFactory)
    level = 1
    source = EvidenceSource.QUIZ
    source_key = factory.Sequence(lambda n: f"test:{n}")
    status = EvidenceStatus.VERIFIED

    @classmethod
    def _create(cls, model_class, *, user, competency, level, source, source_key, status, **extra):
        """Through ``assessments.evidence`` as the product writes it, so new verified evidence notifies
        ``evidence_changed`` (and the level table follows); other fields are set afterwards."""
        evidence, _ = evidence_record(
            user=user, competency=competency, level=level, source=source, source_key=source_key, status=status
        )
        if extra:
            model_class.objects.filter(pk=evidence.pk).update(**extra)
            evidence.refresh_from_db()
        return evidence


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    code = factory.Sequence(lambda n: f"Q{n}")
    name = factory.Sequence(lambda n: f"資格{n}")
    issuer = "試験機関"


class QualificationCompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualificationCompetency

    qualification = factory.SubFactory(QualificationFactory)
    level = 2
