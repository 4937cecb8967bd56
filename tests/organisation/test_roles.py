"""Roles are groups whose permissions are defined in code and synced after migrate."""

import pytest
from django.contrib.auth.models import Group

from lms_site.organisation.roles import PERSONAL_DATA_PERMISSIONS, ROLES, Role, roles_sync, user_roles
from tests.factories import UserFactory


def group_permissions(role: Role) -> set[str]:
    group = Group.objects.get(name=ROLES[role].group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_every_role_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {d.group_name for d in ROLES.values()}


@pytest.mark.django_db
def test_advisor_and_learner_hold_no_personal_data_permission():
    for role in (Role.ADVISOR, Role.LEARNER):
        assert not group_permissions(role) & PERSONAL_DATA_PERMISSIONS


@pytest.mark.django_db
def test_hr_can_import_and_see_personal_data_and_manager_sees_reports():
    assert {"organisation.import_staff", "organisation.view_personal_data"} <= group_permissions(Role.HR)
    assert "organisation.view_department_reports" in group_permissions(Role.MANAGER)
    assert "organisation.import_staff" not in group_permissions(Role.MANAGER)


@pytest.mark.django_db
def test_sync_restores_permissions_removed_by_hand():
    Group.objects.get(name=ROLES[Role.HR].group_name).permissions.clear()
    roles_sync()
    assert "organisation.import_staff" in group_permissions(Role.HR)


@pytest.mark.django_db
def test_user_roles_follow_group_membership():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=ROLES[Role.MANAGER].group_name))
    assert user_roles(user) == {Role.MANAGER}
    assert user.has_perm("organisation.view_department_reports")
    assert not user.has_perm("organisation.import_staff")
