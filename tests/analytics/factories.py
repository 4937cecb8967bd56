"""factory_boy factories of the analytics tests: levels, certificates, targets, people in a tree."""

import datetime

import factory

from analytics.models import DevelopmentTarget
from assessments.certification.models import Certificate, CertificationProgram, CompetencyLevel
from tests.factories import AssignmentFactory, StaffProfileFactory, UserFactory


class CompetencyLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetencyLevel

    user = factory.SubFactory(UserFactory)
    level = 1


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationProgram
        django_get_or_create = ("code",)

    code = "DX_LEADER"
    name = factory.LazyAttribute(
        lambda o: {"DX_BASIC": "DXベーシック", "DX_LEADER": "DX推進リーダー"}.get(o.code, o.code)
    )


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    municipality = factory.LazyAttribute(lambda o: o.user.staff_profile.municipality)
    recipient_name = "試験 太郎"
    issued_on = datetime.date(2025, 10, 1)
    period = factory.Sequence(lambda n: n + 1)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevelopmentTarget

    fiscal_year = 2026
    leaders = 2


def people(department, count: int, *, starts_on=datetime.date(2025, 4, 1), ends_on=None, **profile):
    """``count`` people assigned to ``department`` from ``starts_on``; returns their users."""
    users = []
    for _ in range(count):
        staff = StaffProfileFactory(municipality=department.municipality, **profile)
        AssignmentFactory(staff=staff, department=department, starts_on=starts_on, ends_on=ends_on)
        users.append(staff.user)
    return users


def levels(users, competency, level: int) -> None:
    for user in users:
        CompetencyLevelFactory(user=user, competency=competency, level=level)
