"""Permission sets cached per user (with a shared cache): no queries once cached, and stale the moment
anyone's roles or any role's permissions change."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from lms_site.organisation.roles import ROLES, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HR_ONLY = "organisation.import_staff"


@pytest.fixture(autouse=True)
def permission_cache(settings):
    settings.PERMISSION_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def fresh(user):
    """The user as the next request loads it (permissions are kept per user object, too)."""
    return get_user_model().objects.get(pk=user.pk)


def role_group(role: Role) -> Group:
    return Group.objects.get(name=ROLES[role].group_name)


def test_a_cached_permission_set_costs_no_query(django_assert_num_queries):
    user = UserFactory()
    user.groups.add(role_group(Role.HR))
    first = fresh(user)
    with django_assert_num_queries(2):  # the user's own and their groups' permissions, once
        assert first.has_perm(HR_ONLY)
    for _ in range(3):
        again = fresh(user)
        with django_assert_num_queries(0):
            assert again.has_perm(HR_ONLY) and again.has_perm("organisation.view_personal_data")
            assert not again.has_perm("no_such.permission")


def fresh_user_has(user, permission: str) -> bool:
    return fresh(user).has_perm(permission)


def test_joining_and_leaving_a_role_shows_at_the_next_request():
    user = UserFactory()
    assert not fresh_user_has(user, HR_ONLY)  # cached: without it
    user.groups.add(role_group(Role.HR))
    assert fresh_user_has(user, HR_ONLY)
    user.groups.remove(role_group(Role.HR))
    assert not fresh_user_has(user, HR_ONLY)
    role_group(Role.HR).user_set.add(user)  # the same link, from the group's side
    assert fresh_user_has(user, HR_ONLY)


def test_a_permission_taken_from_a_role_is_gone_for_its_members_at_once():
    user = UserFactory()
    user.groups.add(role_group(Role.HR))
    assert fresh_user_has(user, HR_ONLY)
    permission = Permission.objects.get(content_type__app_label="organisation", codename="import_staff")
    role_group(Role.HR).permissions.remove(permission)
    assert not fresh_user_has(user, HR_ONLY)
    user.user_permissions.add(permission)  # given to the person directly
    assert fresh_user_has(user, HR_ONLY)


def test_a_deleted_group_takes_its_permissions_along():
    user = UserFactory()
    group = Group.objects.create(name="臨時")
    group.permissions.add(Permission.objects.get(codename="import_staff"))
    user.groups.add(group)
    assert fresh_user_has(user, HR_ONLY)
    group.delete()
    assert not fresh_user_has(user, HR_ONLY)


def test_superusers_and_inactive_users_are_answered_by_their_flags():
    user = UserFactory()
    assert not fresh_user_has(user, HR_ONLY)
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)
    assert fresh_user_has(user, HR_ONLY)
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=False, is_active=False)
    assert not fresh_user_has(user, HR_ONLY)


def test_without_a_cache_setting_every_request_reads_the_database(settings, django_assert_num_queries):
    settings.PERMISSION_CACHE_SECONDS = 0
    user = UserFactory()
    fresh_user_has(user, HR_ONLY)
    again = fresh(user)
    with django_assert_num_queries(2):
        again.has_perm(HR_ONLY)
