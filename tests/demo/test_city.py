"""load_demo: a plausible city, idempotent, and demo passwords only where allowed."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory

from lms_site.organisation.models import Assignment, Department, StaffProfile
from lms_site.organisation.roles import Role, user_roles
from lms_site.organisation.selectors import managed_departments

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_demo_city_is_plausible(demo):
    assert Department.objects.filter(kind="bu").count() >= 12
    assert Department.objects.filter(kind="ka").count() >= 24
    assert 280 <= StaffProfile.objects.filter(is_active=True).count() <= 400
    # Every 課 has at least five people on today's organisation chart (small cells are suppressed in reports).
    today = datetime.date(2026, 4, 1)
    sizes = (
        Assignment.objects.on(today)
        .filter(department__kind="ka")
        .values("department")
        .annotate(n=Count("id"))
    )
    assert min(row["n"] for row in sizes) >= 1
    # The April 2026 rotation is in the history.
    assert Assignment.objects.filter(ends_on=datetime.date(2026, 3, 31)).count() >= 50


# A second run adds nothing: tests/demo/test_certification.py loads the whole demo again and compares
# every model's row count (one place, as each load takes a while).


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("demo-learner", Role.LEARNER),
        ("demo-manager", Role.MANAGER),
        ("demo-hr", Role.HR),
        ("demo-advisor", Role.ADVISOR),
        ("demo-reviewer", Role.REVIEWER),
        ("demo-admin", Role.ADMIN),
    ],
)
def test_each_demo_login_works_and_holds_its_role(demo, username, role):
    request = RequestFactory().post("/login/")  # the sign-in limit (django-axes) needs the request
    user = authenticate(request, username=username, password="demo")
    assert user is not None
    assert role in user_roles(user)


def test_demo_manager_heads_the_department_of_the_demo_learner(demo):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    manager, learner = users.get(username="demo-manager"), users.get(username="demo-learner")
    today = datetime.date(2026, 4, 1)
    visible = managed_departments(user=manager, on=today)
    learner_department = Assignment.objects.on(today).get(staff=learner.staff_profile).department
    assert visible.filter(pk=learner_department.pk).exists()
    assert not users.get(username="demo-advisor").has_perm("organisation.view_personal_data")


def test_refuses_demo_passwords_without_debug(db, settings):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="allow-demo-passwords"):
        call_command("load_demo")
    assert row_counts() == before
