"""factory_boy factories shared by the whole suite."""

import datetime

import factory
from django.contrib.auth import get_user_model

from lms_site.organisation.models import (
    Assignment,
    Department,
    DepartmentKind,
    JobCategory,
    JobGrade,
    Municipality,
    StaffProfile,
)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{990000 + n:06d}")
    name = factory.Sequence(lambda n: f"テスト市{n}")
    prefecture = "架空県"


class DepartmentFactory(factory.django.DjangoModelFactory):
    """Creates a tree node: pass ``parent`` for a child, none for a 部 at the root."""

    class Meta:
        model = Department

    parent = None
    municipality = factory.LazyAttribute(
        lambda o: o.parent.municipality if o.parent else MunicipalityFactory()
    )
    code = factory.Sequence(lambda n: f"{n:06d}")
    name = factory.Sequence(lambda n: f"第{n}課")
    kind = DepartmentKind.BU

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is not None:
            return parent.add_child(**kwargs)
        return model_class.add_root(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    employee_number = factory.Sequence(lambda n: f"{100000 + n}")
    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    job_grade = JobGrade.SHUJI
    job_category = JobCategory.GYOSEI
    hire_year = 2020


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    staff = factory.SubFactory(StaffProfileFactory)
    department = factory.SubFactory(DepartmentFactory)
    starts_on = datetime.date(2025, 4, 1)


def head_post(user, department) -> None:
    """Give a 所属長 the post that heads ``department`` (部長 of a 部, 課長 of a 課): their rights need it."""
    from lms_site.organisation.selectors import HEAD_GRADES

    StaffProfile.objects.filter(user=user).update(job_grade=HEAD_GRADES[department.kind])
