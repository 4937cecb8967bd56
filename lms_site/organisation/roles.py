"""The platform's roles, kept as Django groups with permissions.

The groups are data, but their permissions are defined here, in code, and synced after every
``migrate`` (and by ``manage.py sync_roles``), so that a new app's permissions reach the roles that need
them with its migration. Other apps add their permissions with ``role_permissions_extend``.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db.models import Q


class Role(StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"
    HR = "hr"
    ADVISOR = "advisor"
    REVIEWER = "reviewer"
    PREFECTURE = "prefecture"
    SHARED_AUTHOR = "shared_author"
    SHARED_REVIEWER = "shared_reviewer"
    ADMIN = "admin"


@dataclass
class RoleDefinition:
    group_name: str
    description: str
    permissions: set[str] = field(default_factory=set)


# Group names are stored data shown in the Wagtail admin, so they are in Japanese, the default language.
ROLES: dict[Role, RoleDefinition] = {
    Role.LEARNER: RoleDefinition("職員", "Learns, takes quizzes, adds evidence of their own."),
    Role.MANAGER: RoleDefinition(
        "所属長",
        "Head of a department: sees reports and staff of their own department subtree.",
        {"organisation.view_department_reports", "organisation.view_personal_data"},
    ),
    Role.HR: RoleDefinition(
        "人事課",
        "HR planner: imports staff, owns targets, verifies evidence, runs certification.",
        {
            "wagtailadmin.access_admin",
            "organisation.view_department_reports",
            "organisation.view_personal_data",
            "organisation.import_staff",
            "organisation.view_staffprofile",
            "organisation.change_staffprofile",
            "organisation.view_assignment",
            "organisation.view_department",
            "organisation.add_department",
            "organisation.change_department",
            "organisation.view_staffimport",
            "organisation.view_advisorcontract",
            "organisation.add_advisorcontract",
            "organisation.change_advisorcontract",
            "organisation.delete_advisorcontract",
            "organisation.view_personaldataaccess",
        },
    ),
    Role.ADVISOR: RoleDefinition(
        "外部人材・CIO補佐官",
        "External expert: authors content and reviews capstones; sees no personal data.",
        {"wagtailadmin.access_admin"},
    ),
    Role.REVIEWER: RoleDefinition(
        "DX推進課",
        "DX office: approves (publishes) or rejects curriculum and question content.",
        {"wagtailadmin.access_admin"},
    ),
    Role.PREFECTURE: RoleDefinition(
        "都道府県",
        "Prefecture staff: its municipalities' aggregates only (suppressed); no personal data.",
    ),
    # The platform's editorial roles (ADR 0024): the shared curriculum (pages outside every municipality's
    # site) is written and approved by them only, whatever municipality their holders act in; the
    # municipality roles above have no grant there. Given by the system administrator, never by an import.
    Role.SHARED_AUTHOR: RoleDefinition(
        "共通教材の編集者",
        "Platform author: drafts the shared curriculum every municipality reads; cannot publish.",
        {"wagtailadmin.access_admin"},
    ),
    Role.SHARED_REVIEWER: RoleDefinition(
        "共通教材の承認者",
        "Platform reviewer: approves (publishes) or rejects changes to the shared curriculum.",
        {"wagtailadmin.access_admin"},
    ),
    Role.ADMIN: RoleDefinition("システム管理者", "Runs the platform; every permission.", set()),
}

# The roles whose page grants count on the shared curriculum (``pages.OwnedPagePermissionPolicy``).
SHARED_CONTENT_ROLES = (Role.SHARED_AUTHOR, Role.SHARED_REVIEWER)

# Permissions no role may hold except the system administrator: personal data stays with roles that need it.
PERSONAL_DATA_PERMISSIONS = {
    "organisation.view_personal_data",
    "organisation.view_staffprofile",
    "organisation.view_personaldataaccess",
}


def role_permissions_extend(role: Role, permissions: set[str]) -> None:
    """Let another app grant its own permissions to a role (call from its ``AppConfig.ready``)."""
    ROLES[role].permissions |= permissions


def role_group(role: Role) -> Group:
    group, _ = Group.objects.get_or_create(name=ROLES[role].group_name)
    return group


def _permissions_by_name(names: set[str]) -> list[Permission]:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions (those that exist yet)."""
    for role, definition in ROLES.items():
        group = role_group(role)
        if role is Role.ADMIN:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(_permissions_by_name(definition.permissions))


def roles_sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate is sent per app with models, in order: sync after the last, once all permissions exist."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
        roles_sync()


def user_roles(user) -> set[Role]:
    """The roles a user holds (by group membership); superusers hold the admin role."""
    if not user.is_authenticated:
        return set()
    names = {group.name for group in user.groups.all()}
    held = {role for role, definition in ROLES.items() if definition.group_name in names}
    if user.is_superuser:
        held.add(Role.ADMIN)
    return held
