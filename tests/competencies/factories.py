"""factory_boy factories for the competency framework."""

import factory

from courses.competencies.models import Competency, CompetencyArea, CompetencyFramework, ProficiencyLevel


class CompetencyFrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetencyFramework

    title = "テスト能力フレームワーク"
    version = factory.Sequence(lambda n: f"0.{n}")


class CompetencyAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetencyArea

    framework = factory.SubFactory(CompetencyFrameworkFactory)
    code = factory.Sequence(lambda n: f"Z{n}")
    name = factory.Sequence(lambda n: f"領域{n}")


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    area = factory.SubFactory(CompetencyAreaFactory)
    framework = factory.SelfAttribute("area.framework")
    code = factory.Sequence(lambda n: f"Z{n}-1")
    name = factory.Sequence(lambda n: f"能力{n}")


class ProficiencyLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProficiencyLevel

    framework = factory.SubFactory(CompetencyFrameworkFactory)
    level = 1
    name = factory.Sequence(lambda n: f"段階{n}")
    descriptor = "できること"
