"""factory_boy factories for evidence and qualifications."""

import factory

from assessments.certification.models import Qualification, QualificationCompetency
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
